import Core
import Foundation
import GRDB

/// A concrete layer of the corpus: what a `LayerRef` resolves to.
public struct LayerInfo: Hashable, Sendable, CustomStringConvertible {
    public var id: Int64
    public var kind: LayerKind
    /// The teacher run or model version id, for versioned kinds.
    public var version: Int64?

    /// The address that names exactly this layer (`teacher:3`, not `teacher`).
    public var ref: LayerRef { LayerRef(kind, version: version) }
    public var description: String { ref.description }
}

extension CorpusStore {
    /// Resolves a layer address; `teacher` and `student` mean the latest run or version.
    public func layer(_ ref: LayerRef) throws -> LayerInfo {
        try pool.read { db in try Self.layer(ref, db) }
    }

    static func layer(_ ref: LayerRef, _ db: Database) throws -> LayerInfo {
        let versionColumn: String
        switch ref.kind {
        case .gold, .curated:
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM layer WHERE kind = ?", arguments: [ref.kind.rawValue])
            else { throw CorpusError.unknownLayer(ref.description) }
            return LayerInfo(id: id, kind: ref.kind, version: nil)
        case .teacher: versionColumn = "teacher_run_id"
        case .student: versionColumn = "model_version_id"
        }
        let row: Row?
        if let version = ref.version {
            row = try Row.fetchOne(db, sql: "SELECT id, \(versionColumn) AS v FROM layer WHERE \(versionColumn) = ?",
                                   arguments: [version])
        } else {
            row = try Row.fetchOne(db, sql: """
                SELECT id, \(versionColumn) AS v FROM layer WHERE kind = ? ORDER BY \(versionColumn) DESC LIMIT 1
                """, arguments: [ref.kind.rawValue])
        }
        guard let row else { throw CorpusError.unknownLayer(ref.description) }
        return LayerInfo(id: row["id"], kind: ref.kind, version: row["v"])
    }

    /// Every layer of the corpus, gold and curated first, then runs and versions in order.
    public func layers() throws -> [LayerInfo] {
        try pool.read { db in try Self.layers(db) }
    }

    static func layers(_ db: Database) throws -> [LayerInfo] {
        try Row.fetchAll(db, sql: """
            SELECT id, kind, coalesce(teacher_run_id, model_version_id) AS v FROM layer
            ORDER BY CASE kind WHEN 'gold' THEN 0 WHEN 'curated' THEN 1 WHEN 'teacher' THEN 2 ELSE 3 END, v
            """).map { row in
            LayerInfo(id: row["id"], kind: LayerKind(rawValue: row["kind"])!, version: row["v"])
        }
    }

    /// Provenance of a teacher run. Issue-specific fields live in `params` (JSON).
    public struct TeacherRunInfo: Sendable {
        public var model: String
        public var endpoint: String?
        public var templateHash: String?
        public var shots: Int?
        public var seed: Int?
        public var params: [String: String]
        public var note: String?
        public init(model: String, endpoint: String? = nil, templateHash: String? = nil, shots: Int? = nil,
                    seed: Int? = nil, params: [String: String] = [:], note: String? = nil) {
            self.model = model
            self.endpoint = endpoint
            self.templateHash = templateHash
            self.shots = shots
            self.seed = seed
            self.params = params
            self.note = note
        }
    }

    /// Creates a teacher run and its layer (credentials in its endpoint and parameters redacted).
    public func createTeacherRun(_ info: TeacherRunInfo) throws -> LayerInfo {
        try pool.write { db in try Self.createTeacherRun(info, db) }
    }

    static func createTeacherRun(_ info: TeacherRunInfo, _ db: Database) throws -> LayerInfo {
        let now = Date()
        try db.execute(sql: """
            INSERT INTO teacher_run(created_at, model, endpoint, template_hash, shots, seed, params, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [now, info.model, info.endpoint.map(Redaction.redact), info.templateHash, info.shots, info.seed,
                             try JSONText.encode(info.params.mapValues(Redaction.redact)), info.note])
        let run = db.lastInsertedRowID
        try db.execute(sql: "INSERT INTO layer(kind, teacher_run_id, created_at) VALUES ('teacher', ?, ?)",
                       arguments: [run, now])
        return LayerInfo(id: db.lastInsertedRowID, kind: .teacher, version: run)
    }

    /// Provenance of a student model version.
    public struct ModelVersionInfo: Sendable {
        public var path: String?
        public var encoder: String?
        public var head: String?
        public var source: String?
        public var params: [String: String]
        public var note: String?
        public init(path: String? = nil, encoder: String? = nil, head: String? = nil, source: String? = nil,
                    params: [String: String] = [:], note: String? = nil) {
            self.path = path
            self.encoder = encoder
            self.head = head
            self.source = source
            self.params = params
            self.note = note
        }
    }

    /// Registers a model version and its (empty) student layer.
    public func createModelVersion(_ info: ModelVersionInfo) throws -> LayerInfo {
        try pool.write { db in try Self.createModelVersion(info, db) }
    }

    static func createModelVersion(_ info: ModelVersionInfo, _ db: Database) throws -> LayerInfo {
        let now = Date()
        try db.execute(sql: """
            INSERT INTO model_version(created_at, path, encoder, head, source, params, note)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [now, info.path, info.encoder, info.head, info.source,
                             try JSONText.encode(info.params), info.note])
        let version = db.lastInsertedRowID
        try db.execute(sql: "INSERT INTO layer(kind, model_version_id, created_at) VALUES ('student', ?, ?)",
                       arguments: [version, now])
        return LayerInfo(id: db.lastInsertedRowID, kind: .student, version: version)
    }

    /// The (drug, ADE) pairs of a layer, optionally restricted to some sentences and to
    /// the items another layer has answered (`within`: the reference of an evaluation, so
    /// that predictions on items the reference never judged are not counted as errors).
    public func pairs(in layer: LayerInfo, sentences: SentenceSelection = .all,
                      within reference: LayerInfo? = nil) throws -> [ADEPair] {
        try pool.read { db in try Self.pairs(in: layer, sentences: sentences, within: reference, db) }
    }

    /// The number of items (drug mentions) a layer has answered, ADE or not.
    public func answeredItemCount(_ layer: LayerInfo) throws -> Int {
        try pool.read { db in
            let (sql, arguments) = Self.coverage(of: layer)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(sql))", arguments: arguments) ?? 0
        }
    }

    /// A query for the drug mention ids a layer has answered.
    static func coverage(of layer: LayerInfo) -> (String, StatementArguments) {
        if layer.kind == .curated {
            return ("SELECT drug_mention_id FROM review_item WHERE state IN ('accepted', 'no-ade')", [])
        }
        return ("SELECT drug_mention_id FROM layer_item WHERE layer_id = ?", [layer.id])
    }

    static func pairs(in layer: LayerInfo, sentences: SentenceSelection, within reference: LayerInfo?,
                      _ db: Database) throws -> [ADEPair] {
        var sql = """
            SELECT a.sentence_id, a.drug_mention_id, m.normalized, a.start, a."end"
            FROM ade a JOIN drug_mention m ON m.id = a.drug_mention_id
            WHERE a.layer_id = ?
            """
        var arguments: StatementArguments = [layer.id]
        if let reference {
            let (coverage, coverageArguments) = coverage(of: reference)
            sql += " AND a.drug_mention_id IN (\(coverage))"
            arguments += coverageArguments
        }
        let (filter, filterArguments) = try sentences.sqlFilter(column: "a.sentence_id", db)
        sql += filter
        arguments += filterArguments
        var result: [ADEPair] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            result.append(ADEPair(sentenceID: row[0], drug: DrugKey(mentionID: row[1], name: row[2]),
                                  span: Span(row[3], row[4])))
        }
        return result
    }
}

/// Small JSON helpers for the TEXT columns that hold JSON.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
