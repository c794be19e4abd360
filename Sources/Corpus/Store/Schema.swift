import Foundation
import GRDB

/// The corpus schema as versioned migrations. Never edit a shipped migration: add one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-corpus", migrate: v1)
        migrator.registerMigration("v2-teacher", migrate: v2Teacher)
        migrator.registerMigration("v3-student", migrate: v3Student)
        migrator.registerMigration("v4-lexicon", migrate: v4Lexicon)
        migrator.registerMigration("v5-pubmed", migrate: v5PubMed)
        migrator.registerMigration("v6-job-reliability", migrate: v6JobReliability)
        migrator.registerMigration("v7-team", migrate: v7Team)
        migrator.registerMigration("v8-answer-spans", migrate: v8AnswerSpans)
        migrator.registerMigration("v9-concepts", migrate: v9Concepts)
        return migrator
    }

    /// Version 1: documents, sentences, drug mentions, layers and their annotations,
    /// the review event log, jobs, splits and the import log.
    private static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE document (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE CHECK (length(key) > 0),
                pmid TEXT,
                file TEXT,
                position INTEGER,
                created_at DATETIME NOT NULL
            );

            CREATE TABLE sentence (
                id INTEGER PRIMARY KEY,
                document_id INTEGER NOT NULL REFERENCES document(id),
                position INTEGER NOT NULL,
                doc_offset INTEGER CHECK (doc_offset >= 0),
                text TEXT NOT NULL CHECK (length(text) > 0),
                UNIQUE (document_id, text)
            );
            CREATE INDEX sentence_document ON sentence(document_id, position);
            CREATE TRIGGER sentence_text_is_immutable BEFORE UPDATE OF text ON sentence
            BEGIN SELECT RAISE(ABORT, 'a sentence''s text never changes after import'); END;

            CREATE TABLE drug_mention (
                id INTEGER PRIMARY KEY,
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                text TEXT NOT NULL,
                normalized TEXT NOT NULL CHECK (length(normalized) > 0),
                origin TEXT NOT NULL CHECK (origin IN ('import', 'lexicon', 'curator')),
                created_at DATETIME NOT NULL,
                CHECK (0 <= start AND start < "end"),
                UNIQUE (sentence_id, start, "end")
            );
            CREATE TRIGGER drug_mention_inside_sentence BEFORE INSERT ON drug_mention
            WHEN NEW."end" > (SELECT length(text) FROM sentence WHERE id = NEW.sentence_id)
              OR NEW.text <> (SELECT substr(text, NEW.start + 1, NEW."end" - NEW.start) FROM sentence WHERE id = NEW.sentence_id)
            BEGIN SELECT RAISE(ABORT, 'drug mention span does not cover its text in the sentence'); END;

            CREATE TABLE teacher_run (
                id INTEGER PRIMARY KEY,
                created_at DATETIME NOT NULL,
                model TEXT NOT NULL,
                endpoint TEXT,
                template_hash TEXT,
                shots INTEGER,
                seed INTEGER,
                params TEXT NOT NULL DEFAULT '{}',
                note TEXT
            );

            CREATE TABLE model_version (
                id INTEGER PRIMARY KEY,
                created_at DATETIME NOT NULL,
                path TEXT,
                encoder TEXT,
                head TEXT,
                source TEXT,
                params TEXT NOT NULL DEFAULT '{}',
                metrics TEXT NOT NULL DEFAULT '{}',
                note TEXT
            );

            CREATE TABLE layer (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('gold', 'teacher', 'curated', 'student')),
                teacher_run_id INTEGER UNIQUE REFERENCES teacher_run(id),
                model_version_id INTEGER UNIQUE REFERENCES model_version(id),
                created_at DATETIME NOT NULL,
                CHECK ((kind = 'teacher') = (teacher_run_id IS NOT NULL)),
                CHECK ((kind = 'student') = (model_version_id IS NOT NULL))
            );
            CREATE UNIQUE INDEX layer_singletons ON layer(kind) WHERE kind IN ('gold', 'curated');

            CREATE TABLE ade (
                id INTEGER PRIMARY KEY,
                layer_id INTEGER NOT NULL REFERENCES layer(id),
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                drug_mention_id INTEGER NOT NULL REFERENCES drug_mention(id),
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                text TEXT NOT NULL,
                author TEXT NOT NULL,
                created_at DATETIME NOT NULL,
                CHECK (0 <= start AND start < "end"),
                UNIQUE (layer_id, drug_mention_id, start, "end")
            );
            CREATE INDEX ade_layer_sentence ON ade(layer_id, sentence_id);
            CREATE TRIGGER ade_inside_sentence BEFORE INSERT ON ade
            WHEN NEW.sentence_id <> (SELECT sentence_id FROM drug_mention WHERE id = NEW.drug_mention_id)
              OR NEW."end" > (SELECT length(text) FROM sentence WHERE id = NEW.sentence_id)
              OR NEW.text <> (SELECT substr(text, NEW.start + 1, NEW."end" - NEW.start) FROM sentence WHERE id = NEW.sentence_id)
            BEGIN SELECT RAISE(ABORT, 'ADE span does not cover its text in the drug mention''s sentence'); END;

            -- The items (drug mentions) a layer has answered, with or without an ADE: "no ADE"
            -- is an answer, not a gap. Unlabeled imports and unprocessed items have no row.
            -- The curated layer's coverage is derived from review_item instead.
            CREATE TABLE layer_item (
                layer_id INTEGER NOT NULL REFERENCES layer(id),
                drug_mention_id INTEGER NOT NULL REFERENCES drug_mention(id),
                PRIMARY KEY (layer_id, drug_mention_id)
            ) WITHOUT ROWID;

            CREATE TABLE review_event (
                id INTEGER PRIMARY KEY,
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                drug_mention_id INTEGER NOT NULL REFERENCES drug_mention(id),
                action TEXT NOT NULL CHECK (action IN ('decide', 'undo', 'redo')),
                target_event_id INTEGER REFERENCES review_event(id),
                author TEXT NOT NULL,
                created_at DATETIME NOT NULL,
                state_before TEXT NOT NULL CHECK (state_before IN ('pending', 'accepted', 'no-ade', 'skipped', 'flagged')),
                state_after TEXT NOT NULL CHECK (state_after IN ('pending', 'accepted', 'no-ade', 'skipped', 'flagged')),
                spans_before TEXT NOT NULL,
                spans_after TEXT NOT NULL,
                note TEXT,
                elapsed_ms INTEGER,
                CHECK ((action = 'decide') = (target_event_id IS NULL))
            );
            CREATE INDEX review_event_item ON review_event(sentence_id, drug_mention_id);
            CREATE INDEX review_event_author ON review_event(author, id);
            CREATE TRIGGER review_event_no_update BEFORE UPDATE ON review_event
            BEGIN SELECT RAISE(ABORT, 'the review event log is append-only'); END;
            CREATE TRIGGER review_event_no_delete BEFORE DELETE ON review_event
            BEGIN SELECT RAISE(ABORT, 'the review event log is append-only'); END;

            -- Derived from review_event (see CorpusStore.rebuildDerivedReviewState).
            CREATE TABLE review_item (
                drug_mention_id INTEGER PRIMARY KEY REFERENCES drug_mention(id),
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'no-ade', 'skipped', 'flagged')),
                note TEXT,
                last_event_id INTEGER NOT NULL REFERENCES review_event(id),
                updated_at DATETIME NOT NULL
            );
            CREATE INDEX review_item_state ON review_item(state);

            CREATE TABLE job (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
                args TEXT NOT NULL DEFAULT '[]',
                done INTEGER NOT NULL DEFAULT 0 CHECK (done >= 0),
                total INTEGER CHECK (total >= 0),
                message TEXT,
                pid INTEGER,
                cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
                created_at DATETIME NOT NULL,
                started_at DATETIME,
                heartbeat_at DATETIME,
                finished_at DATETIME,
                result TEXT,
                error TEXT
            );
            CREATE INDEX job_state ON job(state, kind);

            CREATE TABLE job_log (
                id INTEGER PRIMARY KEY,
                job_id INTEGER NOT NULL REFERENCES job(id) ON DELETE CASCADE,
                at DATETIME NOT NULL,
                line TEXT NOT NULL
            );
            CREATE INDEX job_log_job ON job_log(job_id, id);

            CREATE TABLE split (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE CHECK (length(name) > 0 AND instr(name, ':') = 0),
                method TEXT NOT NULL,
                seed INTEGER,
                params TEXT NOT NULL DEFAULT '{}',
                created_at DATETIME NOT NULL
            );

            CREATE TABLE split_member (
                split_id INTEGER NOT NULL REFERENCES split(id) ON DELETE CASCADE,
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                part TEXT NOT NULL CHECK (length(part) > 0),
                PRIMARY KEY (split_id, sentence_id)
            ) WITHOUT ROWID;
            CREATE INDEX split_member_part ON split_member(split_id, part);

            CREATE TABLE import_log (
                id INTEGER PRIMARY KEY,
                format TEXT NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                layer TEXT NOT NULL,
                created_at DATETIME NOT NULL,
                counts TEXT NOT NULL
            );
            CREATE INDEX import_log_content ON import_log(sha256, format, layer);
            """)
        let now = Date()
        try db.execute(sql: "INSERT INTO layer(kind, created_at) VALUES ('gold', ?), ('curated', ?)",
                       arguments: [now, now])
    }
}
