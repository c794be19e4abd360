import Core
import Foundation
import GRDB

extension Schema {
    /// Version 7: a team on one corpus.
    ///
    /// - `curator`: everyone who has decided, with a role (`curator` or `adjudicator`). Every
    ///   author of an existing event becomes a curator, so no past decision loses its owner.
    /// - `review_event.scope`: `answer` (a curator's own answer) or `adjudication` (an
    ///   adjudicator's ruling on a disputed item); `review_event.sources`: for an adjudication,
    ///   the curators whose answers it took (JSON array; empty when drafted by hand).
    /// - `review_answer`: each curator's current answer per item and scope, derived from the
    ///   log as `review_item` is.
    /// - `review_item.resolution`: which answer counts (see `Core.Resolution`); the curated
    ///   layer holds the resolved answers, and disputed items are left out of it.
    /// - `assignment`: which curators an item is shared out to (`vigil assign`); an item
    ///   with no row is open to everyone, and a corpus with no rows behaves as one curator's.
    /// - `assignment_policy`: the settings of dynamic assignment (`vigil assign --dynamic`).
    static func v7Team(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE curator (
                name TEXT PRIMARY KEY CHECK (length(name) > 0),
                role TEXT NOT NULL DEFAULT 'curator' CHECK (role IN ('curator', 'adjudicator')),
                created_at DATETIME NOT NULL
            );

            ALTER TABLE review_event ADD COLUMN scope TEXT NOT NULL DEFAULT 'answer'
                CHECK (scope IN ('answer', 'adjudication'));
            ALTER TABLE review_event ADD COLUMN sources TEXT;

            CREATE TABLE review_answer (
                drug_mention_id INTEGER NOT NULL REFERENCES drug_mention(id),
                curator TEXT NOT NULL,
                scope TEXT NOT NULL CHECK (scope IN ('answer', 'adjudication')),
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'no-ade', 'skipped', 'flagged')),
                note TEXT,
                last_event_id INTEGER NOT NULL REFERENCES review_event(id),
                updated_at DATETIME NOT NULL,
                PRIMARY KEY (drug_mention_id, curator, scope)
            ) WITHOUT ROWID;
            CREATE INDEX review_answer_curator ON review_answer(curator, scope, state);

            ALTER TABLE review_item ADD COLUMN resolution TEXT NOT NULL DEFAULT 'single'
                CHECK (resolution IN ('none', 'single', 'agreed', 'adjudicated', 'disputed'));
            CREATE INDEX review_item_resolution ON review_item(resolution);

            CREATE TABLE assignment (
                drug_mention_id INTEGER NOT NULL REFERENCES drug_mention(id),
                curator TEXT NOT NULL REFERENCES curator(name),
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                created_at DATETIME NOT NULL,
                PRIMARY KEY (drug_mention_id, curator)
            ) WITHOUT ROWID;
            CREATE INDEX assignment_curator ON assignment(curator, sentence_id);

            CREATE TABLE assignment_policy (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                curators TEXT NOT NULL,
                overlap REAL NOT NULL CHECK (overlap >= 0 AND overlap <= 1),
                seed INTEGER NOT NULL,
                split TEXT,
                created_at DATETIME NOT NULL
            );
            """)
        try db.execute(sql: """
            INSERT INTO curator(name, role, created_at)
            SELECT author, 'curator', min(created_at) FROM review_event GROUP BY author
            """)
        // The derived answers and resolutions are rebuilt from the log by v8, which runs with it.
    }

    /// Version 8: each answer carries its spans (`review_answer.spans`, the JSON of its last
    /// event's `spans_after`), so agreement reads every answer of a corpus without a lookup
    /// into the event log per answer.
    static func v8AnswerSpans(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE review_answer ADD COLUMN spans TEXT NOT NULL DEFAULT '[]';
            UPDATE review_answer SET spans = (SELECT spans_after FROM review_event WHERE id = review_answer.last_event_id);
            """)
        // Every past decision becomes its author's answer; review_item and the curated layer
        // are derived again from those answers (see `Core.Resolution`).
        try CorpusStore.rebuildDerivedReviewState(db)
    }
}
