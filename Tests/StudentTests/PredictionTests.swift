import Core
import Corpus
import XCTest
@testable import Student

/// `PredictionRun`: the tiny model over a small corpus, written as one student layer.
final class PredictionTests: XCTestCase {
    func corpus() throws -> CorpusStore {
        let store = try CorpusStore(path: try Fixtures.temporaryFolder(self) + "/vigil.sqlite", create: true)
        let sentences: [(String, [(Int, Int)])] = [
            ("The patient developed severe rash after cyclosporine.", [(40, 52)]),
            ("Amiodarone-induced hepatitis, then lithium toxicity.", [(0, 10), (35, 42)]),
            ("Cisplatin neurotoxicity was severe in 5 patients.", [(0, 9)]),
            ("No drug is named here.", []),
        ]
        let batch = ImportBatch(format: "test", path: "test", sha256: "prediction", sentences: sentences.map { text, drugs in
            let scalars = ScalarText(text)
            return .init(documentKey: "doc", text: text, drugs: drugs.map {
                .init(span: Span($0.0, $0.1), text: scalars[Span($0.0, $0.1)], normalized: scalars[Span($0.0, $0.1)].lowercased())
            })
        })
        _ = try store.ingest(batch, into: .gold)
        return store
    }

    func testWritesOneAnsweredItemPerDrugWithTheModelsSpans() throws {
        let store = try corpus()
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        var reports: [(Int, Int)] = []
        let result = try PredictionRun(model: model, modelPath: Fixtures.tinyBERT, batchSize: 2)
            .run(store: store, progress: { reports.append(($0, $1)) })
        XCTAssertEqual(result.sentences, 3)
        XCTAssertEqual(reports.last.map { [$0.0, $0.1] }, [3, 3])
        XCTAssertEqual(try store.answeredItemCount(result.layer), 4)
        // The layer holds exactly what the model tags, sentence by sentence.
        let inputs = try store.predictionInputs()
        let tagged = try model.tag(inputs.map { TaggerInput(text: $0.text, drugs: $0.drugs.map(\.span)) })
        let expected = Set(zip(inputs, tagged).flatMap { input, perDrug in
            zip(input.drugs, perDrug).flatMap { drug, spans in spans.map { "\(drug.mentionID):\($0.span)" } }
        })
        let stored = try store.adeConfidences(result.layer)
        XCTAssertEqual(Set(stored.map { "\($0.mentionID):\($0.span)" }), expected)
        XCTAssertEqual(result.spans, expected.count)
        XCTAssertTrue(stored.allSatisfy { ($0.confidence ?? -1) > Double(model.settings.threshold) && ($0.confidence ?? 2) <= 1 })
    }

    func testStoppingLeavesNoLayer() throws {
        let store = try corpus()
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        var batches = 0
        XCTAssertThrowsError(try PredictionRun(model: model, modelPath: Fixtures.tinyBERT, batchSize: 1).run(
            store: store, progress: { _, _ in batches += 1 }, shouldStop: { batches >= 2 })) {
            XCTAssertEqual($0 as? PredictionError, .cancelled(done: 1, total: 3))
        }
        XCTAssertThrowsError(try store.layer(LayerRef(.student)))
    }
}
