import Core
import Corpus
import Foundation
import XCTest

/// `vigil models` lists registered student versions with their scores.
final class ModelsCLITests: XCTestCase {
    func testModelsListsVersionsWithMetricsAsJSONAndText() throws {
        let cli = try CLIHarness(self)
        let store = try CorpusStore(path: cli.db, create: true)
        XCTAssertTrue(try cli.ok(["models"]).contains("no model versions"))
        XCTAssertEqual(try cli.ok(["models", "--json"]).trimmingCharacters(in: .whitespacesAndNewlines), "[]")
        let first = try store.createModelVersion(.init(path: "models/v1", encoder: "minilm-l6", head: "concat",
                                                       source: "gold", params: ["train_seconds": "212.5", "epochs": "10",
                                                                                "best_epoch": "7"]))
        _ = try store.createModelVersion(.init(path: "models/v2", encoder: "minilm-l6", head: "interact", source: "curated"))
        try store.recordModelMetrics(try XCTUnwrap(first.version), on: "holdout:test",
                                     LayerScores(strict: Score(tp: 8, fp: 2, fn: 2), lenient: Score(tp: 9, fp: 1, fn: 1)))

        let data = Data(try cli.ok(["models", "--json"]).utf8)
        let array = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        XCTAssertEqual(array.count, 2)
        XCTAssertEqual(array.map { $0["path"] as? String }, ["models/v1", "models/v2"])
        XCTAssertEqual(array[0]["id"] as? Int, Int(first.version ?? -1))
        let metrics = try XCTUnwrap(array[0]["metrics"] as? [String: [String: [String: Double]]])
        XCTAssertEqual(try XCTUnwrap(metrics["holdout:test"]?["strict"]?["f1"]), 0.8, accuracy: 1e-9)
        XCTAssertEqual((array[1]["metrics"] as? [String: Any])?.count, 0)

        let table = try cli.ok(["models"])
        XCTAssertTrue(table.contains("80.00"), table)
        XCTAssertTrue(table.contains("90.00"), table)
        XCTAssertTrue(table.contains("212 s") || table.contains("213 s"), table)
        XCTAssertTrue(table.contains("7/10 "), "the kept epoch of those trained: \(table)")
    }

    /// Prediction runs and imported predictions are student layers, not model versions: the table
    /// lists what training made, the others apart (issue 26 item 13).
    func testPredictionRunsAreListedApartFromModelVersions() throws {
        let cli = try CLIHarness(self)
        let store = try CorpusStore(path: cli.db, create: true)
        _ = try store.createModelVersion(.init(path: "/m/v1", encoder: "minilm-l6", head: "concat", source: "gold"))
        _ = try store.createModelVersion(.init(path: "/m/v1", encoder: "minilm-l6", head: "concat", source: "predict",
                                               params: ["selection": "holdout:test"]))
        _ = try store.createModelVersion(.init(source: "import", params: ["source": "runs/preds.jsonl"]))
        let lines = try cli.ok(["models"]).components(separatedBy: "\n")
        let apart = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("prediction runs and imported predictions") }, "\(lines)")
        let table = lines[..<apart].filter { $0.first?.isNumber == true }
        XCTAssertEqual(table.count, 1, "one model version: \(lines)")
        XCTAssertTrue(table[0].hasPrefix("1 ") && table[0].hasSuffix("/m/v1"), table[0])
        let below = lines[apart...].joined(separator: "\n")
        XCTAssertTrue(below.contains("student:2") && below.contains("predict") && below.contains("holdout:test"), below)
        XCTAssertTrue(below.contains("student:3") && below.contains("runs/preds.jsonl"), below)
        let kinds = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try cli.ok(["models", "--json"]).utf8))
            as? [[String: Any]]).map { $0["kind"] as? String }
        XCTAssertEqual(kinds, ["trained", "prediction", "imported"])
    }

    func testPredictWithoutAModelSaysThereIsNoTrainedVersion() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let store = try CorpusStore(path: cli.db)
        _ = try store.createModelVersion(.init(path: "/m/v1", source: "predict"))
        let result = try cli.run(["predict"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("no --model given and no trained model version in this corpus"), result.stderr)
        _ = try store.createModelVersion(.init(path: cli.path("gone"), source: "gold"))
        let gone = try cli.run(["predict"])
        XCTAssertTrue(gone.stderr.contains("the latest trained model version, student:2, has no model at \(cli.path("gone"))"),
                      gone.stderr)
    }
}
