import Foundation
import GRDB

extension Schema {
    /// Migration `v5-pubmed`: the state of PubMed downloads, so a killed one resumes.
    static func v5PubMed(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE pubmed_import (
                id INTEGER PRIMARY KEY,
                query TEXT NOT NULL,
                max_records INTEGER,
                hits INTEGER NOT NULL CHECK (hits >= 0),
                web_env TEXT NOT NULL,
                query_key TEXT NOT NULL,
                next_start INTEGER NOT NULL DEFAULT 0 CHECK (next_start >= 0),
                created_at DATETIME NOT NULL,
                updated_at DATETIME NOT NULL,
                finished_at DATETIME
            );
            CREATE INDEX pubmed_import_query ON pubmed_import(query, finished_at);
            """)
    }
}

/// A PubMed download in progress or done: the query, its hits on NCBI's history server and
/// how far the batches have come.
public struct PubMedImportState: Hashable, Sendable {
    public var id: Int64
    public var query: String
    public var maxRecords: Int?
    public var hits: Int
    public var webEnv: String
    public var queryKey: String
    /// The index of the first record not imported yet.
    public var nextStart: Int
    public var finished: Bool

    /// How many records this download takes in all.
    public var target: Int { min(hits, maxRecords ?? hits) }
}

extension CorpusStore {
    /// The unfinished download of `query`, if one was interrupted.
    public func unfinishedPubMedImport(query: String) throws -> PubMedImportState? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT * FROM pubmed_import WHERE query = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1
                """, arguments: [query]).map(Self.pubMedImport(from:))
        }
    }

    /// Records a new download after its esearch.
    public func startPubMedImport(query: String, maxRecords: Int?, hits: Int, webEnv: String,
                                  queryKey: String) throws -> PubMedImportState {
        try pool.write { db in
            let now = Date()
            try db.execute(sql: """
                INSERT INTO pubmed_import(query, max_records, hits, web_env, query_key, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [query, maxRecords, hits, webEnv, queryKey, now, now])
            return PubMedImportState(id: db.lastInsertedRowID, query: query, maxRecords: maxRecords, hits: hits,
                                     webEnv: webEnv, queryKey: queryKey, nextStart: 0, finished: false)
        }
    }

    /// Replaces an expired history-server handle (after a new esearch for the same query).
    public func renewPubMedImport(_ id: Int64, hits: Int, webEnv: String, queryKey: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE pubmed_import SET hits = ?, web_env = ?, query_key = ?, updated_at = ? WHERE id = ?",
                           arguments: [hits, webEnv, queryKey, Date(), id])
        }
    }

    /// Imports one batch and moves the download past it, in one transaction: a kill leaves
    /// either both or neither.
    public func commitPubMedBatch(_ id: Int64, _ batch: ImportBatch, nextStart: Int, finished: Bool,
                                  author: String = "import:pubmed") throws -> ImportSummary {
        try pool.write { db in
            let summary = try Self.ingest(batch, into: .gold, author: author, db)
            let now = Date()
            try db.execute(sql: "UPDATE pubmed_import SET next_start = ?, updated_at = ?, finished_at = ? WHERE id = ?",
                           arguments: [nextStart, now, finished ? now : nil, id])
            return summary
        }
    }

    /// Marks a download done (when nothing was left to fetch).
    public func finishPubMedImport(_ id: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE pubmed_import SET finished_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [Date(), Date(), id])
        }
    }

    static func pubMedImport(from row: Row) -> PubMedImportState {
        PubMedImportState(id: row["id"], query: row["query"], maxRecords: row["max_records"], hits: row["hits"],
                          webEnv: row["web_env"], queryKey: row["query_key"], nextStart: row["next_start"],
                          finished: (row["finished_at"] as Date?) != nil)
    }
}
