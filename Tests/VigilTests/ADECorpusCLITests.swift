import Foundation
import XCTest

/// The full ADE corpus through the command line: import, SpERT folds, and an
/// export → import → evaluate round trip in every format.
final class ADECorpusCLITests: XCTestCase {
    private func corpusDirectory() throws -> String {
        let env = ProcessInfo.processInfo.environment["VIGIL_ADE_CORPUS"]
        let path = env.flatMap { $0.isEmpty ? nil : $0 }
            ?? packageRoot.appendingPathComponent("../shared/data/ade-corpus-v2").standardized.path
        guard FileManager.default.fileExists(atPath: path + "/DRUG-AE.rel") else {
            throw XCTSkip("SKIPPED: the ADE corpus is not at \(path) (set VIGIL_ADE_CORPUS to its folder)")
        }
        return path
    }

    func testFullCorpusRoundTripsInEveryFormatAndSpertFolds() throws {
        let corpus = try corpusDirectory()
        let cli = try CLIHarness(self)
        try cli.ok(["import", "ade", corpus])
        let stats = try cli.json(["stats", "--json"])
        XCTAssertEqual(stats["sentences"] as? Int, 20_960)
        XCTAssertEqual(stats["sentences_with_ade"] as? Int, 4_272)
        XCTAssertEqual(stats["drug_mentions"] as? Int, 5_063)
        XCTAssertEqual((stats["ade"] as? [String: Int])?["gold"], 6_821)

        let spert = (corpus as NSString).appendingPathComponent("../ade-spert-splits")
        if FileManager.default.fileExists(atPath: spert + "/ade_split_0_test.json") {
            try cli.ok(["split", "--spert", spert])
            let folds = try XCTUnwrap((try cli.json(["stats", "--json"])["splits"] as? [String: [String: Int]])?["spert"])
            XCTAssertEqual(folds.count, 10)
            XCTAssertEqual(folds.values.reduce(0, +), 4_272)
        }

        for (run, (format, out)) in [("jsonl", "g.jsonl"), ("brat", "brat"), ("ade", "g.rel"), ("conll", "g.conll")].enumerated() {
            try cli.ok(["export", "--format", format, "--layer", "gold", "--out", cli.path(out)])
            try cli.ok(["import", format, cli.path(out), "--layer", "teacher"])
            let eval = try cli.json(["eval", "--pred", "teacher:\(run + 1)", "--json"])
            for criterion in ["strict", "lenient"] {
                let score = try XCTUnwrap(eval[criterion] as? [String: Double])
                XCTAssertEqual(score["f1"], 1, "\(format) \(criterion)")
                XCTAssertEqual(score["tp"], 6_821, "\(format) \(criterion)")
            }
        }
        let after = try cli.json(["stats", "--json"])
        XCTAssertEqual(after["sentences"] as? Int, 20_960, "round trips create no sentence")
        XCTAssertEqual(after["drug_mentions"] as? Int, 5_063)
    }
}
