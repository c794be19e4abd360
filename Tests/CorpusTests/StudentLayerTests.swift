import Core
import XCTest
@testable import Corpus

/// Student layers: one transaction per model version, spans with confidences, full coverage.
final class StudentLayerTests: XCTestCase {
    func corpus() throws -> (CorpusStore, [PredictionInput]) {
        let store = try temporaryStore(self)
        let text = "Rash and fever after penicillin and aspirin."
        let batch = ImportBatch(format: "test", path: "test", sha256: "student-layer", sentences: [
            .init(documentKey: "d1", text: text, drugs: [
                .init(span: Span(21, 31), text: "penicillin", normalized: "penicillin"),
                .init(span: Span(36, 43), text: "aspirin", normalized: "aspirin"),
            ]),
            .init(documentKey: "d1", text: "No drug here.", drugs: []),
        ])
        _ = try store.ingest(batch, into: .gold)
        return (store, try store.predictionInputs())
    }

    func testMigrationAddsConfidence() throws {
        XCTAssertTrue(try temporaryStore(self).appliedMigrations().contains("v3-student"))
    }

    func testPredictionInputsListSentencesWithDrugs() throws {
        let (_, inputs) = try corpus()
        XCTAssertEqual(inputs.count, 1)
        XCTAssertEqual(inputs[0].drugs.map(\.span), [Span(21, 31), Span(36, 43)])
    }

    func testWritesSpansConfidencesAndCoverageInOneLayer() throws {
        let (store, inputs) = try corpus()
        let input = inputs[0]
        let layer = try store.writeStudentLayer(.init(path: "/m", head: "concat"), predictions: [
            StudentPrediction(sentenceID: input.sentenceID, mentionID: input.drugs[0].mentionID,
                              spans: [(Span(0, 4), 0.9), (Span(9, 14), 0.75)]),
            StudentPrediction(sentenceID: input.sentenceID, mentionID: input.drugs[1].mentionID, spans: []),
        ])
        XCTAssertEqual(layer.kind, .student)
        XCTAssertEqual(try store.layer(LayerRef(.student)).id, layer.id)
        XCTAssertEqual(try store.answeredItemCount(layer), 2, "a drug without ADE is answered too")
        XCTAssertEqual(Set(try store.pairs(in: layer).map(\.span)), [Span(0, 4), Span(9, 14)])
        XCTAssertEqual(try store.adeConfidences(layer).map(\.confidence), [0.9, 0.75])
    }

    func testASpanOutsideTheSentenceWritesNothing() throws {
        let (store, inputs) = try corpus()
        let input = inputs[0]
        XCTAssertThrowsError(try store.writeStudentLayer(.init(), predictions: [
            StudentPrediction(sentenceID: input.sentenceID, mentionID: input.drugs[0].mentionID, spans: [(Span(0, 4), 0.9)]),
            StudentPrediction(sentenceID: input.sentenceID, mentionID: input.drugs[1].mentionID, spans: [(Span(40, 99), 0.9)]),
        ]))
        XCTAssertThrowsError(try store.layer(LayerRef(.student)), "no model version or layer is left behind")
    }
}
