import Core
import Foundation
import GRDB

/// A named assignment of sentences to parts.
public struct SplitInfo: Hashable, Sendable {
    public var name: String
    public var method: String
    public var seed: Int64?
    /// Sentences per part.
    public var parts: [String: Int]
}

extension CorpusStore {
    /// Stores a split; an existing split of that name is an error unless `replace`.
    public func saveSplit(name: String, method: String, seed: UInt64?, params: [String: String] = [:],
                          assignment: [Int64: String], replace: Bool = false) throws {
        guard !name.isEmpty, !name.contains(":") else {
            throw CorpusError.invalidSplit("split name '\(name)' must be non-empty and contain no ':'")
        }
        try pool.write { db in
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM split WHERE name = ?", arguments: [name]) {
                guard replace else { throw CorpusError.splitExists(name) }
                try db.execute(sql: "DELETE FROM split WHERE id = ?", arguments: [existing])
            }
            try db.execute(sql: "INSERT INTO split(name, method, seed, params, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, method, seed.map { Int64(bitPattern: $0) }, try JSONText.encode(params), Date()])
            let splitID = db.lastInsertedRowID
            let insert = try db.cachedStatement(sql: "INSERT INTO split_member(split_id, sentence_id, part) VALUES (?, ?, ?)")
            for (sentence, part) in assignment.sorted(by: { $0.key < $1.key }) {
                try insert.execute(arguments: [splitID, sentence, part])
            }
        }
    }

    /// The ids of the sentences a selection covers, ascending.
    public func sentenceIDs(_ selection: SentenceSelection = .all) throws -> [Int64] {
        try pool.read { db in
            let (filter, arguments) = try selection.sqlFilter(column: "id", db)
            return try Int64.fetchAll(db, sql: "SELECT id FROM sentence WHERE 1 = 1\(filter) ORDER BY id",
                                      arguments: arguments)
        }
    }

    /// The ids of the sentences of `selection` that mention at least `minDrugs` distinct drugs
    /// (by normalized name), ascending: the multi-drug subset with `minDrugs` 2.
    public func sentenceIDs(_ selection: SentenceSelection, minDrugs: Int) throws -> [Int64] {
        try pool.read { db in
            let (filter, arguments) = try selection.sqlFilter(column: "s.id", db)
            return try Int64.fetchAll(db, sql: """
                SELECT s.id FROM sentence s JOIN drug_mention m ON m.sentence_id = s.id
                WHERE 1 = 1\(filter)
                GROUP BY s.id HAVING count(DISTINCT m.normalized) >= ?
                ORDER BY s.id
                """, arguments: arguments + [minDrugs])
        }
    }

    /// Every split with its part sizes.
    public func splits() throws -> [SplitInfo] {
        try pool.read { db in
            var result: [SplitInfo] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, name, method, seed FROM split ORDER BY name") {
                var parts: [String: Int] = [:]
                for p in try Row.fetchAll(db, sql: """
                    SELECT part, count(*) FROM split_member WHERE split_id = ? GROUP BY part
                    """, arguments: [row["id"] as Int64]) {
                    parts[p[0]] = p[1]
                }
                result.append(SplitInfo(name: row["name"], method: row["method"], seed: row["seed"], parts: parts))
            }
            return result
        }
    }

    /// Sentence ids keyed by their text with all whitespace removed (for matching
    /// tokenized corpora such as the SpERT splits back to sentences), ascending ids.
    public func sentenceIDsByCompactText() throws -> [String: [Int64]] {
        try pool.read { db in
            var result: [String: [Int64]] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT id, text FROM sentence ORDER BY id")
            while let row = try cursor.next() {
                let text: String = row[1]
                result[String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)),
                       default: []].append(row[0])
            }
            return result
        }
    }
}
