import Foundation
import XCTest

/// The `vigil` command line, run as a user would, on SampleData.
final class CLITests: XCTestCase {
    func testSampleDataImportSplitStatsAndEval() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["import", "jsonl", sample("teacher.jsonl"), "--layer", "teacher"])
        try cli.ok(["split", "--ratio", "8:1:1", "--seed", "3"])
        let stats = try cli.json(["stats", "--json"])
        let sentences = try XCTUnwrap(stats["sentences"] as? Int)
        XCTAssertGreaterThan(sentences, 100)
        XCTAssertNotNil(stats["sentences_with_ade"] as? Int)
        XCTAssertNotNil(stats["drug_mentions"] as? Int)
        let ade = try XCTUnwrap(stats["ade"] as? [String: Int])
        XCTAssertEqual(Set(ade.keys), ["gold", "curated", "teacher:1"])
        let review = try XCTUnwrap(stats["review"] as? [String: Int])
        XCTAssertEqual(review["pending"], stats["drug_mentions"] as? Int)
        let splits = try XCTUnwrap(stats["splits"] as? [String: [String: Int]])
        XCTAssertEqual(splits["holdout"]?.values.reduce(0, +), sentences)

        let eval = try cli.json(["eval", "--pred", "teacher", "--gold", "gold", "--json"])
        XCTAssertEqual(Set(eval.keys), ["strict", "lenient", "pairs"])
        let strict = try XCTUnwrap(eval["strict"] as? [String: Double])
        let lenient = try XCTUnwrap(eval["lenient"] as? [String: Double])
        for key in ["precision", "recall", "f1", "tp", "fp", "fn"] {
            XCTAssertNotNil(strict[key], key)
        }
        for value in [strict["precision"]!, strict["recall"]!, strict["f1"]!, lenient["f1"]!] {
            XCTAssertTrue((0...1).contains(value))
        }
        XCTAssertLessThan(strict["f1"]!, 1, "the sample teacher is noisy")
        XCTAssertGreaterThanOrEqual(lenient["f1"]!, strict["f1"]!)
        let pairs = try XCTUnwrap(eval["pairs"] as? [String: Int])
        XCTAssertEqual(Double(pairs["gold"]!), strict["tp"]! + strict["fn"]!)
        XCTAssertEqual(Double(pairs["pred"]!), strict["tp"]! + strict["fp"]!)

        let onTest = try cli.json(["eval", "--pred", "teacher", "--split", "holdout:test", "--json"])
        let testPairs = try XCTUnwrap(onTest["pairs"] as? [String: Int])
        XCTAssertLessThan(testPairs["gold"]!, pairs["gold"]!)
    }

    func testGoldAgainstItselfIsPerfect() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let eval = try cli.json(["eval", "--pred", "gold", "--json"])
        XCTAssertEqual((eval["strict"] as? [String: Double])?["f1"], 1)
        XCTAssertEqual((eval["lenient"] as? [String: Double])?["f1"], 1)
    }

    func testExportImportEvaluateRoundTripsForEveryFormat() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let before = try cli.json(["stats", "--json"])
        var teacherRun = 0
        for (format, out, importer) in [("jsonl", "g.jsonl", "jsonl"), ("brat", "brat", "brat"),
                                        ("ade", "g.rel", "ade"), ("conll", "g.conll", "conll")] {
            try cli.ok(["export", "--format", format, "--layer", "gold", "--out", cli.path(out)])
            try cli.ok(["import", importer, cli.path(out), "--layer", "teacher"])
            teacherRun += 1
            let eval = try cli.json(["eval", "--pred", "teacher:\(teacherRun)", "--gold", "gold", "--json"])
            for criterion in ["strict", "lenient"] {
                let score = try XCTUnwrap(eval[criterion] as? [String: Double])
                XCTAssertEqual(score["precision"], 1, "\(format) \(criterion)")
                XCTAssertEqual(score["recall"], 1, "\(format) \(criterion)")
                XCTAssertEqual(score["f1"], 1, "\(format) \(criterion)")
            }
        }
        let after = try cli.json(["stats", "--json"])
        XCTAssertEqual(after["sentences"] as? Int, before["sentences"] as? Int, "round trips create no sentence")
        XCTAssertEqual(after["drug_mentions"] as? Int, before["drug_mentions"] as? Int)
    }

    func testMalformedInputIsAnErrorWithFileAndLineAndImportsNothing() throws {
        let cli = try CLIHarness(self)
        let lines = try String(contentsOfFile: sample("gold.jsonl"), encoding: .utf8).split(separator: "\n")
        let bad = cli.path("bad.jsonl")
        try (lines.prefix(5).joined(separator: "\n") + "\n{\"doc\": \"x\", \"text\": 5}\n")
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try cli.run(["import", "jsonl", bad])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(bad):6:"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.db), "a failed first import leaves no corpus behind")
    }

    /// A mistyped --db is an error naming the path, and no empty corpus appears there (issue 26
    /// item 4): only import and demo create a corpus.
    func testCommandsOtherThanImportAndDemoRefuseAMissingCorpus() throws {
        let cli = try CLIHarness(self)
        let typo = cli.path("typo.sqlite")
        let commands: [[String]] = [
            ["stats"], ["eval", "--pred", "teacher"], ["export", "--format", "jsonl", "--out", cli.path("out.jsonl")],
            ["jobs"], ["models"], ["split", "--ratio", "8:1:1"], ["review", "log", "1/1"], ["curve"],
            ["teach", "--teacher", "replay:\(sample("teacher-replay.jsonl"))"], ["train", "--epochs", "1"],
            ["lexicon", "stats"], ["tui"],
        ]
        for command in commands {
            let result = try cli.run(command + ["--db", typo])
            let line = "vigil \(command.joined(separator: " ")): \(result.stderr)"
            XCTAssertNotEqual(result.status, 0, line)
            XCTAssertTrue(result.stderr.contains("\(typo): no corpus there"), line)
            XCTAssertTrue(result.stderr.contains("vigil import"), line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: typo), "\(line): created the file")
        }
        try cli.ok(["import", "jsonl", sample("gold.jsonl"), "--db", typo])
        XCTAssertTrue(FileManager.default.fileExists(atPath: typo), "import creates the corpus")
        XCTAssertTrue(try cli.ok(["stats", "--db", typo]).contains("sentences"))
    }

    func testUnknownLayerAndSplitAreClearErrors() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let layer = try cli.run(["eval", "--pred", "student"])
        XCTAssertNotEqual(layer.status, 0)
        XCTAssertTrue(layer.stderr.contains("layer 'student' does not exist"), layer.stderr)
        let badLayer = try cli.run(["eval", "--pred", "silver"])
        XCTAssertTrue(badLayer.stderr.contains("unknown layer 'silver'"), badLayer.stderr)
        let split = try cli.run(["eval", "--pred", "gold", "--split", "holdout:test"])
        XCTAssertTrue(split.stderr.contains("split 'holdout' does not exist"), split.stderr)
    }

    func testReviewFromTheCommandLineWithUndo() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let env = ["VIGIL_AUTHOR": "ana"]
        XCTAssertEqual(try cli.run(["review", "set", "1/1", "--state", "no-ade"], environment: env).status, 0)
        var review = try XCTUnwrap(try cli.json(["stats", "--json"])["review"] as? [String: Int])
        XCTAssertEqual(review["no-ade"], 1)
        XCTAssertEqual(try cli.run(["review", "undo"], environment: env).status, 0)
        review = try XCTUnwrap(try cli.json(["stats", "--json"])["review"] as? [String: Int])
        XCTAssertEqual(review["no-ade"], 0)
        let log = try cli.ok(["review", "log", "1/1"])
        XCTAssertEqual(log.split(separator: "\n").count, 2)
        XCTAssertNotEqual(try cli.run(["review", "set", "1/1", "--state", "accepted", "--span", "5:2"]).status, 0)
    }
}
