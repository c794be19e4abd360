import Core
import GRDB

/// A sentence with its drug mentions and one layer's ADEs: what exporters and the
/// workbench read.
public struct SentenceView: Hashable, Sendable {
    public struct Drug: Hashable, Sendable {
        public var mentionID: Int64
        public var span: Span
        public var text: String
        public var normalized: String
        /// This layer's ADE spans for the drug, sorted; empty means "no ADE".
        public var ades: [Span]
        public var review: ReviewState
        /// The source's identifier for the mention (a MeSH ID), when it gave one.
        public var concept: String? = nil
    }
    public var id: Int64
    public var documentKey: String
    public var pmid: String?
    public var docOffset: Int?
    public var text: String
    /// Drug mentions in text order.
    public var drugs: [Drug]
}

extension CorpusStore {
    /// Every selected sentence (in document, then position order) with `layer`'s ADEs.
    /// `onlyWithADE` keeps the sentences where the layer has at least one ADE.
    public func sentenceViews(layer: LayerInfo, selection: SentenceSelection = .all,
                              onlyWithADE: Bool = false) throws -> [SentenceView] {
        try pool.read { db in
            let (filter, arguments) = try selection.sqlFilter(column: "s.id", db)
            var adesByMention: [Int64: [Span]] = [:]
            let adeCursor = try Row.fetchCursor(db, sql: """
                SELECT a.drug_mention_id, a.start, a."end" FROM ade a JOIN sentence s ON s.id = a.sentence_id
                WHERE a.layer_id = ?\(filter)
                """, arguments: [layer.id] + arguments)
            while let row = try adeCursor.next() {
                adesByMention[row[0], default: []].append(Span(row[1], row[2]))
            }
            var review: [Int64: ReviewState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT drug_mention_id, state FROM review_item") {
                review[row[0]] = ReviewState(rawValue: row[1])
            }
            var drugsBySentence: [Int64: [SentenceView.Drug]] = [:]
            let mentionCursor = try Row.fetchCursor(db, sql: """
                SELECT m.id, m.sentence_id, m.start, m."end", m.text, m.normalized, m.concept
                FROM drug_mention m JOIN sentence s ON s.id = m.sentence_id WHERE 1 = 1\(filter)
                ORDER BY m.sentence_id, m.start, m."end"
                """, arguments: arguments)
            while let row = try mentionCursor.next() {
                let id: Int64 = row[0]
                drugsBySentence[row[1], default: []].append(SentenceView.Drug(
                    mentionID: id, span: Span(row[2], row[3]), text: row[4], normalized: row[5],
                    ades: (adesByMention[id] ?? []).sorted(), review: review[id] ?? .pending, concept: row[6]))
            }
            var result: [SentenceView] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT s.id, d.key, d.pmid, s.doc_offset, s.text FROM sentence s JOIN document d ON d.id = s.document_id
                WHERE 1 = 1\(filter) ORDER BY d.id, s.position, s.id
                """, arguments: arguments)
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                let drugs = drugsBySentence[id] ?? []
                if onlyWithADE && !drugs.contains(where: { !$0.ades.isEmpty }) { continue }
                result.append(SentenceView(id: id, documentKey: row[1], pmid: row[2], docOffset: row[3],
                                           text: row[4], drugs: drugs))
            }
            return result
        }
    }
}

extension CorpusStore {
    /// The texts of some sentences, by id.
    public func sentenceTexts(_ ids: Set<Int64>) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        return try pool.read { db in
            var result: [Int64: String] = [:]
            for chunk in Array(ids).chunked(500) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT id, text FROM sentence WHERE id IN (\(marks))",
                                            arguments: StatementArguments(chunk)) {
                    result[row[0]] = row[1]
                }
            }
            return result
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

extension CorpusStore {
    /// The `document.meta` JSON of the documents with these keys, for those that have one.
    public func documentMeta(keys: Set<String>) throws -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        return try pool.read { db in
            var result: [String: String] = [:]
            for chunk in Array(keys).chunked(500) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT key, meta FROM document WHERE meta IS NOT NULL AND key IN (\(marks))",
                                            arguments: StatementArguments(chunk)) {
                    result[row[0]] = row[1]
                }
            }
            return result
        }
    }
}
