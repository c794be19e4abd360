import Core
import GRDB

/// Counts that describe a corpus (`vigil stats`).
public struct CorpusStats: Encodable, Sendable {
    public var documents: Int
    public var sentences: Int
    /// Sentences with at least one gold ADE.
    public var sentencesWithADE: Int
    public var drugMentions: Int
    /// ADE annotations per layer (`gold`, `curated`, `teacher:1`, `student:2`…).
    public var ade: [String: Int]
    /// (sentence, drug) items per review state; never-reviewed items count as pending.
    public var review: [String: Int]
    /// Sentences per part, per split.
    public var splits: [String: [String: Int]]
    /// Jobs per state.
    public var jobs: [String: Int]
    /// Items per resolution (`single`, `agreed`, `adjudicated`, `disputed`): where the
    /// answer the curated layer holds comes from. Disputed items are left out of it.
    public var resolution: [String: Int]
    /// Curators who have decided, and items assigned to them.
    public var curators: Int
    public var assigned: Int

    enum CodingKeys: String, CodingKey {
        case documents, sentences, sentencesWithADE = "sentences_with_ade", drugMentions = "drug_mentions"
        case ade, review, splits, jobs, resolution, curators, assigned
    }
}

extension CorpusStore {
    public func stats() throws -> CorpusStats {
        try pool.read { db in
            let count = { (sql: String) in try Int.fetchOne(db, sql: sql) ?? 0 }
            var ade: [String: Int] = [:]
            let perLayer = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT layer_id, count(*) FROM ade GROUP BY layer_id
                """).map { ($0[0] as Int64, $0[1] as Int) })
            for layer in try Self.layers(db) { ade[layer.description] = perLayer[layer.id] ?? 0 }

            var review = Dictionary(uniqueKeysWithValues: ReviewState.allCases.map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM review_item GROUP BY state") {
                review[row[0], default: 0] += row[1] as Int
            }
            let mentions = try count("SELECT count(*) FROM drug_mention")
            let reviewed = try count("SELECT count(*) FROM review_item WHERE state <> 'pending'")
            review[ReviewState.pending.rawValue] = mentions - reviewed

            var splits: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT s.name, m.part, count(*) FROM split s JOIN split_member m ON m.split_id = s.id GROUP BY s.id, m.part
                """) {
                splits[row[0], default: [:]][row[1]] = row[2]
            }
            var resolution = Dictionary(uniqueKeysWithValues: ResolutionKind.allCases.filter { $0 != .none }
                .map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(db, sql: """
                SELECT resolution, count(*) FROM review_item WHERE resolution <> 'none' GROUP BY resolution
                """) {
                resolution[row[0], default: 0] += row[1] as Int
            }
            var jobs: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM job GROUP BY state") {
                jobs[row[0]] = row[1]
            }
            return CorpusStats(
                documents: try count("SELECT count(*) FROM document"),
                sentences: try count("SELECT count(*) FROM sentence"),
                sentencesWithADE: try count("""
                    SELECT count(DISTINCT sentence_id) FROM ade WHERE layer_id = (SELECT id FROM layer WHERE kind = 'gold')
                    """),
                drugMentions: mentions, ade: ade, review: review, splits: splits, jobs: jobs,
                resolution: resolution,
                curators: try count("SELECT count(*) FROM curator WHERE name NOT LIKE 'import:%'"),
                assigned: try count("SELECT count(DISTINCT drug_mention_id) FROM assignment"))
        }
    }
}
