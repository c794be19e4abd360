import GRDB

extension Schema {
    /// Version 2: the LLM teacher's audit trail and cache.
    ///
    /// - `teacher_exchange`: one request and its raw response, keyed by a hash of everything
    ///   that determines the answer (model, template, examples, message, parameters; never the
    ///   API key). Shared by all runs: an identical request is served from here.
    /// - `teacher_answer`: which sentences a run has answered, and through which exchange.
    /// - `teacher_ungrounded`: proposals that could not be placed on the sentence, with the reason.
    /// - `teacher_run_stats`: per-run counters.
    static func v2Teacher(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE teacher_exchange (
                id INTEGER PRIMARY KEY,
                cache_key TEXT NOT NULL UNIQUE CHECK (length(cache_key) > 0),
                model TEXT NOT NULL,
                prompt TEXT NOT NULL,
                request TEXT NOT NULL,
                response TEXT NOT NULL,
                prompt_tokens INTEGER NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
                completion_tokens INTEGER NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
                created_at DATETIME NOT NULL
            );

            CREATE TABLE teacher_answer (
                teacher_run_id INTEGER NOT NULL REFERENCES teacher_run(id),
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                exchange_id INTEGER NOT NULL REFERENCES teacher_exchange(id),
                from_cache INTEGER NOT NULL CHECK (from_cache IN (0, 1)),
                created_at DATETIME NOT NULL,
                PRIMARY KEY (teacher_run_id, sentence_id)
            ) WITHOUT ROWID;
            CREATE INDEX teacher_answer_sentence ON teacher_answer(sentence_id);

            CREATE TABLE teacher_ungrounded (
                id INTEGER PRIMARY KEY,
                teacher_run_id INTEGER NOT NULL REFERENCES teacher_run(id),
                sentence_id INTEGER NOT NULL REFERENCES sentence(id),
                drug TEXT NOT NULL,
                drug_mention_id INTEGER REFERENCES drug_mention(id),
                text TEXT NOT NULL,
                reason TEXT NOT NULL CHECK (reason IN ('ade-not-in-sentence', 'drug-not-in-sentence')),
                FOREIGN KEY (teacher_run_id, sentence_id) REFERENCES teacher_answer(teacher_run_id, sentence_id)
            );
            CREATE INDEX teacher_ungrounded_sentence ON teacher_ungrounded(sentence_id, teacher_run_id);

            CREATE TABLE teacher_run_stats (
                teacher_run_id INTEGER PRIMARY KEY REFERENCES teacher_run(id),
                requests INTEGER NOT NULL DEFAULT 0,
                cache_hits INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                hallucinations INTEGER NOT NULL DEFAULT 0,
                unknown_drugs INTEGER NOT NULL DEFAULT 0,
                prompt_tokens INTEGER NOT NULL DEFAULT 0,
                completion_tokens INTEGER NOT NULL DEFAULT 0,
                cost REAL NOT NULL DEFAULT 0
            );
            """)
    }
}
