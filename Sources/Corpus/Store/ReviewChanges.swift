import Core
import Foundation
import GRDB

/// An item whose answer changed in the review log, as one viewer sees it now.
public struct ReviewChange: Hashable, Sendable {
    public var item: ItemKey
    /// The status `sentenceDetail(_:curator:)` would show the viewer now.
    public var status: ReviewStatus
    /// Who wrote the item's latest event among those reported.
    public var author: String
    public init(item: ItemKey, status: ReviewStatus, author: String) {
        self.item = item
        self.status = status
        self.author = author
    }
}

extension ReviewStatus {
    /// The same answer: state, spans and note (not how it was resolved).
    public func sameAnswer(as other: ReviewStatus) -> Bool {
        state == other.state && spans.sorted() == other.spans.sorted() && note == other.note
    }
}

extension CorpusStore {
    /// The id of the review log's newest event (0 when empty): a cheap version of every
    /// decision in the corpus, which a workbench compares on each tick to notice another
    /// process's decisions (one primary-key lookup).
    public func lastReviewEventID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM review_event") ?? 0 }
    }

    /// The items that events after `after` touched, except the events in `excluding` (the
    /// viewer's own), each with the status the viewer sees now; and the newest event id read.
    /// One read: the ids and the statuses are of the same moment.
    public func reviewChanges(after: Int64, curator: String?, excluding: Set<Int64> = [])
        throws -> (last: Int64, changes: [ReviewChange]) {
        try pool.read { db in
            let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM review_event") ?? 0
            guard last > after else { return (max(last, after), []) }
            var order: [Int64] = []
            var latest: [Int64: (item: ItemKey, author: String)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT id, sentence_id, drug_mention_id, author FROM review_event WHERE id > ? ORDER BY id
                """, arguments: [after]) {
                let id: Int64 = row[0]
                guard !excluding.contains(id) else { continue }
                let mention: Int64 = row[2]
                if latest[mention] == nil { order.append(mention) }
                latest[mention] = (ItemKey(sentenceID: row[1], drugMentionID: mention), row[3])
            }
            let blind = try curator != nil && Self.hasAssignments(db)
            let changes = try order.map { mention in
                let (item, author) = latest[mention]!
                return ReviewChange(item: item, status: try Self.shownStatus(item, curator: curator, blind: blind, db),
                                    author: author)
            }
            return (last, changes)
        }
    }

    /// What a viewer sees as an item's status: with no curator the resolved answer; for a
    /// curator their own answer where they gave one (always, once work is assigned: blind),
    /// else the resolved one.
    static func shownStatus(_ item: ItemKey, curator: String?, blind: Bool, _ db: Database) throws -> ReviewStatus {
        guard let curator else { return try reviewStatus(item, db) }
        let own = try reviewStatus(item, curator: curator, scope: .answer, db)
        return blind || own.resolution != .none ? own : try reviewStatus(item, db)
    }

    /// Refuses a decision made on a screen that showed `shown` when the item's status (as
    /// `curator` sees it) is another by now: someone else decided it meanwhile.
    static func checkUnchanged(_ item: ItemKey, curator: String, shown: ReviewStatus, _ db: Database) throws {
        let blind = try hasAssignments(db)
        let now = try shownStatus(item, curator: curator, blind: blind, db)
        guard !now.sameAnswer(as: shown) else { return }
        let by = try String.fetchOne(db, sql: """
            SELECT author FROM review_event WHERE drug_mention_id = ? ORDER BY id DESC LIMIT 1
            """, arguments: [item.drugMentionID])
        throw CorpusError.changedSinceShown(item, now: now.state, by: by)
    }
}
