import Core
import Foundation
import XCTest
@testable import Corpus

/// Training instances per source (student part 2 reads these).
final class TrainingDataTests: XCTestCase {
    /// Two sentences: s1 with two drugs, s2 with one; gold labels all three items.
    func corpus() throws -> (CorpusStore, [ImportBatch.Sentence]) {
        let store = try temporaryStore(self)
        let sentences = [
            ImportBatch.Sentence(documentKey: "d1", text: "Warfarin caused bleeding but aspirin was fine.", drugs: [
                .init(span: Span(0, 8), text: "Warfarin", normalized: "warfarin",
                      ades: [.init(span: Span(16, 24), text: "bleeding")]),
                .init(span: Span(29, 36), text: "aspirin", normalized: "aspirin"),
            ]),
            ImportBatch.Sentence(documentKey: "d1", text: "Lithium led to tremor and polyuria.", drugs: [
                .init(span: Span(0, 7), text: "Lithium", normalized: "lithium",
                      ades: [.init(span: Span(15, 21), text: "tremor"), .init(span: Span(26, 34), text: "polyuria")]),
            ]),
        ]
        _ = try store.ingest(ImportBatch(format: "t", path: "gold", sha256: "g", sentences: sentences), into: .gold)
        return (store, sentences)
    }

    func testGoldGivesEveryAnsweredItemWithNegatives() throws {
        let (store, _) = try corpus()
        let data = try store.trainingSentences(source: .gold)
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(data[0].items.map(\.drug), [Span(0, 8), Span(29, 36)])
        XCTAssertEqual(data[0].items.map(\.ades), [[Span(16, 24)], []], "aspirin is a negative, not left out")
        XCTAssertEqual(data[1].items[0].ades, [Span(15, 21), Span(26, 34)])
        XCTAssertTrue(data.flatMap(\.items).allSatisfy { $0.origin == .gold })
    }

    func testCuratedUsesDecisionsOnlyAndMixedFallsBackToTheTeacher() throws {
        let (store, sentences) = try corpus()
        // A teacher run that got lithium half right and warfarin wrong.
        var teacher = sentences
        teacher[0].drugs[0].ades = []
        teacher[1].drugs[0].ades = [.init(span: Span(15, 21), text: "tremor")]
        _ = try store.ingest(ImportBatch(format: "t", path: "teacher", sha256: "t", sentences: teacher), into: LayerRef(.teacher))
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        let warfarin = try XCTUnwrap(views.first?.drugs.first)
        XCTAssertEqual(try store.trainingSentences(source: .curated), [], "nothing decided yet")
        try store.decide(ItemKey(sentenceID: views[0].id, drugMentionID: warfarin.mentionID), state: .accepted,
                         spans: [Span(16, 24)], author: "ann")

        let curated = try store.trainingSentences(source: .curated)
        XCTAssertEqual(curated.count, 1)
        XCTAssertEqual(curated[0].items.map(\.mentionID), [warfarin.mentionID])
        XCTAssertEqual(curated[0].items[0].ades, [Span(16, 24)])

        let mixed = try store.trainingSentences(source: try TrainingSource(parsing: "curated+teacher"))
        let items = mixed.flatMap(\.items)
        XCTAssertEqual(items.count, 3)
        XCTAssertEqual(items.map(\.origin), [.curated, .teacher, .teacher])
        XCTAssertEqual(items[0].ades, [Span(16, 24)], "the curator's fix beats the teacher's miss")
        XCTAssertEqual(items[2].ades, [Span(15, 21)])

        let teacherOnly = try store.trainingSentences(source: try TrainingSource(parsing: "teacher"))
        XCTAssertEqual(teacherOnly.flatMap(\.items).map(\.ades), [[], [], [Span(15, 21)]])
    }

    func testSelectionAndSourceParsing() throws {
        let (store, _) = try corpus()
        let ids = try store.sentenceViews(layer: try store.layer(.gold)).map(\.id)
        try store.saveSplit(name: "s", method: "manual", seed: nil, params: [:], assignment: [ids[0]: "train", ids[1]: "test"])
        let train = try store.trainingSentences(source: .gold, selection: try SentenceSelection(parsing: "s:train"))
        XCTAssertEqual(train.map(\.sentenceID), [ids[0]])
        XCTAssertEqual(try TrainingSource(parsing: "teacher:4"), .teacher(LayerRef(.teacher, version: 4)))
        XCTAssertEqual(try TrainingSource(parsing: "curated+teacher:2").description, "curated+teacher:2")
        XCTAssertThrowsError(try TrainingSource(parsing: "student")) { XCTAssertTrue("\($0)".contains("unknown training source")) }
    }
}
