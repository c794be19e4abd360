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

/// Whose answer an event changes: a curator's own, or an adjudicator's ruling on a dispute.
public enum ReviewScope: String, Sendable, Codable {
    case answer, adjudication
}

/// One row of the append-only review log.
public struct ReviewEvent: Hashable, Sendable {
    public enum Action: String, Sendable { case decide, undo, redo }
    public var id: Int64
    public var item: ItemKey
    public var action: Action
    /// For undo and redo: the decision undone or redone.
    public var target: Int64?
    /// The curator who acted (imports record `import:FILE`).
    public var author: String
    public var createdAt: Date
    /// The author's own answer before and after (per scope), not the item's resolved state.
    public var stateBefore: ReviewState
    public var stateAfter: ReviewState
    public var spansBefore: [Span]
    public var spansAfter: [Span]
    public var note: String?
    public var elapsedMilliseconds: Int?
    public var scope: ReviewScope = .answer
    /// For an adjudication: the curators whose answers it took (empty: drafted by hand).
    public var sources: [String]? = nil
}

/// What an item's answer is: a curator's own, or the resolved answer the curated layer holds.
public struct ReviewStatus: Hashable, Sendable {
    public var state: ReviewState
    public var spans: [Span]
    public var note: String?
    /// Where the resolved answer comes from (`single` for a curator's own answer).
    public var resolution: ResolutionKind = .single
}

extension CorpusStore {
    /// Records a curator's decision on an item, in its own transaction, and updates the
    /// derived answers, the item's resolution and the curated layer. Spans are validated
    /// against the sentence. Once work is assigned, only a registered curator may decide, and
    /// only items that are theirs or nobody's; before that, a new name registers itself.
    /// With `shown` (the status the curator's screen showed), a decision on an item whose
    /// status has changed since (another workbench decided it) is refused with
    /// `CorpusError.changedSinceShown`, in the same transaction that would have recorded it.
    @discardableResult
    public func decide(_ item: ItemKey, state: ReviewState, spans: [Span], author: String,
                       note: String? = nil, elapsedMilliseconds: Int? = nil,
                       shown: ReviewStatus? = nil) throws -> ReviewEvent {
        try pool.write { db in
            try Self.checkMayAnswer(item, curator: author, db)
            if let shown { try Self.checkUnchanged(item, curator: author, shown: shown, db) }
            return try Self.decide(item, state: state, spans: spans, author: author, note: note,
                                   elapsedMilliseconds: elapsedMilliseconds, db)
        }
    }

    /// Records an adjudicator's ruling on a disputed item: its own event (who, when, from
    /// which curators' answers), undoable like any decision, and the answer that counts.
    @discardableResult
    public func adjudicate(_ item: ItemKey, state: ReviewState, spans: [Span], adjudicator: String,
                           sources: [String], note: String? = nil) throws -> ReviewEvent {
        try pool.write { db in
            guard let role = try String.fetchOne(db, sql: "SELECT role FROM curator WHERE name = ?",
                                                 arguments: [adjudicator]) else {
                throw CorpusError.unknownCurator(adjudicator)
            }
            guard role == CuratorRole.adjudicator.rawValue else { throw CorpusError.notAdjudicator(adjudicator) }
            guard state.isDecided else {
                throw CorpusError.invalidReview("an adjudication accepts spans or says no ADE, not '\(state.rawValue)'")
            }
            let answers = try Self.answers(item, db)
            let ruled = answers.contains { $0.scope == .adjudication }
            guard ruled || Resolution.resolve(answers: answers.filter { $0.scope == .answer }.map(\.answer)).kind == .disputed else {
                throw CorpusError.notDisputed(item)
            }
            return try Self.append(.decide, target: nil, item: item, state: state, spans: spans, author: adjudicator,
                                   note: note, elapsed: nil, scope: .adjudication, sources: sources, db)
        }
    }

    /// Undoes `author`'s latest decision that is not undone yet (across sessions: the
    /// stack is rebuilt from the log). Each curator has their own stack.
    /// `check` sees the decision about to be undone, in the same transaction, and refuses by
    /// throwing (a workbench refuses one made meanwhile by another workbench under the same name).
    @discardableResult
    public func undo(author: String, check: (@Sendable (ReviewEvent) throws -> Void)? = nil) throws -> ReviewEvent {
        try step(.undo, author: author, check: check)
    }

    /// Redoes `author`'s latest undone decision, if nothing was decided since.
    @discardableResult
    public func redo(author: String, check: (@Sendable (ReviewEvent) throws -> Void)? = nil) throws -> ReviewEvent {
        try step(.redo, author: author, check: check)
    }

    /// Appends an undo (back to the decision's "before") or a redo (to its "after").
    private func step(_ action: ReviewEvent.Action, author: String,
                      check: (@Sendable (ReviewEvent) throws -> Void)?) throws -> ReviewEvent {
        try pool.write { db in
            let stacks = try Self.undoStacks(author: author, db)
            let undoing = action == .undo
            guard let target = undoing ? stacks.undo.last : stacks.redo.last else {
                throw undoing ? CorpusError.nothingToUndo(author: author) : CorpusError.nothingToRedo(author: author)
            }
            let decision = try Self.event(target, db)
            try check?(decision)
            return try Self.append(action, target: target, item: decision.item,
                                   state: undoing ? decision.stateBefore : decision.stateAfter,
                                   spans: undoing ? decision.spansBefore : decision.spansAfter,
                                   author: author, note: undoing ? nil : decision.note, elapsed: nil,
                                   scope: decision.scope, sources: decision.sources, db)
        }
    }

    /// The resolved review state of an item, the one the curated layer holds (`pending`
    /// with no spans when never decided or disputed).
    public func reviewStatus(_ item: ItemKey) throws -> ReviewStatus {
        try pool.read { db in try Self.reviewStatus(item, db) }
    }

    /// One curator's own answer on an item (`pending` when they have not answered).
    public func reviewStatus(_ item: ItemKey, curator: String, scope: ReviewScope = .answer) throws -> ReviewStatus {
        try pool.read { db in try Self.reviewStatus(item, curator: curator, scope: scope, db) }
    }

    /// Every event about an item, oldest first: its audit trail.
    public func history(_ item: ItemKey) throws -> [ReviewEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM review_event WHERE drug_mention_id = ? ORDER BY id",
                             arguments: [item.drugMentionID]).map(Self.event(from:))
        }
    }

    /// Rebuilds `review_answer`, `review_item` and the curated layer from the event log alone.
    /// The incremental updates must always agree with this replay.
    public func rebuildDerivedReviewState() throws {
        try pool.write { db in try Self.rebuildDerivedReviewState(db) }
    }

    static func rebuildDerivedReviewState(_ db: Database) throws {
        let curated = try layer(.curated, db).id
        try db.execute(sql: "DELETE FROM review_answer")
        try db.execute(sql: "DELETE FROM review_item")
        try db.cachedStatement(sql: "DELETE FROM ade WHERE layer_id = ?").execute(arguments: [curated])
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT * FROM review_event WHERE id IN
                (SELECT max(id) FROM review_event GROUP BY drug_mention_id, author, scope)
            ORDER BY id
            """)
        var items: [ItemKey] = []
        var seen: Set<Int64> = []
        while let row = try cursor.next() {
            let event = try event(from: row)
            try applyAnswer(event, db)
            if seen.insert(event.item.drugMentionID).inserted { items.append(event.item) }
        }
        for item in items { try resolve(item, curatedLayer: curated, db) }
    }

    // MARK: - Internals shared with ingest

    static func decide(_ item: ItemKey, state: ReviewState, spans: [Span], author: String, note: String?,
                       elapsedMilliseconds: Int?, _ db: Database) throws -> ReviewEvent {
        try append(.decide, target: nil, item: item, state: state, spans: spans, author: author, note: note,
                   elapsed: elapsedMilliseconds, scope: .answer, sources: nil, db)
    }

    /// Refuses a decision the team's assignment does not allow; registers a newcomer while
    /// nothing is assigned, so that one person's use needs no set-up.
    static func checkMayAnswer(_ item: ItemKey, curator: String, _ db: Database) throws {
        guard !curator.isEmpty else { throw CorpusError.unknownCurator(curator) }
        let assigned = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM assignment)")) ?? false
        guard assigned else { return try registerCurator(curator, db) }
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM curator WHERE name = ?)",
                                arguments: [curator]) == true else {
            throw CorpusError.unknownCurator(curator)
        }
        let assignees = try String.fetchAll(db, sql: "SELECT curator FROM assignment WHERE drug_mention_id = ?",
                                            arguments: [item.drugMentionID])
        if !assignees.isEmpty, !assignees.contains(curator) { throw CorpusError.notAssigned(item, curator: curator) }
    }

    static func registerCurator(_ name: String, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO curator(name, role, created_at) VALUES (?, 'curator', ?)").execute(
                       arguments: [name, Date()])
    }

    private static func append(_ action: ReviewEvent.Action, target: Int64?, item: ItemKey, state: ReviewState,
                               spans: [Span], author: String, note: String?, elapsed: Int?, scope: ReviewScope,
                               sources: [String]?, _ db: Database) throws -> ReviewEvent {
        guard let text = try String.fetchOne(try db.cachedStatement(sql: """
            SELECT s.text FROM drug_mention m JOIN sentence s ON s.id = m.sentence_id
            WHERE m.id = ? AND m.sentence_id = ?
            """), arguments: [item.drugMentionID, item.sentenceID]) else {
            throw CorpusError.unknownItem(sentenceID: item.sentenceID, drugMentionID: item.drugMentionID)
        }
        let length = text.scalarCount
        for span in spans where span.start < 0 || span.end > length || span.start >= span.end {
            throw CorpusError.invalidSpan(sentenceID: item.sentenceID, span: span,
                                          reason: "empty or outside the sentence (length \(length))")
        }
        try registerCurator(author, db)
        let spans = Array(Set(spans)).sorted()
        let before = try reviewStatus(item, curator: author, scope: scope, db)
        let now = Date()
        let encodedSources = try sources.map { try JSONText.encode($0) }
        try db.cachedStatement(sql: """
            INSERT INTO review_event(sentence_id, drug_mention_id, action, target_event_id, author, created_at,
                                     state_before, state_after, spans_before, spans_after, note, elapsed_ms,
                                     scope, sources)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [item.sentenceID, item.drugMentionID, action.rawValue, target, author, now,
                             before.state.rawValue, state.rawValue, encode(before.spans), encode(spans), note, elapsed,
                             scope.rawValue, encodedSources])
        let event = ReviewEvent(id: db.lastInsertedRowID, item: item, action: action, target: target, author: author,
                                createdAt: now, stateBefore: before.state, stateAfter: state,
                                spansBefore: before.spans, spansAfter: spans, note: note, elapsedMilliseconds: elapsed,
                                scope: scope, sources: sources)
        try applyAnswer(event, db)
        try resolve(item, curatedLayer: try layer(.curated, db).id, db)
        return event
    }

    /// Makes `review_answer` say what `event` says about its author's answer.
    private static func applyAnswer(_ event: ReviewEvent, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO review_answer(drug_mention_id, curator, scope, sentence_id, state, note, last_event_id, updated_at, spans)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(drug_mention_id, curator, scope) DO UPDATE SET state = excluded.state, note = excluded.note,
                last_event_id = excluded.last_event_id, updated_at = excluded.updated_at, spans = excluded.spans
            """).execute(arguments: [event.item.drugMentionID, event.author, event.scope.rawValue, event.item.sentenceID,
                             event.stateAfter.rawValue, event.note, event.id, event.createdAt, encode(event.spansAfter)])
    }

    /// One row of `review_answer` with its spans.
    struct StoredAnswer {
        var answer: CuratorAnswer
        var scope: ReviewScope
        var note: String?
        var lastEvent: Int64
        var updatedAt: Date
    }

    /// An item's answers, in the order they last changed.
    static func answers(_ item: ItemKey, _ db: Database) throws -> [StoredAnswer] {
        try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT a.curator, a.scope, a.state, a.note, a.last_event_id, a.updated_at, a.spans
            FROM review_answer a
            WHERE a.drug_mention_id = ? ORDER BY a.last_event_id
            """), arguments: [item.drugMentionID]).map { row in
            StoredAnswer(answer: CuratorAnswer(curator: row[0], state: ReviewState(rawValue: row[2]) ?? .pending,
                                               spans: decode(row[6])),
                         scope: ReviewScope(rawValue: row[1]) ?? .answer, note: row[3], lastEvent: row[4],
                         updatedAt: row[5])
        }
    }

    /// Makes `review_item` and the curated layer hold the answer that counts for `item`.
    private static func resolve(_ item: ItemKey, curatedLayer: Int64, _ db: Database) throws {
        let stored = try answers(item, db)
        try db.cachedStatement(sql: "DELETE FROM ade WHERE layer_id = ? AND drug_mention_id = ?").execute(
                       arguments: [curatedLayer, item.drugMentionID])
        guard let latest = stored.last else {
            try db.cachedStatement(sql: "DELETE FROM review_item WHERE drug_mention_id = ?").execute(arguments: [item.drugMentionID])
            return
        }
        let resolution = Resolution.resolve(answers: stored.filter { $0.scope == .answer }.map(\.answer),
                                            adjudications: stored.filter { $0.scope == .adjudication }.map(\.answer))
        let scope: ReviewScope = resolution.kind == .adjudicated ? .adjudication : .answer
        let chosen = resolution.curator.flatMap { name in
            stored.last { $0.answer.curator == name && $0.scope == scope }
        }
        try db.cachedStatement(sql: """
            INSERT INTO review_item(drug_mention_id, sentence_id, state, note, last_event_id, updated_at, resolution)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(drug_mention_id) DO UPDATE SET state = excluded.state, note = excluded.note,
                last_event_id = excluded.last_event_id, updated_at = excluded.updated_at,
                resolution = excluded.resolution
            """).execute(arguments: [item.drugMentionID, item.sentenceID, resolution.state.rawValue, chosen?.note,
                             (chosen ?? latest).lastEvent, (chosen ?? latest).updatedAt, resolution.kind.rawValue])
        guard resolution.state == .accepted, let chosen else { return }
        let text = ScalarText(try String.fetchOne(db.cachedStatement(sql: "SELECT text FROM sentence WHERE id = ?"),
                                                  arguments: [item.sentenceID])!)
        for span in resolution.spans {
            try db.cachedStatement(sql: """
                INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, "end", text, author, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [curatedLayer, item.sentenceID, item.drugMentionID, span.start, span.end,
                                 text[span], chosen.answer.curator, chosen.updatedAt])
        }
    }

    static func reviewStatus(_ item: ItemKey, _ db: Database) throws -> ReviewStatus {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT i.state, i.note, e.spans_after, i.resolution FROM review_item i
            JOIN review_event e ON e.id = i.last_event_id
            WHERE i.drug_mention_id = ?
            """), arguments: [item.drugMentionID]) else {
            return ReviewStatus(state: .pending, spans: [], note: nil, resolution: .none)
        }
        let resolution = ResolutionKind(rawValue: row[3]) ?? .single
        let counted = resolution != .disputed && resolution != .none
        return ReviewStatus(state: ReviewState(rawValue: row[0]) ?? .pending, spans: counted ? decode(row[2]) : [],
                            note: row[1], resolution: resolution)
    }

    static func reviewStatus(_ item: ItemKey, curator: String, scope: ReviewScope, _ db: Database) throws -> ReviewStatus {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT a.state, a.note, a.spans FROM review_answer a
            WHERE a.drug_mention_id = ? AND a.curator = ? AND a.scope = ?
            """), arguments: [item.drugMentionID, curator, scope.rawValue]) else {
            return ReviewStatus(state: .pending, spans: [], note: nil, resolution: .none)
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
        try event(from: try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM review_event WHERE id = ?"), arguments: [id])!)
    }

    static func event(from row: Row) throws -> ReviewEvent {
        ReviewEvent(
            id: row["id"], item: ItemKey(sentenceID: row["sentence_id"], drugMentionID: row["drug_mention_id"]),
            action: ReviewEvent.Action(rawValue: row["action"]) ?? .decide, target: row["target_event_id"],
            author: row["author"], createdAt: row["created_at"],
            stateBefore: ReviewState(rawValue: row["state_before"]) ?? .pending,
            stateAfter: ReviewState(rawValue: row["state_after"]) ?? .pending,
            spansBefore: decode(row["spans_before"]), spansAfter: decode(row["spans_after"]),
            note: row["note"], elapsedMilliseconds: row["elapsed_ms"],
            scope: ReviewScope(rawValue: row["scope"] ?? "answer") ?? .answer,
            sources: (row["sources"] as String?).flatMap { try? JSONText.decode([String].self, $0) })
    }

    static func encode(_ spans: [Span]) -> String {
        "[" + spans.map { "[\($0.start),\($0.end)]" }.joined(separator: ",") + "]"
    }

    /// Reads the spans column: `encode`'s own `[[s,e],...]`, parsed directly (agreement reads
    /// every answer of a corpus); anything else goes through the JSON decoder.
    static func decode(_ text: String) -> [Span] {
        var spans: [Span] = []
        var numbers: [Int] = []
        var current = 0, inNumber = false, depth = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = current &* 10 &+ Int(byte - UInt8(ascii: "0"))
                inNumber = true
            case UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: ","), UInt8(ascii: "]"):
                if inNumber { numbers.append(current); current = 0; inNumber = false }
                if byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 1 {
                        guard numbers.count == 2 else { return decodeJSON(text) }
                        spans.append(Span(numbers[0], numbers[1]))
                        numbers.removeAll(keepingCapacity: true)
                    }
                }
            case UInt8(ascii: " "):
                continue
            default:
                return decodeJSON(text)
            }
        }
        return depth == 0 ? spans : decodeJSON(text)
    }

    private static func decodeJSON(_ text: String) -> [Span] {
        guard let pairs = try? JSONText.decode([[Int]].self, text) else { return [] }
        return pairs.compactMap { $0.count == 2 ? Span($0[0], $0[1]) : nil }
    }
}
