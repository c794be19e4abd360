import Core
import Foundation
import GRDB

/// One (sentence, drug mention) item of the review queue with its current state.
public struct QueueEntry: Hashable, Sendable {
    public var item: ItemKey
    public var state: ReviewState
    /// The drug mention's text, for the queue list.
    public var drug: String
    public init(item: ItemKey, state: ReviewState, drug: String = "") {
        self.item = item
        self.state = state
        self.drug = drug
    }
}

/// One sentence as the workbench shows it: its drugs with their review status, and the
/// ADE spans of every layer kind (latest teacher run, latest student version).
public struct SentenceDetail: Hashable, Sendable {
    public struct Drug: Hashable, Sendable {
        public var mentionID: Int64
        public var span: Span
        public var text: String
        public var normalized: String
        public var origin: String
        public var review: ReviewStatus
        public init(mentionID: Int64, span: Span, text: String, normalized: String, origin: String,
                    review: ReviewStatus) {
            self.mentionID = mentionID
            self.span = span
            self.text = text
            self.normalized = normalized
            self.origin = origin
            self.review = review
        }
    }
    public var id: Int64
    public var documentKey: String
    public var text: String
    /// Drug mentions in text order.
    public var drugs: [Drug]
    /// ADE spans per layer kind, per drug mention (sorted).
    public var spans: [LayerKind: [Int64: [Span]]]
    /// The drug mentions each layer kind has answered (ADE or "no ADE").
    public var answered: [LayerKind: Set<Int64>]
    /// The teacher run whose spans `spans[.teacher]` holds, if any.
    public var teacherRun: Int64?

    public init(id: Int64, documentKey: String, text: String, drugs: [Drug], spans: [LayerKind: [Int64: [Span]]],
                answered: [LayerKind: Set<Int64>], teacherRun: Int64?) {
        self.id = id
        self.documentKey = documentKey
        self.text = text
        self.drugs = drugs
        self.spans = spans
        self.answered = answered
        self.teacherRun = teacherRun
    }
}

extension CorpusStore {
    /// Every item in reading order (document, sentence position, mention start) with its
    /// review state: one query, fast enough for the workbench to load 100k sentences.
    ///
    /// With a `curator`, the queue is theirs: once work is assigned, only their items with
    /// their own answers (blind: a colleague's answer never shows); before that, every item,
    /// with their own answer where they gave one and the resolved one elsewhere.
    /// `afterMention` keeps the drug mentions added after that id only (a workbench's poll).
    public func queueEntries(curator: String? = nil, afterMention: Int64? = nil) throws -> [QueueEntry] {
        try pool.read { db in
            var result: [QueueEntry] = []
            let newer = afterMention.map { " AND m.id > \($0)" } ?? ""
            let order = "\(newer) ORDER BY s.document_id, s.position, s.id, m.start, m.\"end\""
            let statement: Statement
            if let curator, try Self.hasAssignments(db) {
                statement = try db.makeStatement(sql: """
                    SELECT m.sentence_id, m.id, a.state, m.text FROM assignment x
                    JOIN drug_mention m ON m.id = x.drug_mention_id JOIN sentence s ON s.id = m.sentence_id
                    LEFT JOIN review_answer a ON a.drug_mention_id = m.id AND a.curator = x.curator AND a.scope = 'answer'
                    WHERE x.curator = ? \(order)
                    """)
                statement.arguments = [curator]
            } else if let curator {
                statement = try db.makeStatement(sql: """
                    SELECT m.sentence_id, m.id, coalesce(a.state, r.state), m.text FROM drug_mention m
                    JOIN sentence s ON s.id = m.sentence_id
                    LEFT JOIN review_item r ON r.drug_mention_id = m.id
                    LEFT JOIN review_answer a ON a.drug_mention_id = m.id AND a.curator = ? AND a.scope = 'answer'
                    WHERE 1 = 1 \(order)
                    """)
                statement.arguments = [curator]
            } else {
                statement = try db.makeStatement(sql: """
                    SELECT m.sentence_id, m.id, r.state, m.text FROM drug_mention m
                    JOIN sentence s ON s.id = m.sentence_id
                    LEFT JOIN review_item r ON r.drug_mention_id = m.id
                    WHERE 1 = 1 \(order)
                    """)
            }
            let cursor = try Row.fetchCursor(statement)
            while let row = try cursor.next() {
                let state: String? = row[2]
                result.append(QueueEntry(item: ItemKey(sentenceID: row[0], drugMentionID: row[1]),
                                         state: state.flatMap(ReviewState.init(rawValue:)) ?? .pending, drug: row[3]))
            }
            return result
        }
    }

    /// The newest drug mention's id (0 when none): a workbench notices mentions added elsewhere.
    public func lastDrugMentionID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM drug_mention") ?? 0 }
    }

    /// One sentence with its drugs, review statuses and the spans of gold, curated, the
    /// latest teacher run and the latest student version; nil when there is no such sentence.
    ///
    /// With a `curator`, review statuses and the curated spans are what that curator sees
    /// (as `queueEntries(curator:)` says): their own answers once work is assigned.
    public func sentenceDetail(_ id: Int64, curator: String? = nil) throws -> SentenceDetail? {
        try pool.read { db in
            let blind = try curator != nil && Self.hasAssignments(db)
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.text, d.key FROM sentence s JOIN document d ON d.id = s.document_id WHERE s.id = ?
                """, arguments: [id]) else { return nil }
            var drugs: [SentenceDetail.Drug] = []
            for m in try Row.fetchAll(db, sql: """
                SELECT id, start, "end", text, normalized, origin FROM drug_mention WHERE sentence_id = ?
                ORDER BY start, "end"
                """, arguments: [id]) {
                let mention: Int64 = m[0]
                let item = ItemKey(sentenceID: id, drugMentionID: mention)
                let status = try Self.shownStatus(item, curator: curator, blind: blind, db)
                drugs.append(.init(mentionID: mention, span: Span(m[1], m[2]), text: m[3], normalized: m[4],
                                   origin: m[5], review: status))
            }
            var spans: [LayerKind: [Int64: [Span]]] = [:]
            var answered: [LayerKind: Set<Int64>] = [:]
            var teacherRun: Int64?
            for kind in LayerKind.allCases {
                guard let layer = try? Self.layer(LayerRef(kind), db) else { continue }
                if kind == .teacher { teacherRun = layer.version }
                var byDrug: [Int64: [Span]] = [:]
                for a in try Row.fetchAll(db, sql: """
                    SELECT drug_mention_id, start, "end" FROM ade WHERE layer_id = ? AND sentence_id = ?
                    """, arguments: [layer.id, id]) {
                    byDrug[a[0], default: []].append(Span(a[1], a[2]))
                }
                spans[kind] = byDrug.mapValues { $0.sorted() }
                if kind == .curated, curator != nil {
                    // What this curator sees as curated: their own answers where they gave one.
                    spans[kind] = Dictionary(uniqueKeysWithValues: drugs.filter { $0.review.state == .accepted }
                        .map { ($0.mentionID, $0.review.spans) })
                    answered[kind] = Set(drugs.filter { $0.review.state.isDecided }.map(\.mentionID))
                } else if kind == .curated {
                    answered[kind] = Set(drugs.filter { $0.review.state.isDecided }.map(\.mentionID))
                } else {
                    // One primary-key lookup per drug (a join would scan the whole layer).
                    var covered: Set<Int64> = []
                    for drug in drugs where try Bool.fetchOne(db, sql: """
                        SELECT 1 FROM layer_item WHERE layer_id = ? AND drug_mention_id = ?
                        """, arguments: [layer.id, drug.mentionID]) != nil {
                        covered.insert(drug.mentionID)
                    }
                    answered[kind] = covered
                }
            }
            return SentenceDetail(id: id, documentKey: row[1], text: row[0], drugs: drugs, spans: spans,
                                  answered: answered, teacherRun: teacherRun)
        }
    }

    /// The ids of the sentences whose text contains `query` (case-insensitive for ASCII), ascending.
    public func searchSentences(_ query: String) throws -> [Int64] {
        guard !query.isEmpty else { return [] }
        return try pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM sentence WHERE instr(lower(text), lower(?)) > 0 ORDER BY id",
                               arguments: [query])
        }
    }

    /// The drug mentions where the latest teacher run and the latest student version
    /// propose different ADE spans (both must have answered the item); empty when either
    /// layer is missing.
    public func teacherStudentDisagreements() throws -> Set<Int64> {
        try pool.read { db in
            guard let teacher = try? Self.layer(LayerRef(.teacher), db),
                  let student = try? Self.layer(LayerRef(.student), db) else { return [] }
            let spans = { (layer: Int64) -> [Int64: [Span]] in
                var result: [Int64: [Span]] = [:]
                let cursor = try Row.fetchCursor(db, sql: "SELECT drug_mention_id, start, \"end\" FROM ade WHERE layer_id = ?",
                                                 arguments: [layer])
                while let row = try cursor.next() { result[row[0], default: []].append(Span(row[1], row[2])) }
                return result.mapValues { $0.sorted() }
            }
            let t = try spans(teacher.id), s = try spans(student.id)
            let both = Set(try Int64.fetchAll(db, sql: "SELECT drug_mention_id FROM layer_item WHERE layer_id = ?",
                                              arguments: [teacher.id]))
                .intersection(try Int64.fetchAll(db, sql: "SELECT drug_mention_id FROM layer_item WHERE layer_id = ?",
                                                 arguments: [student.id]))
            return both.filter { (t[$0] ?? []) != (s[$0] ?? []) }
        }
    }
}

extension ReviewStatus {
    /// A status as the workbench reports it after a decision is saved.
    public init(_ state: ReviewState, spans: [Span], note: String?) {
        self.init(state: state, spans: spans, note: note)
    }
}

extension Job {
    /// A job value not read from the table (for the workbench's tests and previews).
    public init(_ id: Int64, kind: String, state: State, createdAt: Date) {
        self.init(id: id, kind: kind, state: state, arguments: [], done: 0, cancelRequested: false, createdAt: createdAt)
    }
}
