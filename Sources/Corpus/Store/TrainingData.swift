import Core
import Foundation
import GRDB

/// Where the student's training labels come from.
public enum TrainingSource: Hashable, Sendable, CustomStringConvertible {
    /// The gold layer's answered items (the supervised baseline).
    case gold
    /// Curator decisions: accepted items with their spans, and "no ADE" items as negatives.
    case curated
    /// A teacher run's answers (distillation); nil = the latest run.
    case teacher(LayerRef)
    /// Curated decisions where there are any, the teacher's answer for the other items.
    case curatedWithTeacher(LayerRef)

    /// Parses `gold`, `curated`, `teacher[:RUN]` or `curated+teacher[:RUN]`.
    public init(parsing text: String) throws {
        switch text {
        case "gold": self = .gold
        case "curated": self = .curated
        default:
            let teacherPart = text.hasPrefix("curated+") ? String(text.dropFirst("curated+".count)) : text
            guard let ref = try? LayerRef(parsing: teacherPart), ref.kind == .teacher else {
                throw TrainingSourceError(text: text)
            }
            self = text.hasPrefix("curated+") ? .curatedWithTeacher(ref) : .teacher(ref)
        }
    }

    public var description: String {
        switch self {
        case .gold: "gold"
        case .curated: "curated"
        case .teacher(let ref): ref.description
        case .curatedWithTeacher(let ref): "curated+\(ref)"
        }
    }
}

/// A training source that is none of the known forms.
public struct TrainingSourceError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "unknown training source \"\(text)\": use gold, curated, teacher[:RUN] or curated+teacher[:RUN]"
    }
}

/// One sentence prepared for training: its text and, per drug mention with an answer, the
/// ADE spans of that drug (empty = a negative: "no ADE for this drug").
public struct TrainingSentence: Hashable, Sendable {
    public struct Item: Hashable, Sendable {
        public var mentionID: Int64
        public var drug: Span
        public var ades: [Span]
        /// The layer the label came from (curated or teacher for mixed sources).
        public var origin: LayerKind
    }

    public var sentenceID: Int64
    public var text: String
    /// Sorted by drug span.
    public var items: [Item]
}

extension CorpusStore {
    /// The labelled (sentence, drug) instances of `source` within `selection`, grouped by
    /// sentence (the student encodes each sentence once for all its drugs), in sentence id
    /// order. Items the source never answered are left out, as are sentences with none.
    public func trainingSentences(source: TrainingSource, selection: SentenceSelection = .all) throws -> [TrainingSentence] {
        try pool.read { db in try Self.trainingSentences(source: source, selection: selection, db) }
    }

    static func trainingSentences(source: TrainingSource, selection: SentenceSelection, _ db: Database) throws -> [TrainingSentence] {
        // Labels by mention: (spans, origin), from the primary layer then the fallback.
        var labels: [Int64: (spans: [Span], origin: LayerKind)] = [:]
        func load(_ layer: LayerInfo, onlyMissing: Bool) throws {
            let (coverage, arguments) = Self.coverage(of: layer)
            let covered = try Int64.fetchAll(db, sql: coverage, arguments: arguments)
            for mention in covered where !onlyMissing || labels[mention] == nil {
                labels[mention] = ([], layer.kind)
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT drug_mention_id, start, "end" FROM ade WHERE layer_id = ? ORDER BY drug_mention_id, start, "end"
                """, arguments: [layer.id])
            while let row = try rows.next() {
                let mention: Int64 = row[0]
                guard labels[mention]?.origin == layer.kind else { continue }
                labels[mention]?.spans.append(Span(row[1], row[2]))
            }
        }
        switch source {
        case .gold: try load(try Self.layer(.gold, db), onlyMissing: false)
        case .curated: try load(try Self.layer(.curated, db), onlyMissing: false)
        case .teacher(let ref): try load(try Self.layer(ref, db), onlyMissing: false)
        case .curatedWithTeacher(let ref):
            try load(try Self.layer(.curated, db), onlyMissing: false)
            try load(try Self.layer(ref, db), onlyMissing: true)
        }
        guard !labels.isEmpty else { return [] }

        let (filter, filterArguments) = try selection.sqlFilter(column: "s.id", db)
        let rows = try Row.fetchCursor(db, sql: """
            SELECT s.id, s.text, m.id, m.start, m."end" FROM sentence s JOIN drug_mention m ON m.sentence_id = s.id
            WHERE 1 = 1\(filter) ORDER BY s.id, m.start, m."end"
            """, arguments: filterArguments)
        var result: [TrainingSentence] = []
        while let row = try rows.next() {
            let mention: Int64 = row[2]
            guard let label = labels[mention] else { continue }
            let sentenceID: Int64 = row[0]
            let item = TrainingSentence.Item(mentionID: mention, drug: Span(row[3], row[4]), ades: label.spans,
                                             origin: label.origin)
            if result.last?.sentenceID == sentenceID {
                result[result.count - 1].items.append(item)
            } else {
                result.append(TrainingSentence(sentenceID: sentenceID, text: row[1], items: [item]))
            }
        }
        return result
    }
}
