import Core
import Foundation
import GRDB

/// The task unit: one drug mention of one sentence.
public struct ItemKey: Hashable, Sendable, CustomStringConvertible {
    public var sentenceID: Int64
    public var drugMentionID: Int64
    public init(sentenceID: Int64, drugMentionID: Int64) {
        self.sentenceID = sentenceID
        self.drugMentionID = drugMentionID
    }
    public var description: String { "\(sentenceID)/\(drugMentionID)" }
}

/// One row of the append-only review log.
public struct ReviewEvent: Hashable, Sendable {
    public enum Action: String, Sendable { case decide, undo, redo }
    public var id: Int64
    public var item: ItemKey
    public var action: Action
    /// For undo and redo: the decision undone or redone.
    public var target: Int64?
    public var author: String
    public var createdAt: Date
    public var stateBefore: ReviewState
    public var stateAfter: ReviewState
    public var spansBefore: [Span]
    public var spansAfter: [Span]
    public var note: String?
    public var elapsedMilliseconds: Int?
}

/// What the curated layer currently says about an item.
public struct ReviewStatus: Hashable, Sendable {
    public var state: ReviewState
    public var spans: [Span]
    public var note: String?
}

extension CorpusStore {
    /// Records a curator's decision on an item, in its own transaction, and updates the
    /// derived review state and curated layer. Spans are validated against the sentence.
    @discardableResult
    public func decide(_ item: ItemKey, state: ReviewState, spans: [Span], author: String,
                       note: String? = nil, elapsedMilliseconds: Int? = nil) throws -> ReviewEvent {
        try pool.write { db in
            try Self.decide(item, state: state, spans: spans, author: author, note: note,
                            elapsedMilliseconds: elapsedMilliseconds, db)
        }
    }

    /// Undoes `author`'s latest decision that is not undone yet (across sessions: the
    /// stack is rebuilt from the log).
    @discardableResult
    public func undo(author: String) throws -> ReviewEvent {
        try step(.undo, author: author)
    }

    /// Redoes `author`'s latest undone decision, if nothing was decided since.
    @discardableResult
    public func redo(author: String) throws -> ReviewEvent {
        try step(.redo, author: author)
    }

    /// Appends an undo (back to the decision's "before") or a redo (to its "after").
    private func step(_ action: ReviewEvent.Action, author: String) throws -> ReviewEvent {
        try pool.write { db in
            let stacks = try Self.undoStacks(author: author, db)
            let undoing = action == .undo
            guard let target = undoing ? stacks.undo.last : stacks.redo.last else {
                throw undoing ? CorpusError.nothingToUndo(author: author) : CorpusError.nothingToRedo(author: author)
            }
            let decision = try Self.event(target, db)
            return try Self.append(action, target: target, item: decision.item,
                                   state: undoing ? decision.stateBefore : decision.stateAfter,
                                   spans: undoing ? decision.spansBefore : decision.spansAfter,
                                   author: author, note: undoing ? nil : decision.note, elapsed: nil, db)
        }
    }

    /// The current review state of an item (`pending` with no spans when never decided).
    public func reviewStatus(_ item: ItemKey) throws -> ReviewStatus {
        try pool.read { db in try Self.reviewStatus(item, db) }
    }

    /// Every event about an item, oldest first: its audit trail.
    public func history(_ item: ItemKey) throws -> [ReviewEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM review_event WHERE drug_mention_id = ? ORDER BY id",
                             arguments: [item.drugMentionID]).map(Self.event(from:))
        }
    }

    /// Rebuilds `review_item` and the curated layer from the event log alone.
    /// The incremental updates must always agree with this replay.
    public func rebuildDerivedReviewState() throws {
        try pool.write { db in
            let curated = try Self.layer(.curated, db).id
            try db.execute(sql: "DELETE FROM review_item")
            try db.execute(sql: "DELETE FROM ade WHERE layer_id = ?", arguments: [curated])
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT * FROM review_event WHERE id IN (SELECT max(id) FROM review_event GROUP BY drug_mention_id)
                """)
            var latest: [ReviewEvent] = []
            while let row = try cursor.next() { latest.append(try Self.event(from: row)) }
            for event in latest { try Self.apply(event, curatedLayer: curated, db) }
        }
    }

    // MARK: - Internals shared with ingest

    static func decide(_ item: ItemKey, state: ReviewState, spans: [Span], author: String, note: String?,
                       elapsedMilliseconds: Int?, _ db: Database) throws -> ReviewEvent {
        try append(.decide, target: nil, item: item, state: state, spans: spans, author: author, note: note,
                   elapsed: elapsedMilliseconds, db)
    }

    private static func append(_ action: ReviewEvent.Action, target: Int64?, item: ItemKey, state: ReviewState,
                               spans: [Span], author: String, note: String?, elapsed: Int?,
                               _ db: Database) throws -> ReviewEvent {
        guard let text = try String.fetchOne(db, sql: """
            SELECT s.text FROM drug_mention m JOIN sentence s ON s.id = m.sentence_id
            WHERE m.id = ? AND m.sentence_id = ?
            """, arguments: [item.drugMentionID, item.sentenceID]) else {
            throw CorpusError.unknownItem(sentenceID: item.sentenceID, drugMentionID: item.drugMentionID)
        }
        let length = text.scalarCount
        for span in spans where span.start < 0 || span.end > length || span.start >= span.end {
            throw CorpusError.invalidSpan(sentenceID: item.sentenceID, span: span,
                                          reason: "empty or outside the sentence (length \(length))")
        }
        let spans = Array(Set(spans)).sorted()
        let before = try reviewStatus(item, db)
        let now = Date()
        try db.execute(sql: """
            INSERT INTO review_event(sentence_id, drug_mention_id, action, target_event_id, author, created_at,
                                     state_before, state_after, spans_before, spans_after, note, elapsed_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [item.sentenceID, item.drugMentionID, action.rawValue, target, author, now,
                             before.state.rawValue, state.rawValue, encode(before.spans), encode(spans), note, elapsed])
        let event = ReviewEvent(id: db.lastInsertedRowID, item: item, action: action, target: target, author: author,
                                createdAt: now, stateBefore: before.state, stateAfter: state,
                                spansBefore: before.spans, spansAfter: spans, note: note, elapsedMilliseconds: elapsed)
        try apply(event, curatedLayer: try layer(.curated, db).id, db)
        return event
    }

    /// Makes the derived tables say what `event` says about its item.
    private static func apply(_ event: ReviewEvent, curatedLayer: Int64, _ db: Database) throws {
        let item = event.item
        try db.execute(sql: """
            INSERT INTO review_item(drug_mention_id, sentence_id, state, note, last_event_id, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(drug_mention_id) DO UPDATE SET state = excluded.state, note = excluded.note,
                last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
            """, arguments: [item.drugMentionID, item.sentenceID, event.stateAfter.rawValue, event.note, event.id,
                             event.createdAt])
        try db.execute(sql: "DELETE FROM ade WHERE layer_id = ? AND drug_mention_id = ?",
                       arguments: [curatedLayer, item.drugMentionID])
        guard event.stateAfter == .accepted else { return }
        let text = ScalarText(try String.fetchOne(db, sql: "SELECT text FROM sentence WHERE id = ?",
                                                  arguments: [item.sentenceID])!)
        for span in event.spansAfter {
            try db.execute(sql: """
                INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, "end", text, author, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [curatedLayer, item.sentenceID, item.drugMentionID, span.start, span.end,
                                 text[span], event.author, event.createdAt])
        }
    }

    static func reviewStatus(_ item: ItemKey, _ db: Database) throws -> ReviewStatus {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT i.state, i.note, e.spans_after FROM review_item i JOIN review_event e ON e.id = i.last_event_id
            WHERE i.drug_mention_id = ?
            """, arguments: [item.drugMentionID]) else {
            return ReviewStatus(state: .pending, spans: [], note: nil)
        }
        return ReviewStatus(state: ReviewState(rawValue: row[0]) ?? .pending, spans: decode(row[2]), note: row[1])
    }

    /// Replays `author`'s events into undo and redo stacks of decision ids.
    private static func undoStacks(author: String, _ db: Database) throws -> (undo: [Int64], redo: [Int64]) {
        var undo: [Int64] = []
        var redo: [Int64] = []
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT id, action, target_event_id FROM review_event WHERE author = ? ORDER BY id
            """, arguments: [author])
        while let row = try cursor.next() {
            let id: Int64 = row[0]
            switch ReviewEvent.Action(rawValue: row[1]) {
            case .decide?:
                undo.append(id)
                redo.removeAll()
            case .undo?:
                if let t: Int64 = row[2], let i = undo.lastIndex(of: t) { undo.remove(at: i); redo.append(t) }
            case .redo?:
                if let t: Int64 = row[2], let i = redo.lastIndex(of: t) { redo.remove(at: i); undo.append(t) }
            case nil:
                continue
            }
        }
        return (undo, redo)
    }

    private static func event(_ id: Int64, _ db: Database) throws -> ReviewEvent {
        try event(from: try Row.fetchOne(db, sql: "SELECT * FROM review_event WHERE id = ?", arguments: [id])!)
    }

    static func event(from row: Row) throws -> ReviewEvent {
        ReviewEvent(
            id: row["id"], item: ItemKey(sentenceID: row["sentence_id"], drugMentionID: row["drug_mention_id"]),
            action: ReviewEvent.Action(rawValue: row["action"]) ?? .decide, target: row["target_event_id"],
            author: row["author"], createdAt: row["created_at"],
            stateBefore: ReviewState(rawValue: row["state_before"]) ?? .pending,
            stateAfter: ReviewState(rawValue: row["state_after"]) ?? .pending,
            spansBefore: decode(row["spans_before"]), spansAfter: decode(row["spans_after"]),
            note: row["note"], elapsedMilliseconds: row["elapsed_ms"])
    }

    private static func encode(_ spans: [Span]) -> String {
        "[" + spans.map { "[\($0.start),\($0.end)]" }.joined(separator: ",") + "]"
    }

    private static func decode(_ text: String) -> [Span] {
        guard let pairs = try? JSONText.decode([[Int]].self, text) else { return [] }
        return pairs.compactMap { $0.count == 2 ? Span($0[0], $0[1]) : nil }
    }
}
