import Core
import Corpus
import Foundation
import XCTest
@testable import Student

/// `TrainingRun` on the tiny model over a small gold corpus: the folder, the model version, its
/// test layer and metrics; cancelling leaves neither folder nor version.
final class TrainingRunTests: XCTestCase {
    /// The eight training-test sentences (or `sentences`) as gold, split 6 train / 1 dev / the rest test.
    func corpus(_ list: [(String, String, [String])] = TrainingTests.sentences) throws -> (CorpusStore, String) {
        let folder = try Fixtures.temporaryFolder(self)
        let store = try CorpusStore(path: folder + "/vigil.sqlite", create: true)
        let sentences = list.map { text, drug, ades in
            let scalars = ScalarText(text), span = TrainingTests.span(drug, in: text)
            return ImportBatch.Sentence(documentKey: "doc", text: text, drugs: [
                .init(span: span, text: scalars[span], normalized: drug, ades: ades.map {
                    let a = TrainingTests.span($0, in: text)
                    return .init(span: a, text: scalars[a])
                }),
            ])
        }
        _ = try store.ingest(ImportBatch(format: "test", path: "test", sha256: "training", sentences: sentences), into: .gold)
        let ids = try store.predictionInputs().map(\.sentenceID).sorted()
        var assignment: [Int64: String] = [:]
        for (k, id) in ids.enumerated() { assignment[id] = k < 6 ? "train" : (k == 6 ? "dev" : "test") }
        try store.saveSplit(name: "holdout", method: "test", seed: nil, assignment: assignment)
        return (store, folder)
    }

    func run(_ folder: String, head: HeadKind = .concat) -> TrainingRun {
        TrainingRun(encoderDirectory: Fixtures.tinyBERT, head: head, mlpSize: 16, source: .gold, split: "holdout",
                    options: TrainingOptions(epochs: 2, learningRate: 1e-3, batchSize: 4, seed: 3), outputDirectory: folder + "/model")
    }

    func testTrainsSavesRegistersPredictsAndScores() throws {
        let (store, folder) = try corpus()
        var reports: [TrainingProgress] = [], lines: [String] = []
        let result = try run(folder, head: .interaction).run(store: store, progress: { reports.append($0) },
                                                             log: { lines.append($0) })
        XCTAssertEqual(result.trainInstances, 6)
        XCTAssertEqual(reports.last?.step, reports.last?.steps)
        XCTAssertEqual(reports.map(\.epoch).max(), 2)
        XCTAssertTrue(reports.allSatisfy { $0.loss.isFinite && $0.instancesPerSecond > 0 })
        XCTAssertTrue(lines.contains { $0.hasPrefix("epoch 2/2") }, "\(lines)")

        let loaded = try StudentModel.load(directory: result.path)
        XCTAssertEqual(loaded.settings.head, .interaction)
        XCTAssertEqual(loaded.settings.mlpSize, 16)
        XCTAssertTrue(FileManager.default.fileExists(atPath: result.path + "/vigil-training.json"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted().filter { $0.hasPrefix("model") },
                       ["model"], "no staging folder left beside the model")

        let version = try store.modelVersion(try XCTUnwrap(result.layer.version))
        XCTAssertEqual(version.source, "gold")
        XCTAssertEqual(version.head, "interaction")
        XCTAssertEqual(version.params["epochs"], "2")
        XCTAssertEqual(version.params["best_epoch"], "\(result.bestEpoch)")
        XCTAssertEqual(Set(version.metrics.keys), ["holdout:dev", "holdout:test"])
        XCTAssertEqual(version.metrics["holdout:test"], result.test)
        XCTAssertEqual(try store.answeredItemCount(result.layer), 1, "the test sentence's one drug is answered")
        XCTAssertEqual(loaded.settings.decoding, .firstPiece)
        XCTAssertEqual(version.params["decoding"], "first-piece")
        XCTAssertTrue(ThresholdSearch.defaultMinConfidences.contains(loaded.settings.minConfidence ?? -1))
        XCTAssertEqual(version.params["min_confidence"], "\(loaded.settings.minConfidence ?? -1)")
        XCTAssertTrue(ThresholdSearch.defaultCandidates.contains(loaded.settings.threshold), "\(loaded.settings.threshold)")
        XCTAssertEqual(version.params["threshold"], "\(loaded.settings.threshold)", "the version records the saved threshold")
        XCTAssertTrue(lines.contains { $0.hasPrefix("threshold ") && $0.contains("chosen on holdout:dev") }, "\(lines)")
    }

    func testWithoutTuningTheThresholdStaysOneHalf() throws {
        let (store, folder) = try corpus()
        var training = run(folder)
        training.tuneThreshold = false
        let result = try training.run(store: store)
        XCTAssertEqual(try StudentModel.load(directory: result.path).settings.threshold, 0.5)
    }

    func testCancellingLeavesNoFolderAndNoVersion() throws {
        let (store, folder) = try corpus()
        var steps = 0
        XCTAssertThrowsError(try run(folder).run(store: store, progress: { _ in steps += 1 }, shouldStop: { steps >= 2 })) {
            XCTAssertEqual($0 as? TrainingError, .cancelled(epoch: 2, step: 2))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/model"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("model") }, [])
        XCTAssertEqual(try store.modelVersions().count, 0)
    }

    func testRefusesAnOutputFolderThatHoldsFiles() throws {
        let (store, folder) = try corpus()
        try FileManager.default.createDirectory(atPath: folder + "/model", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/model/keep.txt"))
        XCTAssertThrowsError(try run(folder).run(store: store)) {
            XCTAssertEqual($0 as? TrainingError, .outputExists(path: folder + "/model"))
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/model/keep.txt"))
    }

    func testNoLabelledItemsIsAnErrorNamingSourceAndSentences() throws {
        let (store, folder) = try corpus()
        var training = run(folder)
        training.source = .curated
        XCTAssertThrowsError(try training.run(store: store)) {
            XCTAssertEqual($0 as? TrainingError, .noTrainingData(source: "curated", sentences: "holdout:train"))
        }
    }
}
