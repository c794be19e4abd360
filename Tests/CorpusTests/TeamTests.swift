import Core
import GRDB
import XCTest
@testable import Corpus

/// A team on one corpus: per-curator answers, resolution into the curated layer, blind
/// queues once work is assigned, adjudication, and the migration from one curator.
final class TeamTests: XCTestCase {
    private var store: CorpusStore!
    // smallBatch: sentence 1 "Warfarin caused severe bleeding; aspirin was continued." (mentions 1, 2),
    // sentence 2 "Codeine intoxication followed codeine use in a child." (mentions 3, 4).
    private let warfarin = ItemKey(sentenceID: 1, drugMentionID: 1)
    private let aspirin = ItemKey(sentenceID: 1, drugMentionID: 2)
    private let codeine = ItemKey(sentenceID: 2, drugMentionID: 3)

    override func setUpWithError() throws {
        store = try temporaryStore(self)
        _ = try store.ingest(StoreTests.smallBatch(), into: .gold)
    }

    private func curatedSpans() throws -> [Int64: [Span]] {
        var result: [Int64: [Span]] = [:]
        for pair in try store.pairs(in: try store.layer(.curated)) { result[pair.drug.mentionID!, default: []].append(pair.span) }
        return result.mapValues { $0.sorted() }
    }

    private func eventCount() throws -> Int {
        try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM review_event") ?? 0 }
    }

    func testAgreeingCuratorsCountAndDisagreeingOnesAreLeftOutUntilAdjudicated() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana")
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ben")
        XCTAssertEqual(try store.reviewStatus(warfarin).resolution, .agreed)
        try store.decide(codeine, state: .accepted, spans: [Span(0, 20)], author: "ana")
        try store.decide(codeine, state: .noADE, spans: [], author: "ben")
        XCTAssertEqual(try store.reviewStatus(codeine).resolution, .disputed)
        XCTAssertEqual(try store.reviewStatus(codeine).state, .pending)
        XCTAssertEqual(try curatedSpans(), [1: [Span(16, 31)]], "the disputed item is not in the curated layer")
        XCTAssertEqual(try store.stats().resolution["disputed"], 1)
        XCTAssertEqual(try store.answeredItemCount(try store.layer(.curated)), 1)

        XCTAssertThrowsError(try store.adjudicate(codeine, state: .noADE, spans: [], adjudicator: "ana", sources: ["ben"])) {
            XCTAssertEqual($0 as? CorpusError, .notAdjudicator("ana"))
        }
        try store.addCurator("dana", role: .adjudicator)
        XCTAssertThrowsError(try store.adjudicate(warfarin, state: .noADE, spans: [], adjudicator: "dana", sources: [])) {
            XCTAssertEqual($0 as? CorpusError, .notDisputed(self.warfarin))
        }
        let disputes = try store.disputes()
        XCTAssertEqual(disputes.map(\.item), [codeine])
        XCTAssertEqual(disputes.first?.disagreement, 1)
        XCTAssertEqual(Set(disputes.first?.answers.map(\.curator) ?? []), ["ana", "ben"])

        let ruling = try store.adjudicate(codeine, state: .accepted, spans: [Span(0, 20)], adjudicator: "dana",
                                          sources: ["ana"], note: "intoxication is the ADE")
        XCTAssertEqual(ruling.scope, .adjudication)
        XCTAssertEqual(try store.history(codeine).last?.sources, ["ana"])
        XCTAssertEqual(try store.reviewStatus(codeine).resolution, .adjudicated)
        XCTAssertEqual(try curatedSpans()[3], [Span(0, 20)])
        XCTAssertEqual(try store.disputes(), [])
        XCTAssertEqual(try store.reviewStatus(codeine, curator: "ben").state, .noADE, "ben's own answer stays his")

        try store.undo(author: "dana")
        XCTAssertEqual(try store.reviewStatus(codeine).resolution, .disputed, "undoing the ruling brings the dispute back")
        XCTAssertNil(try curatedSpans()[3])
        try store.redo(author: "dana")
        XCTAssertEqual(try curatedSpans()[3], [Span(0, 20)])
    }

    func testUndoIsPerCurator() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana")
        try store.decide(warfarin, state: .accepted, spans: [Span(23, 31)], author: "ben")
        try store.undo(author: "ana")
        XCTAssertEqual(try store.reviewStatus(warfarin, curator: "ben").spans, [Span(23, 31)], "ana's undo never touches ben's answer")
        XCTAssertEqual(try store.reviewStatus(warfarin, curator: "ana").state, .pending)
        XCTAssertEqual(try store.reviewStatus(warfarin).resolution, .single)
        XCTAssertEqual(try curatedSpans()[1], [Span(23, 31)])
    }

    func testTheDerivedStateAlwaysEqualsAReplayOfTheLog() throws {
        try store.addCurator("dana", role: .adjudicator)
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana")
        try store.decide(warfarin, state: .accepted, spans: [Span(23, 31)], author: "ben")
        try store.adjudicate(warfarin, state: .accepted, spans: [Span(16, 31), Span(23, 31)], adjudicator: "dana",
                             sources: ["ana", "ben"])
        try store.decide(aspirin, state: .noADE, spans: [], author: "ana")
        try store.decide(codeine, state: .flagged, spans: [], author: "ben", note: "?")
        try store.undo(author: "ana")
        let snapshot = { () throws -> [String] in
            try self.store.pool.read { db in
                try String.fetchAll(db, sql: """
                    SELECT drug_mention_id || ' ' || curator || ' ' || scope || ' ' || state || ' ' || last_event_id FROM review_answer
                    UNION ALL SELECT drug_mention_id || ' ' || state || ' ' || resolution || ' ' || last_event_id FROM review_item
                    UNION ALL SELECT 'ade ' || drug_mention_id || ' ' || start || ' ' || "end" || ' ' || author FROM ade
                      WHERE layer_id = (SELECT id FROM layer WHERE kind = 'curated')
                    ORDER BY 1
                    """)
            }
        }
        let incremental = try snapshot()
        try store.rebuildDerivedReviewState()
        XCTAssertEqual(try snapshot(), incremental)
    }

    func testAssignedWorkIsBlindAndOwnedAndReassigningOnlyAddsWhatIsNew() throws {
        for name in ["ana", "ben"] { try store.addCurator(name) }
        XCTAssertThrowsError(try store.assign(curators: ["ana", "bne"], overlap: 0, seed: 1)) {
            XCTAssertEqual($0 as? CorpusError, .unknownCurator("bne"))
        }
        XCTAssertFalse(try store.hasAssignments(), "a refused assignment writes nothing")
        let summary = try store.assign(curators: ["ana", "ben"], overlap: 1, seed: 1)
        XCTAssertEqual(summary.items, 4)
        XCTAssertEqual(summary.shared, 4, "overlap 1: every item to both")
        XCTAssertThrowsError(try store.assign(curators: ["ana", "ben"], overlap: 0, seed: 1), "nothing left to assign")

        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana")
        let bensQueue = try store.queueEntries(curator: "ben")
        XCTAssertEqual(bensQueue.count, 4)
        XCTAssertEqual(bensQueue.first { $0.item == warfarin }?.state, .pending, "ben never sees ana's answer")
        let detail = try XCTUnwrap(try store.sentenceDetail(1, curator: "ben"))
        XCTAssertEqual(detail.drugs.first?.review.state, .pending)
        XCTAssertNil(detail.spans[.curated]?[1], "nor her spans in the curated view")
        XCTAssertEqual(try store.sentenceDetail(1, curator: "ana")?.spans[.curated]?[1], [Span(16, 31)])

        try store.addCurator("cy")
        let before = try eventCount()
        XCTAssertThrowsError(try store.decide(codeine, state: .noADE, spans: [], author: "cy")) {
            XCTAssertEqual($0 as? CorpusError, .notAssigned(self.codeine, curator: "cy"))
        }
        XCTAssertThrowsError(try store.decide(codeine, state: .noADE, spans: [], author: "stranger")) {
            XCTAssertEqual($0 as? CorpusError, .unknownCurator("stranger"))
        }
        XCTAssertEqual(try eventCount(), before, "refused decisions write nothing")
        XCTAssertEqual(try store.queueEntries(curator: "cy"), [], "nothing is assigned to cy")

        let counts = try store.assignmentCounts()
        XCTAssertEqual(counts.map(\.curator), ["ana", "ben"])
        XCTAssertEqual(counts.map(\.decided), [1, 0])
        XCTAssertEqual(counts.map(\.shared), [4, 4])
    }

    func testReassigningCoversNewItemsOnlyWithinASplit() throws {
        for name in ["ana", "ben"] { try store.addCurator(name) }
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana")
        let first = try store.assign(curators: ["ana"], overlap: 0, seed: 1)
        XCTAssertEqual(first.items, 3, "an item a person decided is not pending")
        _ = try store.ingest(ImportBatch(format: "test", path: "more.test", sha256: "more", sentences: [
            .init(documentKey: "doc:2", text: "Lithium toxicity.", drugs: [.init(span: Span(0, 7), text: "Lithium", normalized: "lithium")]),
        ]), into: .gold)
        let second = try store.assign(curators: ["ana", "ben"], overlap: 0, seed: 1)
        XCTAssertEqual(second.items, 1)
        XCTAssertEqual(second.counts, ["ben": 1], "the new item goes to the curator with less work")
    }

    func testDynamicAssignmentHandsOutItemsWhenAQueueOpens() throws {
        for name in ["ana", "ben"] { try store.addCurator(name) }
        XCTAssertEqual(try store.claim(curator: "ana"), [], "off until turned on")
        try store.setDynamicAssignment(curators: ["ana", "ben"], overlap: 0, seed: 1)
        XCTAssertEqual(try store.claim(curator: "ana", count: 2).count, 2)
        XCTAssertEqual(try store.claim(curator: "ana", count: 2).count, 0, "she holds two undecided items already")
        let bens = try store.claim(curator: "ben", count: 5)
        XCTAssertEqual(bens.count, 2, "overlap 0: ben gets the two items nobody holds")
        XCTAssertTrue(Set(bens).isDisjoint(with: Set(try store.queueEntries(curator: "ana").map(\.item))))
        XCTAssertThrowsError(try store.claim(curator: "cy"))
        try store.setDynamicAssignment(curators: ["ana", "ben"], overlap: 1, seed: 1)
        XCTAssertEqual(try store.claim(curator: "ana", count: 4).count, 2, "overlap 1: ana also takes ben's two")
    }

    func testCuratorsListTheirWork() throws {
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 31)], author: "ana", elapsedMilliseconds: 3000)
        try store.decide(aspirin, state: .skipped, spans: [], author: "ana")
        try store.decide(warfarin, state: .noADE, spans: [], author: "ben", elapsedMilliseconds: 1000)
        try store.setRole("ben", .adjudicator)
        XCTAssertThrowsError(try store.setRole("nobody", .adjudicator))
        XCTAssertThrowsError(try store.addCurator("import:x"))
        XCTAssertFalse(try store.addCurator("ana"), "already there")
        let curators = try store.curators()
        XCTAssertEqual(curators.map(\.name), ["ana", "ben"])
        XCTAssertEqual(curators.map(\.decided), [1, 1])
        XCTAssertEqual(curators.map(\.parked), [1, 0])
        XCTAssertEqual(curators.map(\.role), [.curator, .adjudicator])
        XCTAssertEqual(curators.map(\.timeOnItemMilliseconds), [3000, 1000])
        let agreement = Agreement(items: try store.agreementItems())
        XCTAssertEqual(agreement.pair("ana", "ben")?.items, 1)
        XCTAssertEqual(agreement.curator("ana")?.goldItems, 1)
        // Gold has [16,31) and [23,31); ana gave [16,31): P 1, R 1/2, F1 2/3.
        XCTAssertEqual(try XCTUnwrap(agreement.curator("ana")?.goldStrictF1), 2.0 / 3.0, accuracy: 1e-12)
    }

    /// A single-curator corpus from before teams keeps every decision, its owner, its
    /// review states and its curated layer (so every `vigil eval` figure).
    func testAVersion6CorpusKeepsItsDecisionsAndCuratedLayer() throws {
        let path = try temporaryDirectory(self) + "/old.sqlite"
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v6-job-reliability")
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO document(id, key, created_at) VALUES (1, 'doc:1', '2026-01-01 00:00:00');
                    INSERT INTO sentence(id, document_id, position, text) VALUES (1, 1, 0, 'Warfarin caused bleeding.');
                    INSERT INTO drug_mention(id, sentence_id, start, "end", text, normalized, origin, created_at)
                    VALUES (1, 1, 0, 8, 'Warfarin', 'warfarin', 'import', '2026-01-01 00:00:00');
                    INSERT INTO review_event(id, sentence_id, drug_mention_id, action, target_event_id, author, created_at,
                                             state_before, state_after, spans_before, spans_after)
                    VALUES (1, 1, 1, 'decide', NULL, 'ana', '2026-01-01 00:00:00', 'pending', 'accepted', '[]', '[[16,24]]'),
                           (2, 1, 1, 'decide', NULL, 'ana', '2026-01-01 00:01:00', 'accepted', 'accepted', '[[16,24]]', '[[0,24]]'),
                           (3, 1, 1, 'undo', 2, 'ana', '2026-01-01 00:02:00', 'accepted', 'accepted', '[[0,24]]', '[[16,24]]');
                    INSERT INTO review_item(drug_mention_id, sentence_id, state, last_event_id, updated_at)
                    VALUES (1, 1, 'accepted', 3, '2026-01-01 00:02:00');
                    INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, "end", text, author, created_at)
                    VALUES ((SELECT id FROM layer WHERE kind = 'curated'), 1, 1, 16, 24, 'bleeding', 'ana', '2026-01-01 00:02:00');
                    """)
            }
        }
        XCTAssertThrowsError(try DatabasePool(path: path).write { try $0.execute(sql: "UPDATE review_event SET note = 'x'") },
                             "the old log is append-only too")
        let store = try CorpusStore(path: path)
        XCTAssertTrue(try store.appliedMigrations().contains("v8-answer-spans"))
        XCTAssertEqual(try store.history(ItemKey(sentenceID: 1, drugMentionID: 1)).count, 3, "every event kept")
        XCTAssertEqual(try store.curators().map(\.name), ["ana"], "the author became a curator")
        let item = ItemKey(sentenceID: 1, drugMentionID: 1)
        XCTAssertEqual(try store.reviewStatus(item).state, .accepted)
        XCTAssertEqual(try store.reviewStatus(item).spans, [Span(16, 24)])
        XCTAssertEqual(try store.reviewStatus(item, curator: "ana").spans, [Span(16, 24)])
        XCTAssertEqual(try curatedSpans(store), [1: [Span(16, 24)]])
        try store.undo(author: "ana")
        XCTAssertEqual(try store.reviewStatus(item).state, .pending, "ana's undo stack survived the migration")
    }

    func testTheSpansColumnRoundTripsAndToleratesOtherJSON() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let spans = (0..<Int(random.next() % 4)).map { _ in
                let start = Int(random.next() % 100_000)
                return Span(start, start + 1 + Int(random.next() % 50))
            }
            XCTAssertEqual(CorpusStore.decode(CorpusStore.encode(spans)), spans)
        }
        XCTAssertEqual(CorpusStore.decode("[ [1, 4] , [6,9] ]"), [Span(1, 4), Span(6, 9)])
        XCTAssertEqual(CorpusStore.decode("[]"), [])
        XCTAssertEqual(CorpusStore.decode("[[1,2,3]]"), [], "not a span: nothing, never a wrong span")
        XCTAssertEqual(CorpusStore.decode("[[1,2]"), [])
        XCTAssertEqual(CorpusStore.decode("garbage"), [])
    }

    private func curatedSpans(_ store: CorpusStore) throws -> [Int64: [Span]] {
        var result: [Int64: [Span]] = [:]
        for pair in try store.pairs(in: try store.layer(.curated)) { result[pair.drug.mentionID!, default: []].append(pair.span) }
        return result
    }
}
