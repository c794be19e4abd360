import Core
import Foundation
import GRDB

/// Strict and lenient scores of one layer against a reference on some sentences.
public struct LayerScores: Codable, Hashable, Sendable {
    public var strict: Score
    public var lenient: Score
    public init(strict: Score, lenient: Score) {
        self.strict = strict
        self.lenient = lenient
    }
}

/// A registered student model version, as `vigil models` lists it.
public struct ModelVersion: Hashable, Sendable {
    public var id: Int64
    public var createdAt: Date
    public var path: String?
    public var encoder: String?
    public var head: String?
    public var source: String?
    public var params: [String: String]
    /// Scores by the sentences they were measured on (`holdout:test`, `spert:fold3`…).
    public var metrics: [String: LayerScores]
    public var note: String?

    /// What made a version: training (a model folder of its own), a prediction run of an
    /// existing folder (`vigil predict`, `:predict`), or imported predictions.
    public enum Origin: String, Sendable { case trained, prediction, imported }

    /// Training records its label source (`gold`, `curated`…); `predict` and imports their own.
    public var origin: Origin {
        switch source {
        case "predict": .prediction
        case "import": .imported
        default: .trained
        }
    }
}

extension CorpusStore {
    /// Every model version, oldest first.
    public func modelVersions() throws -> [ModelVersion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM model_version ORDER BY id").map(Self.modelVersion(from:))
        }
    }

    /// The newest version that training made and whose folder is recorded: the model a
    /// prediction uses when none is named.
    public func latestTrainedModel() throws -> ModelVersion? {
        try modelVersions().last { $0.origin == .trained && $0.path != nil }
    }

    /// One model version; an error naming it when it does not exist.
    public func modelVersion(_ id: Int64) throws -> ModelVersion {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM model_version WHERE id = ?", arguments: [id]) else {
                throw CorpusError.unknownLayer("student:\(id)")
            }
            return try Self.modelVersion(from: row)
        }
    }

    /// Records a version's scores on `sentences` (replacing earlier scores on the same ones).
    public func recordModelMetrics(_ id: Int64, on sentences: String, _ scores: LayerScores) throws {
        try pool.write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT metrics FROM model_version WHERE id = ?", arguments: [id]) else {
                throw CorpusError.unknownLayer("student:\(id)")
            }
            var metrics = (try? JSONDecoder().decode([String: LayerScores].self, from: Data(text.utf8))) ?? [:]
            metrics[sentences] = scores
            try db.execute(sql: "UPDATE model_version SET metrics = ? WHERE id = ?",
                           arguments: [try JSONText.encode(metrics), id])
        }
    }

    static func modelVersion(from row: Row) throws -> ModelVersion {
        let decoder = JSONDecoder()
        let params = (try? decoder.decode([String: String].self, from: Data((row["params"] as String? ?? "{}").utf8))) ?? [:]
        let metrics = (try? decoder.decode([String: LayerScores].self, from: Data((row["metrics"] as String? ?? "{}").utf8))) ?? [:]
        return ModelVersion(id: row["id"], createdAt: row["created_at"], path: row["path"], encoder: row["encoder"],
                            head: row["head"], source: row["source"], params: params, metrics: metrics, note: row["note"])
    }
}
