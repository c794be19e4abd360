import GRDB

extension Schema {
    /// Version 9: `drug_mention.concept`, the identifier a source gives a drug mention (a MeSH
    /// ID such as `D003000` from PubTator or BioC, or a composite `D001|D002`), or NULL when it
    /// gives none (`-1` in PubTator). `normalized` stays the mention's normalized *name*,
    /// which the lexicon, the teacher and drug-level counts use; the concept is what
    /// document-level relations (BioCreative's CID pairs) are stated between.
    static func v9Concepts(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE drug_mention ADD COLUMN concept TEXT CHECK (concept IS NULL OR length(concept) > 0);
            """)
    }
}
