import Foundation
import XCTest

/// `vigil import pubtator`, `vigil import bioc` and `vigil export --format pubtator|bioc`,
/// run as a user would (issue 23).
final class PubTatorCLITests: XCTestCase {
    /// A CID pair in the title, a composite disease, a `-1` chemical, a pair no sentence holds.
    static let fixture = """
        100|t|Lithium-induced tremor.
        100|a|Tremor developed after lithium and haloperidol. Cisplatin caused ototoxicity and nephrotoxicity. She had pain.
        100\t0\t7\tLithium\tChemical\tD008094
        100\t16\t22\ttremor\tDisease\tD014202
        100\t24\t30\tTremor\tDisease\tD014202
        100\t47\t54\tlithium\tChemical\tD008094
        100\t59\t70\thaloperidol\tChemical\t-1
        100\t72\t81\tCisplatin\tChemical\tD002945
        100\t89\t119\tototoxicity and nephrotoxicity\tDisease\tD006311|D007674\tototoxicity|nephrotoxicity
        100\t129\t133\tpain\tDisease\tD010146
        100\tCID\tD008094\tD014202
        100\tCID\tD002945\tD007674
        100\tCID\tD002945\tD010146


        """

    func testImportReportsAndExportGivesTheFileBackInBothFormats() throws {
        let cli = try CLIHarness(self)
        let source = cli.path("cdr.pubtator")
        try Self.fixture.write(toFile: source, atomically: true, encoding: .utf8)
        let report = try cli.ok(["import", "pubtator", source])
        XCTAssertTrue(report.contains("1 documents, 4 sentences"), report)
        XCTAssertTrue(report.contains("mentions         4 Chemical, 4 Disease (1 composite, 1 without an ID)"), report)
        XCTAssertTrue(report.contains("CID pairs        3: 2 placed in a sentence, 1 in no sentence (document level only)"), report)
        XCTAssertTrue(report.contains("-> gold: 1 documents, 4 sentences (0 already present), 4 drug mentions, 3 ADE annotations added"), report)
        XCTAssertTrue(try cli.ok(["import", "pubtator", source]).contains("already imported"))

        let out = cli.path("out.pubtator")
        try cli.ok(["export", "--format", "pubtator", "--out", out])
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), Self.fixture)

        let xml = cli.path("out.xml")
        try cli.ok(["export", "--format", "bioc", "--out", xml])
        let other = cli.path("other.sqlite")
        let read = try cli.ok(["import", "bioc", xml, "--db", other])
        XCTAssertTrue(read.contains("CID pairs        3: 2 placed in a sentence, 1 in no sentence"), read)
        let again = cli.path("again.pubtator")
        try cli.ok(["export", "--format", "pubtator", "--out", again, "--db", other])
        XCTAssertEqual(try String(contentsOfFile: again, encoding: .utf8), Self.fixture, "BioC gives the same corpus back")

        let json = cli.path("out.json")
        try cli.ok(["export", "--format", "bioc-json", "--out", json])
        let third = cli.path("third.sqlite")
        XCTAssertTrue(try cli.ok(["import", "bioc-json", json, "--db", third]).contains("1 documents, 4 sentences"))
        try cli.ok(["export", "--format", "pubtator", "--out", again, "--db", third])
        XCTAssertEqual(try String(contentsOfFile: again, encoding: .utf8), Self.fixture, "BioC JSON gives the same corpus back")
    }

    /// A malformed line is an error naming file, line and document, and nothing is imported.
    func testMalformedLineImportsNothing() throws {
        let cli = try CLIHarness(self)
        let good = cli.path("good.pubtator")
        try Self.fixture.write(toFile: good, atomically: true, encoding: .utf8)
        try cli.ok(["import", "pubtator", good])
        let source = cli.path("bad.pubtator")
        let bad = Self.fixture.replacingOccurrences(of: "100\t129\t133\tpain\t", with: "100\t129\t133\tpains\t")
            .replacingOccurrences(of: "100", with: "101")
        try bad.write(toFile: source, atomically: true, encoding: .utf8)
        let result = try cli.run(["import", "pubtator", source])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("\(source):10: document 101: mention 'pains' differs from the text at 129-133"), result.stderr)
        XCTAssertEqual(try cli.json(["stats", "--json"])["sentences"] as? Int, 4, "nothing more imported")
    }
}
