import GRDB

extension Schema {
    /// Migration `v4-lexicon`: drug lexicons kept in the corpus, and document metadata.
    ///
    /// A lexicon import is a `lexicon_source` with its names; the corpus lexicon is the union
    /// of all sources, later sources winning for a name both define. `document.meta` holds
    /// what a PubMed record says about its article (title, publication types, MeSH headings)
    /// as JSON.
    static func v4Lexicon(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE lexicon_source (
                id INTEGER PRIMARY KEY,
                format TEXT NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                params TEXT NOT NULL DEFAULT '{}',
                concepts INTEGER NOT NULL CHECK (concepts >= 0),
                created_at DATETIME NOT NULL,
                UNIQUE (sha256, params)
            );

            CREATE TABLE lexicon_name (
                source_id INTEGER NOT NULL REFERENCES lexicon_source(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                name TEXT NOT NULL CHECK (length(name) > 0),
                concept TEXT NOT NULL CHECK (length(concept) > 0),
                PRIMARY KEY (source_id, position)
            ) WITHOUT ROWID;

            ALTER TABLE document ADD COLUMN meta TEXT;
            """)
    }
}
