import Core
import Foundation
import GRDB
import XCTest
@testable import Corpus

/// The teacher's tables: one answer per sentence and run, written whole or not at all.
final class TeacherStoreTests: XCTestCase {
    private func store() throws -> (CorpusStore, SentenceView) {
        let store = try temporaryStore(self)
        let text = "Aspirin caused tinnitus and gastric bleeding."
        let batch = ImportBatch(format: "test", path: "t", sha256: "teacher-store", sentences: [
            .init(documentKey: "test:1", text: text, drugs: [
                .init(span: Span(0, 7), text: "Aspirin", normalized: "aspirin", ades: [.init(span: Span(15, 23), text: "tinnitus")]),
            ]),
        ])
        _ = try store.ingest(batch, into: .gold)
        let view = try XCTUnwrap(try store.sentenceViews(layer: try store.layer(.gold)).first)
        return (store, view)
    }

    private func answer(_ view: SentenceView, key: String = "k1", fromCache: Bool = false,
                        spans: [Span] = [Span(15, 23)]) -> TeacherSentenceAnswer {
        let text = ScalarText(view.text)
        let mention = view.drugs[0].mentionID
        return TeacherSentenceAnswer(
            sentenceID: view.id,
            exchange: TeacherExchange(cacheKey: key, model: "m", prompt: "[user]\nMessage: …", request: "{}",
                                      response: "Aspirin: tinnitus|ringing", promptTokens: 100, completionTokens: 7,
                                      fromCache: fromCache),
            answeredMentions: [mention],
            ades: spans.map { TeacherADE(drugMentionID: mention, span: $0, text: text.text(at: $0) ?? "?") },
            ungrounded: [UngroundedProposal(drug: "Aspirin", drugMentionID: mention, text: "ringing", reason: .adeNotInSentence)],
            cost: 0.25)
    }

    func testMigrationIsRegistered() throws {
        let (store, _) = try store()
        XCTAssertEqual(Array(try store.appliedMigrations().prefix(2)), ["v1-corpus", "v2-teacher"])
    }

    func testAnAnswerIsWrittenOnceAndReadBack() throws {
        let (store, view) = try store()
        let layer = try store.createTeacherRun(.init(model: "m"))
        let run = try XCTUnwrap(layer.version)
        XCTAssertTrue(try store.recordTeacherAnswer(answer(view), layer: layer))
        XCTAssertFalse(try store.recordTeacherAnswer(answer(view), layer: layer), "a second answer is refused")
        XCTAssertEqual(try store.pairs(in: layer).map(\.span), [Span(15, 23)])
        XCTAssertEqual(try store.answeredItemCount(layer), 1)
        XCTAssertEqual(try store.teacherAnsweredSentences(run: run), [view.id])
        XCTAssertEqual(try store.ungroundedProposals(sentenceID: view.id, teacherRun: run),
                       [UngroundedProposal(drug: "Aspirin", drugMentionID: view.drugs[0].mentionID, text: "ringing", reason: .adeNotInSentence)])
        let exchange = try XCTUnwrap(try store.teacherExchange(sentenceID: view.id, teacherRun: nil))
        XCTAssertEqual(exchange.response, "Aspirin: tinnitus|ringing")
        XCTAssertFalse(exchange.fromCache)
        XCTAssertEqual(try store.sentencesWithUngrounded(teacherRun: run), [view.id])
        let other = try XCTUnwrap(try store.createTeacherRun(.init(model: "m")).version)
        XCTAssertEqual(try store.sentencesWithUngrounded(teacherRun: other), [], "per run")
        var stats = TeacherRunStats()
        stats.answered = 1
        stats.requests = 1
        stats.hallucinations = 1
        stats.promptTokens = 100
        stats.completionTokens = 7
        stats.cost = 0.25
        XCTAssertEqual(try store.teacherRunStats(run: run), stats)
        XCTAssertEqual(try store.cachedTeacherExchange(key: "k1")?.fromCache, true)
        XCTAssertNil(try store.cachedTeacherExchange(key: "other"))
    }

    func testCachedAnswersCostNothingAndShareTheExchange() throws {
        let (store, view) = try store()
        let first = try store.createTeacherRun(.init(model: "m"))
        let second = try store.createTeacherRun(.init(model: "m"))
        try store.recordTeacherAnswer(answer(view), layer: first)
        try store.recordTeacherAnswer(answer(view, fromCache: true), layer: second)
        let stats = try store.teacherRunStats(run: try XCTUnwrap(second.version))
        XCTAssertEqual(stats.cacheHits, 1)
        XCTAssertEqual(stats.requests, 0)
        XCTAssertEqual(stats.promptTokens, 0)
        XCTAssertEqual(stats.cost, 0)
        XCTAssertEqual(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM teacher_exchange") }, 1)
        XCTAssertEqual(try store.teacherExchange(sentenceID: view.id, teacherRun: nil)?.fromCache, true, "latest run")
        XCTAssertEqual(try store.teacherExchange(sentenceID: view.id, teacherRun: first.version)?.fromCache, false)
        XCTAssertEqual(try store.ungroundedProposals(sentenceID: view.id, teacherRun: nil).count, 1)
    }

    func testABadSpanLeavesNothingOfTheAnswer() throws {
        let (store, view) = try store()
        let layer = try store.createTeacherRun(.init(model: "m"))
        var bad = answer(view, spans: [Span(15, 23), Span(0, 3)])
        bad.ades[1].text = "not the text"
        XCTAssertThrowsError(try store.recordTeacherAnswer(bad, layer: layer))
        let run = try XCTUnwrap(layer.version)
        XCTAssertEqual(try store.teacherAnsweredSentences(run: run), [])
        XCTAssertEqual(try store.pairs(in: layer), [])
        XCTAssertEqual(try store.answeredItemCount(layer), 0)
        XCTAssertEqual(try store.ungroundedProposals(sentenceID: view.id, teacherRun: run), [])
        XCTAssertNil(try store.cachedTeacherExchange(key: "k1"))
        XCTAssertEqual(try store.teacherRunStats(run: run), TeacherRunStats())
    }

    func testErrorsAreCountedAndOnlyTeacherLayersTakeAnswers() throws {
        let (store, view) = try store()
        let layer = try store.createTeacherRun(.init(model: "m"))
        try store.recordTeacherErrors(run: try XCTUnwrap(layer.version), count: 2)
        XCTAssertEqual(try store.teacherRunStats(run: try XCTUnwrap(layer.version)).errors, 2)
        XCTAssertThrowsError(try store.recordTeacherAnswer(answer(view), layer: try store.layer(.gold))) { error in
            XCTAssertEqual(error as? TeacherStoreError, .notATeacherRun("gold"))
        }
        XCTAssertEqual(try store.ungroundedProposals(sentenceID: view.id, teacherRun: 99), [])
        XCTAssertNil(try store.teacherExchange(sentenceID: view.id, teacherRun: 99))
    }

    func testNoTeacherRunMeansNoProposals() throws {
        let (store, view) = try store()
        XCTAssertEqual(try store.ungroundedProposals(sentenceID: view.id, teacherRun: nil), [])
        XCTAssertNil(try store.teacherExchange(sentenceID: view.id, teacherRun: nil))
    }
}
