import Core
import GRDB
import XCTest
@testable import Corpus

/// Curator decisions: an append-only log from which review states and the curated layer
/// are derived, with undo and redo that survive restarts.
final class ReviewTests: XCTestCase {
    private var store: CorpusStore!
    private let warfarin = ItemKey(sentenceID: 1, drugMentionID: 1)
    private let aspirin = ItemKey(sentenceID: 1, drugMentionID: 2)

    override func setUpWithError() throws {
        store = try temporaryStore(self)
        _ = try store.ingest(StoreTests.smallBatch(), into: .gold)
    }

    private func curatedPairs() throws -> [ADEPair] {
        try store.pairs(in: try store.layer(.curated)).sorted { ($0.drug.mentionID!, $0.span) < ($1.drug.mentionID!, $1.span) }
    }

    func testDecisionsUpdateStateAndCuratedLayer() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(23, 31)], author: "ana")
        try store.decide(aspirin, state: .noADE, spans: [], author: "ana")
        XCTAssertEqual(try store.reviewStatus(warfarin).state, .accepted)
        XCTAssertEqual(try store.reviewStatus(aspirin).state, .noADE)
        XCTAssertEqual(try curatedPairs().map(\.span), [Span(23, 31)])
        let stats = try store.stats()
        XCTAssertEqual(stats.review["accepted"], 1)
        XCTAssertEqual(stats.review["no-ade"], 1)
        XCTAssertEqual(stats.review["pending"], 2)
    }

    func testEventsRecordWhoWhenBeforeAndAfter() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana", elapsedMilliseconds: 1200)
        try store.decide(warfarin, state: .flagged, spans: [Span(16, 31)], author: "ben", note: "severe?")
        try store.decide(warfarin, state: .flagged, spans: [Span(16, 31)], author: "ana", note: "ask ben")
        let log = try store.history(warfarin)
        XCTAssertEqual(log.map(\.author), ["ana", "ben", "ana"])
        XCTAssertEqual(log[1].stateBefore, .pending, "before and after are the author's own answer: ben had none")
        XCTAssertEqual(log[1].stateAfter, .flagged)
        XCTAssertEqual(log[2].stateBefore, .accepted)
        XCTAssertEqual(log[2].spansBefore, [Span(16, 31)])
        XCTAssertEqual(log[1].note, "severe?")
        XCTAssertEqual(log[0].elapsedMilliseconds, 1200)
        XCTAssertEqual(try curatedPairs().count, 0, "a flagged item is not in the curated layer")
    }

    func testTheLogIsAppendOnly() throws {
        try store.decide(warfarin, state: .accepted, spans: [], author: "ana")
        XCTAssertThrowsError(try store.pool.write { try $0.execute(sql: "UPDATE review_event SET author = 'x'") })
        XCTAssertThrowsError(try store.pool.write { try $0.execute(sql: "DELETE FROM review_event") })
    }

    func testUndoAndRedoWalkTheAuthorsOwnDecisions() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana")
        try store.decide(warfarin, state: .accepted, spans: [Span(23, 31)], author: "ana")
        try store.decide(aspirin, state: .noADE, spans: [], author: "ben")

        try store.undo(author: "ana")
        XCTAssertEqual(try store.reviewStatus(warfarin).spans, [Span(16, 31)])
        try store.undo(author: "ana")
        XCTAssertEqual(try store.reviewStatus(warfarin).state, .pending)
        XCTAssertThrowsError(try store.undo(author: "ana")) {
            XCTAssertEqual($0 as? CorpusError, .nothingToUndo(author: "ana"))
        }
        XCTAssertEqual(try store.reviewStatus(aspirin).state, .noADE, "ben's decision is untouched")

        try store.redo(author: "ana")
        try store.redo(author: "ana")
        XCTAssertEqual(try store.reviewStatus(warfarin).spans, [Span(23, 31)])
        XCTAssertThrowsError(try store.redo(author: "ana"))
    }

    func testANewDecisionClearsTheRedoStack() throws {
        try store.decide(warfarin, state: .accepted, spans: [], author: "ana")
        try store.undo(author: "ana")
        try store.decide(aspirin, state: .skipped, spans: [], author: "ana")
        XCTAssertThrowsError(try store.redo(author: "ana"))
    }

    func testUndoSurvivesReopeningTheCorpus() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(0, 8)], author: "ana")
        let reopened = try CorpusStore(path: store.path)
        try reopened.undo(author: "ana")
        XCTAssertEqual(try reopened.reviewStatus(warfarin).state, .pending)
    }

    func testDerivedStateEqualsAReplayOfTheLog() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31), Span(23, 31)], author: "ana")
        try store.decide(aspirin, state: .accepted, spans: [Span(16, 31)], author: "ben")
        try store.undo(author: "ben")
        try store.decide(ItemKey(sentenceID: 2, drugMentionID: 3), state: .accepted, spans: [Span(0, 20)], author: "ana")
        try store.redo(author: "ben")
        let incremental = try curatedPairs()
        let states = try store.stats().review
        try store.rebuildDerivedReviewState()
        XCTAssertEqual(try curatedPairs(), incremental)
        XCTAssertEqual(try store.stats().review, states)
        XCTAssertEqual(incremental.count, 4)
    }

    func testInvalidSpansAndItemsAreRefused() throws {
        XCTAssertThrowsError(try store.decide(warfarin, state: .accepted, spans: [Span(50, 99)], author: "ana")) {
            guard case .invalidSpan? = $0 as? CorpusError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try store.decide(ItemKey(sentenceID: 2, drugMentionID: 1), state: .accepted,
                                              spans: [], author: "ana")) {
            XCTAssertEqual($0 as? CorpusError, .unknownItem(sentenceID: 2, drugMentionID: 1))
        }
        XCTAssertEqual(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM review_event") }, 0)
    }

    func testADecisionOnAnItemChangedSinceItWasShownIsRefused() throws {
        let pending = try store.reviewStatus(warfarin, curator: "ben")
        try store.decide(warfarin, state: .accepted, spans: [Span(23, 31)], author: "ana")
        XCTAssertThrowsError(try store.decide(warfarin, state: .noADE, spans: [], author: "ben", shown: pending)) {
            XCTAssertEqual($0 as? CorpusError, .changedSinceShown(warfarin, now: .accepted, by: "ana"))
            XCTAssertEqual("\($0)", "1/1 changed since it was shown: now accepted (by ana)")
        }
        XCTAssertEqual(try store.reviewStatus(warfarin).state, .accepted, "nothing was recorded")
        XCTAssertEqual(try store.history(warfarin).count, 1)
        // Shown as it is now: recorded. The same author in two places is checked the same way.
        let now = ReviewStatus(.accepted, spans: [Span(23, 31)], note: nil)
        try store.decide(warfarin, state: .noADE, spans: [], author: "ben", shown: now)
        XCTAssertThrowsError(try store.decide(warfarin, state: .accepted, spans: [], author: "ben", shown: now))
    }

    func testChangesAfterAnEventAreReportedAsTheViewerSeesThem() throws {
        let start = try store.lastReviewEventID()
        XCTAssertEqual(start, 0)
        let mine = try store.decide(aspirin, state: .noADE, spans: [], author: "ben")
        try store.decide(warfarin, state: .flagged, spans: [], author: "ana", note: "dose?")
        try store.decide(warfarin, state: .accepted, spans: [Span(23, 31)], author: "ana")
        let (last, changes) = try store.reviewChanges(after: start, curator: "ben", excluding: [mine.id])
        XCTAssertEqual(last, try store.lastReviewEventID())
        XCTAssertEqual(changes, [ReviewChange(item: warfarin, status: ReviewStatus(.accepted, spans: [Span(23, 31)], note: nil),
                                              author: "ana")], "one change per item, the latest; ben's own left out")
        XCTAssertEqual(try store.reviewChanges(after: last, curator: "ben").changes, [])
    }

    func testCuratedImportBecomesDecisions() throws {
        let summary = try store.ingest(StoreTests.smallBatch(sha: "c"), into: .curated, author: "import:test")
        XCTAssertEqual(summary.layer, "curated")
        let stats = try store.stats()
        XCTAssertEqual(stats.review["accepted"], 2)
        XCTAssertEqual(stats.review["no-ade"], 2)
        XCTAssertEqual(stats.ade["curated"], 3)
        XCTAssertEqual(try store.history(aspirin).first?.author, "import:test")
    }
}
