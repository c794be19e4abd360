import Foundation
import Tensor
import XCTest

/// The experiment commands on SampleData with the tiny random BERT of the student tests:
/// `vigil cv`, `vigil train --fraction`, `vigil eval --min-drugs`.
final class ExperimentCLITests: XCTestCase {
    private var tinyBERT: String { packageRoot.appendingPathComponent("Tests/StudentTests/Fixtures/tiny-bert").path }

    /// A CLI over SampleData's gold layer with an 8:1:1 split, and the start of a one-epoch
    /// `train` command on the tiny BERT.
    private func holdoutCLI() throws -> (cli: CLIHarness, train: [String]) {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["split", "--ratio", "8:1:1", "--seed", "3"])
        return (cli, ["train", "--source", "gold", "--encoder", tinyBERT, "--epochs", "1", "--lr", "1e-3"])
    }

    /// Runs `arguments` with `--out DIR` and asserts it fails, its message names every one of
    /// `mentions`, and DIR is never created.
    private func assertRefused(_ cli: CLIHarness, _ arguments: [String], mentions: [String],
                               environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws {
        let out = cli.directory.path + "/refused-\(UUID().uuidString)"
        let result = try cli.run(arguments + ["--out", out], environment: environment)
        XCTAssertNotEqual(result.status, 0, file: file, line: line)
        XCTAssertTrue(mentions.allSatisfy(result.stderr.contains), result.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written", file: file, line: line)
    }

    /// The recorded `params[key]` of every model version.
    private func recordedParams(_ cli: CLIHarness, _ key: String) throws -> [String] {
        try modelVersions(cli).compactMap { ($0["params"] as? [String: String])?[key] }
    }

    /// `vigil models --json`, parsed.
    private func modelVersions(_ cli: CLIHarness) throws -> [[String: Any]] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try cli.ok(["models", "--json"]).utf8)) as? [[String: Any]])
    }

    /// Gold pairs per sentence in SampleData/gold.jsonl, and which sentences name 2+ distinct drugs.
    private func goldPairs() throws -> (all: Int, multiDrug: Int) {
        var all = 0, multi = 0
        for line in try String(contentsOfFile: sample("gold.jsonl"), encoding: .utf8).split(separator: "\n") {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let drugs = try XCTUnwrap(object["drugs"] as? [[String: Any]])
            let pairs = drugs.reduce(0) { $0 + (($1["ades"] as? [Any])?.count ?? 0) }
            all += pairs
            if Set(drugs.compactMap { ($0["name"] as? String)?.lowercased() }).count >= 2 { multi += pairs }
        }
        return (all, multi)
    }

    func testEvalMinDrugsScoresOnlyMultiDrugSentences() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["import", "jsonl", sample("teacher.jsonl"), "--layer", "teacher"])
        let expected = try goldPairs()
        XCTAssertGreaterThan(expected.multiDrug, 0, "SampleData has multi-drug sentences with ADEs")
        let all = try cli.json(["eval", "--pred", "teacher", "--json"])
        let multi = try cli.json(["eval", "--pred", "teacher", "--min-drugs", "2", "--json"])
        func goldCount(_ report: [String: Any]) throws -> Int {
            let strict = try XCTUnwrap(report["strict"] as? [String: Double])
            return Int(strict["tp"]! + strict["fn"]!)
        }
        XCTAssertEqual(try goldCount(all), expected.all)
        XCTAssertEqual(try goldCount(multi), expected.multiDrug)
        XCTAssertTrue(try cli.ok(["eval", "--pred", "teacher", "--min-drugs", "2"]).contains("with 2+ drugs"))
        let bad = try cli.run(["eval", "--pred", "teacher", "--min-drugs", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--min-drugs"), bad.stderr)
    }

    func testCrossValidationTrainsEveryFoldAndPoolsTheCounts() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["split", "--folds", "3", "--seed", "2"])
        let out = cli.directory.path + "/cv", reportPath = cli.directory.path + "/cv.json"
        let text = try cli.ok(["cv", "--split", "cv3", "--encoder", tinyBERT, "--epochs", "1", "--lr", "1e-3", "--batch", "8",
                               "--dev-fraction", "0.2", "--out", out, "--report", reportPath])
        XCTAssertTrue(text.contains("micro"), text)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath)))
            as? [String: Any])
        let folds = try XCTUnwrap(report["folds"] as? [[String: Any]])
        XCTAssertEqual(folds.map { $0["fold"] as? String }, ["fold0", "fold1", "fold2"])
        // Every gold pair is in exactly one test fold: the pooled strict tp + fn is the corpus's.
        let micro = try XCTUnwrap(report["micro"] as? [String: [String: Double]])
        let strict = try XCTUnwrap(micro["strict"])
        XCTAssertEqual(Int(strict["tp"]! + strict["fn"]!), try goldPairs().all)
        let multi = try XCTUnwrap(micro["strict, 2+ drugs"])
        XCTAssertEqual(Int(multi["tp"]! + multi["fn"]!), try goldPairs().multiDrug, "the multi-drug subset pooled too")
        let sum = folds.reduce(0.0) { $0 + ((($1["strict"] as? [String: Any])?["tp"] as? NSNumber)?.doubleValue ?? -1) }
        XCTAssertEqual(sum, strict["tp"]!)
        XCTAssertNotNil((report["macro"] as? [String: Double])?["strict_f1_mean"])

        // Each fold's assignment is a saved split: its test part is the fold, the rest train and dev.
        let stats = try cli.json(["stats", "--json"])
        let splits = try XCTUnwrap(stats["splits"] as? [String: [String: Int]])
        for k in 0..<3 {
            let derived = try XCTUnwrap(splits["cv3-fold\(k)"], "\(splits.keys)")
            XCTAssertEqual(derived["test"], splits["cv3"]?["fold\(k)"])
            XCTAssertEqual(derived.values.reduce(0, +), splits["cv3"]?.values.reduce(0, +))
            XCTAssertGreaterThan(derived["dev"] ?? 0, 0)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/fold\(k)/model.safetensors"))
        }
        let models = try modelVersions(cli)
        XCTAssertEqual(models.filter { ($0["metrics"] as? [String: Any])?.keys.contains { $0.hasPrefix("cv3-fold") } ?? false }.count, 3)

        let unknown = try cli.run(["cv", "--split", "cv3", "--fold", "fold7", "--encoder", tinyBERT])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("fold7"), unknown.stderr)
    }

    /// `vigil predict` without --model uses the newest trained version and says which; its run
    /// is listed apart from the model versions (issue 26 item 13).
    func testPredictWithoutAModelUsesTheLatestTrainedVersion() throws {
        let (cli, train) = try holdoutCLI()
        let out = cli.directory.path + "/m1"
        try cli.ok(train + ["--out", out])
        let result = try cli.run(["predict", "--split", "holdout:test"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("using the latest trained model version, student:1 at \(out)"), result.stderr)
        let versions = try modelVersions(cli)
        XCTAssertEqual(versions.map { $0["kind"] as? String }, ["trained", "prediction"])
        XCTAssertEqual(versions.last?["path"] as? String, out)
        let log = try cli.ok(["jobs", "--log", "2"])  // job 1 trained, job 2 predicted
        XCTAssertTrue(log.contains("using the latest trained model version"), log)
    }

    func testTrainFractionUsesANestedShareOfTheSentences() throws {
        let (cli, train) = try holdoutCLI()
        var items: [Int] = []
        for fraction in ["0.25", "0.5"] {
            let line = try cli.ok(train + ["--fraction", fraction, "--out", cli.directory.path + "/m" + fraction])
            let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(line.split(separator: "\n").last).utf8))
                as? [String: Any])
            items.append(try XCTUnwrap(summary["train_items"] as? Int))
        }
        XCTAssertLessThan(items[0], items[1])
        XCTAssertEqual(try recordedParams(cli, "fraction"), ["0.25", "0.5"])
        let bad = try cli.run(["train", "--fraction", "1.5", "--encoder", tinyBERT])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--fraction"), bad.stderr)
    }

    /// `--precision`: `auto` by default, which is bf16 where the CPU has AMX-BF16; without AMX
    /// and AVX512-BF16 (`VIGIL_NO_AMX=1 VIGIL_NO_AVX512BF16=1` stand in for such a CPU) `auto` and
    /// the default train in fp32 and record it, and `bf16` and `bf16-all` are refused with a
    /// message naming the way out.
    func testPrecisionFallsBackToFP32AndRefusesBF16WithoutAMX() throws {
        let (cli, common) = try holdoutCLI()
        let noAMX = ["VIGIL_NO_AMX": "1", "VIGIL_NO_AVX512BF16": "1"]
        for option in ["bf16", "bf16-all"] {
            try assertRefused(cli, common + ["--precision", option], mentions: ["AMX-BF16", "--precision fp32"], environment: noAMX)
        }
        let unknown = try cli.run(common + ["--precision", "fp16"], environment: noAMX)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("The value 'fp16' is invalid for '--precision")
                      && unknown.stderr.contains("'bf16-all'"), "the parser names the values: \(unknown.stderr)")
        let auto = try cli.run(common + ["--precision", "auto", "--out", cli.directory.path + "/auto"], environment: noAMX)
        XCTAssertEqual(auto.status, 0, auto.stderr)
        XCTAssertTrue(auto.stderr.contains("fp32 products"), "the log says what ran: \(auto.stderr)")
        let withoutAMX = try cli.run(common + ["--out", cli.directory.path + "/default-no-amx"], environment: noAMX)
        XCTAssertEqual(withoutAMX.status, 0, withoutAMX.stderr)
        let byDefault = try cli.run(common + ["--out", cli.directory.path + "/default"])
        XCTAssertEqual(byDefault.status, 0, byDefault.stderr)
        XCTAssertEqual(try recordedParams(cli, "precision"), ["fp32", "fp32", BF16GEMM.path == .amx ? "bf16" : "fp32"])
        XCTAssertEqual(try recordedParams(cli, "bf16_path"), ["none", "none", BF16GEMM.path == .amx ? "AMX" : "none"])
    }

    /// On each bf16 path the CPU has (AMX, AVX512-BF16), `bf16` and `bf16-all` train, and the
    /// log and the version say which precision and which path ran; with AMX switched off by
    /// `VIGIL_NO_AMX`, an AVX512-BF16 CPU takes its own path. A path the CPU lacks, or that
    /// `VIGIL_NO_AMX` / `VIGIL_NO_AVX512BF16` in the test's environment switches off, is not tried.
    func testBF16PrecisionsTrainAndAreRecorded() throws {
        let paths = BF16GEMM.enabledPaths()
        try XCTSkipIf(paths.isEmpty, "the CPU has neither AMX-BF16 nor AVX512-BF16 (or VIGIL_NO_AMX / VIGIL_NO_AVX512BF16 "
                      + "switch them off): bf16 training never runs here")
        let (cli, common) = try holdoutCLI()
        var expected: [String] = [], expectedPaths: [String] = []
        for path in paths {
            // Switch off every path before this one, so this one is chosen.
            let environment = Dictionary(uniqueKeysWithValues: BF16GEMM.Path.allCases.prefix { $0 != path }
                .map { ($0.disablingVariable, "1") })
            for (option, log) in [("bf16", "fp32 weight gradients"), ("bf16-all", "weight gradients included")] {
                let run = try cli.run(common + ["--precision", option, "--out", cli.directory.path + "/\(option)-\(path)"],
                                      environment: environment)
                XCTAssertEqual(run.status, 0, run.stderr)
                XCTAssertTrue(run.stderr.contains("bf16 products (\(path.rawValue)), " + log), "the log says what ran: \(run.stderr)")
                expected.append(option)
                expectedPaths.append(path.rawValue)
            }
        }
        XCTAssertEqual(try recordedParams(cli, "precision"), expected)
        XCTAssertEqual(try recordedParams(cli, "bf16_path"), expectedPaths)
    }
    /// `vigil predict --precision`: fp32 always runs; `bf16` is refused, naming the fix, where the
    /// CPU has no AVX512-BF16 (or `VIGIL_NO_AVX512BF16` is set) and `auto` falls back to fp32 there;
    /// where the CPU has it, `auto` and `bf16` run bf16 products. Each run says which ran.
    func testPredictPrecisionIsChosenByTheCPUAndSaid() throws {
        let (cli, common) = try holdoutCLI()
        let model = cli.directory.path + "/model"
        try cli.ok(common + ["--split", "holdout", "--out", model])
        let predict = ["predict", "--model", model, "--split", "holdout:test"]
        let off = ["VIGIL_NO_AVX512BF16": "1"]
        let fp32 = try cli.run(predict + ["--precision", "fp32"])
        XCTAssertEqual(fp32.status, 0, fp32.stderr)
        XCTAssertTrue(fp32.stdout.contains("fp32 products"), fp32.stdout)
        let autoOff = try cli.run(predict, environment: off)
        XCTAssertEqual(autoOff.status, 0, autoOff.stderr)
        XCTAssertTrue(autoOff.stdout.contains("fp32 products"), autoOff.stdout)
        let refused = try cli.run(predict + ["--precision", "bf16"], environment: off)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("AVX512-BF16") && refused.stderr.contains("--precision fp32"), refused.stderr)
        let unknown = try cli.run(predict + ["--precision", "fp16"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("The value 'fp16' is invalid for '--precision")
                      && unknown.stderr.contains("'bf16'") && !unknown.stderr.contains("bf16-all"), unknown.stderr)
        guard BF16GEMM.inferenceAvailable else { return }
        for option in ["auto", "bf16"] {
            let run = try cli.run(predict + ["--precision", option])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("bf16 products"), "\(option): \(run.stdout)")
        }
    }

    /// `vigil predict --decoding` takes the model's rules by name; anything else is the
    /// parser's error, listing them, before a model is loaded.
    func testPredictDecodingIsOneOfItsRules() throws {
        let (cli, common) = try holdoutCLI()
        let model = cli.directory.path + "/model"
        try cli.ok(common + ["--split", "holdout", "--out", model])
        let predict = ["predict", "--model", model, "--split", "holdout:test", "--precision", "fp32"]
        let bad = try cli.run(predict + ["--decoding", "words"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("words") && bad.stderr.contains("first-piece"), bad.stderr)
        XCTAssertFalse(bad.stdout.contains("ADE spans"), "nothing tagged: \(bad.stdout)")
        for rule in ["pieces", "first-piece"] {
            let run = try cli.run(predict + ["--decoding", rule])
            XCTAssertEqual(run.status, 0, "\(rule): \(run.stderr)")
        }
    }

    func testDrugPairsAreValidatedUsedAndRecorded() throws {
        let (cli, common) = try holdoutCLI()
        try assertRefused(cli, common + ["--drug-pairs", "1.5"], mentions: ["--drug-pairs", "1.5"])
        let paired = try cli.run(common + ["--drug-pairs", "0.5", "--out", cli.directory.path + "/paired"])
        XCTAssertEqual(paired.status, 0, paired.stderr)
        // The tiny model's 64 pieces hold no two of these sentences: the log says so.
        XCTAssertTrue(paired.stderr.contains("no synthetic two-drug sentences"), paired.stderr)
        XCTAssertEqual(try recordedParams(cli, "drug_pairs"), ["0.5"])
    }

    func testBystandersFlagReachesTheRunAndIsRecorded() throws {
        let (cli, train) = try holdoutCLI()
        let result = try cli.run(train + ["--bystanders", "--out", cli.directory.path + "/bystanders"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("of them bystander drugs"), result.stderr)
        XCTAssertEqual(try recordedParams(cli, "bystanders"), ["true"])
    }

    func testResidualHeadTrainsAndIsRecordedAndUnknownHeadsAreRefused() throws {
        let (cli, common) = try holdoutCLI()
        try assertRefused(cli, common + ["--head", "biaffine"], mentions: ["The value 'biaffine' is invalid for '--head", "'residual'"])
        let result = try cli.run(common + ["--head", "residual", "--out", cli.directory.path + "/residual"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try modelVersions(cli).compactMap { $0["head"] as? String }, ["residual"])
        let settings = try String(contentsOfFile: cli.directory.path + "/residual/vigil.json", encoding: .utf8)
        XCTAssertTrue(settings.contains("\"head\" : \"residual\""), settings)
        let weights = try Data(contentsOf: URL(fileURLWithPath: cli.directory.path + "/residual/model.safetensors"))
        XCTAssertNotNil(weights.range(of: Data("vigil_head.linear.weight".utf8)), "the linear term is saved")
        let alias = try cli.run(common + ["--head", "interaction", "--out", cli.directory.path + "/interaction"])
        XCTAssertEqual(alias.status, 0, "interaction is accepted for interact: \(alias.stderr)")
        XCTAssertEqual(try modelVersions(cli).compactMap { $0["head"] as? String }, ["residual", "interaction"])
    }
}
