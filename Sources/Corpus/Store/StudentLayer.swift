import Core
import Foundation
import GRDB

/// What a student model needs to tag a sentence: its text and drug mentions.
public struct PredictionInput: Hashable, Sendable {
    public struct Drug: Hashable, Sendable {
        public var mentionID: Int64
        public var span: Span
    }
    public var sentenceID: Int64
    public var text: String
    /// Drug mentions in text order.
    public var drugs: [Drug]
}

/// A student's answer for one drug mention: its ADE spans with confidences (none = "no ADE").
public struct StudentPrediction: Hashable, Sendable {
    public var sentenceID: Int64
    public var mentionID: Int64
    public var spans: [(span: Span, confidence: Double)]

    public init(sentenceID: Int64, mentionID: Int64, spans: [(span: Span, confidence: Double)]) {
        self.sentenceID = sentenceID
        self.mentionID = mentionID
        self.spans = spans
    }

    public static func == (a: StudentPrediction, b: StudentPrediction) -> Bool {
        a.sentenceID == b.sentenceID && a.mentionID == b.mentionID
            && a.spans.map(\.span) == b.spans.map(\.span) && a.spans.map(\.confidence) == b.spans.map(\.confidence)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sentenceID)
        hasher.combine(mentionID)
    }
}

extension CorpusStore {
    /// The selected sentences that have at least one drug mention, in document order.
    public func predictionInputs(selection: SentenceSelection = .all) throws -> [PredictionInput] {
        try pool.read { db in
            let (filter, arguments) = try selection.sqlFilter(column: "s.id", db)
            var drugs: [Int64: [PredictionInput.Drug]] = [:]
            let mentions = try Row.fetchCursor(db, sql: """
                SELECT m.id, m.sentence_id, m.start, m."end" FROM drug_mention m JOIN sentence s ON s.id = m.sentence_id
                WHERE 1 = 1\(filter) ORDER BY m.sentence_id, m.start, m."end"
                """, arguments: arguments)
            while let row = try mentions.next() {
                drugs[row[1], default: []].append(.init(mentionID: row[0], span: Span(row[2], row[3])))
            }
            var result: [PredictionInput] = []
            let sentences = try Row.fetchCursor(db, sql: """
                SELECT s.id, s.text FROM sentence s WHERE 1 = 1\(filter) ORDER BY s.document_id, s.position, s.id
                """, arguments: arguments)
            while let row = try sentences.next() {
                let id: Int64 = row[0]
                guard let mentions = drugs[id] else { continue }
                result.append(PredictionInput(sentenceID: id, text: row[1], drugs: mentions))
            }
            return result
        }
    }

    /// Registers a model version and writes its whole student layer in one transaction:
    /// every predicted item is answered (`layer_item`), each span stored with its confidence.
    /// Spans must lie inside their sentence; on any error nothing is written.
    public func writeStudentLayer(_ info: ModelVersionInfo, predictions: [StudentPrediction],
                                  author: String = "student") throws -> LayerInfo {
        try pool.write { db in
            let layer = try Self.createModelVersion(info, db)
            let now = Date()
            var texts: [Int64: ScalarText] = [:]
            let insertADE = try db.makeStatement(sql: """
                INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, "end", text, author, created_at, confidence)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            let insertItem = try db.makeStatement(sql: """
                INSERT INTO layer_item(layer_id, drug_mention_id) VALUES (?, ?) ON CONFLICT DO NOTHING
                """)
            for prediction in predictions {
                try insertItem.execute(arguments: [layer.id, prediction.mentionID])
                guard !prediction.spans.isEmpty else { continue }
                if texts[prediction.sentenceID] == nil {
                    guard let text = try String.fetchOne(db, sql: "SELECT text FROM sentence WHERE id = ?",
                                                         arguments: [prediction.sentenceID]) else {
                        throw CorpusError.unknownItem(sentenceID: prediction.sentenceID, drugMentionID: prediction.mentionID)
                    }
                    texts[prediction.sentenceID] = ScalarText(text)
                }
                let text = texts[prediction.sentenceID]!  // filled just above
                for (span, confidence) in prediction.spans {
                    guard let covered = text.text(at: span) else {
                        throw CorpusError.invalidSpan(sentenceID: prediction.sentenceID, span: span, reason: "outside the sentence")
                    }
                    try insertADE.execute(arguments: [layer.id, prediction.sentenceID, prediction.mentionID, span.start, span.end,
                                                      covered, author, now, min(1, max(0, confidence))])
                }
            }
            return layer
        }
    }

    /// The confidence of each of a layer's ADE spans (nil where none was recorded).
    public func adeConfidences(_ layer: LayerInfo) throws -> [(mentionID: Int64, span: Span, confidence: Double?)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT drug_mention_id, start, "end", confidence FROM ade WHERE layer_id = ? ORDER BY drug_mention_id, start
                """, arguments: [layer.id]).map { ($0[0], Span($0[1], $0[2]), $0[3]) }
        }
    }
}

extension Schema {
    /// Version 3: a per-span confidence on `ade` (student predictions; NULL elsewhere).
    static func v3Student(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE ade ADD COLUMN confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1))
            """)
    }
}
