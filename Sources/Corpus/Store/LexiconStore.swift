import Core
import Foundation
import GRDB

/// A lexicon import recorded in the corpus.
public struct LexiconSource: Hashable, Sendable {
    public var id: Int64
    public var format: String
    public var path: String
    public var names: Int
    public var concepts: Int
    public var createdAt: Date
}

/// What `vigil lexicon stats` reports.
public struct LexiconStats: Codable, Hashable, Sendable {
    /// Distinct concepts (normalised names) in the corpus lexicon.
    public var concepts: Int
    /// Distinct surface names (synonyms included), case-insensitively.
    public var names: Int
    /// Surface names per concept beyond the first: the synonyms.
    public var synonyms: Int
    public var sources: Int
}

/// The outcome of `importLexicon`.
public struct LexiconImportSummary: Hashable, Sendable {
    public var sourceID: Int64
    public var alreadyImported: Bool
    public var names: Int
    public var concepts: Int
}

extension CorpusStore {
    /// Stores a lexicon read from a file, in one transaction; the same content with the same
    /// options again changes nothing.
    public func importLexicon(_ contents: LexiconFileContents) throws -> LexiconImportSummary {
        let params = try JSONText.encode(contents.parameters)
        return try pool.write { db in
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM lexicon_source WHERE sha256 = ? AND params = ?",
                                                 arguments: [contents.sha256, params]) {
                let names = try Int.fetchOne(db, sql: "SELECT count(*) FROM lexicon_name WHERE source_id = ?",
                                             arguments: [existing]) ?? 0
                return LexiconImportSummary(sourceID: existing, alreadyImported: true, names: names,
                                            concepts: contents.concepts)
            }
            try db.execute(sql: """
                INSERT INTO lexicon_source(format, path, sha256, params, concepts, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [contents.format.rawValue, contents.path, contents.sha256, params, contents.concepts, Date()])
            let source = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: "INSERT INTO lexicon_name(source_id, position, name, concept) VALUES (?, ?, ?, ?)")
            for (position, entry) in contents.entries.enumerated() {
                try insert.execute(arguments: [source, position, entry.name, entry.concept])
            }
            return LexiconImportSummary(sourceID: source, alreadyImported: false, names: contents.entries.count,
                                        concepts: contents.concepts)
        }
    }

    /// The corpus lexicon: every stored name, later imports winning; nil when none was imported.
    public func lexicon() throws -> (lexicon: DrugLexicon, hash: String)? {
        try pool.read { db in
            let sources = try String.fetchAll(db, sql: "SELECT sha256 || ' ' || params FROM lexicon_source ORDER BY id")
            guard !sources.isEmpty else { return nil }
            var lexicon = DrugLexicon()
            let rows = try Row.fetchCursor(db, sql: "SELECT name, concept FROM lexicon_name ORDER BY source_id, position")
            while let row = try rows.next() {
                lexicon.add(row[0] as String, normalized: row[1] as String)
            }
            return (lexicon, FormatSupport.sha256(sources.joined(separator: "\n")))
        }
    }

    /// The lexicon imports, oldest first.
    public func lexiconSources() throws -> [LexiconSource] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.format, s.path, s.concepts, s.created_at,
                       (SELECT count(*) FROM lexicon_name n WHERE n.source_id = s.id) AS names
                FROM lexicon_source s ORDER BY s.id
                """).map {
                LexiconSource(id: $0["id"], format: $0["format"], path: $0["path"], names: $0["names"],
                              concepts: $0["concepts"], createdAt: $0["created_at"])
            }
        }
    }

    /// Counts over the corpus lexicon as matching sees it (names folded case-insensitively).
    public func lexiconStats() throws -> LexiconStats {
        let sources = try lexiconSources().count
        guard let (lexicon, _) = try lexicon() else { return LexiconStats(concepts: 0, names: 0, synonyms: 0, sources: 0) }
        return LexiconStats(concepts: lexicon.conceptCount, names: lexicon.count,
                            synonyms: lexicon.count - lexicon.conceptCount, sources: sources)
    }
}

extension CorpusStore {
    /// The PMIDs of the corpus's documents (so that a PubMed import never adds one twice).
    public func documentPMIDs() throws -> Set<String> {
        try pool.read { db in Set(try String.fetchAll(db, sql: "SELECT pmid FROM document WHERE pmid IS NOT NULL")) }
    }
}
