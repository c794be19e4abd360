import Foundation
import XCTest

/// `vigil lexicon` and `vigil import pubmed-xml`, run as a user would, on SampleData (issue 7).
final class IngestionCLITests: XCTestCase {
    func testNCItLexiconThenPubMedXMLImport() throws {
        let cli = try CLIHarness(self)
        let noLexicon = try cli.run(["import", "pubmed-xml", sample("pubmed-sample.xml")])
        XCTAssertNotEqual(noLexicon.status, 0)
        XCTAssertTrue(noLexicon.stderr.contains("no lexicon"), noLexicon.stderr)

        let imported = try cli.ok(["lexicon", "import", "--format", "ncit", sample("ncit-sample.txt")])
        XCTAssertTrue(imported.contains("5 concepts"), imported)
        XCTAssertTrue(imported.contains("2 concepts left out"), imported)
        XCTAssertTrue(try cli.ok(["lexicon", "import", "--format", "ncit", sample("ncit-sample.txt")]).contains("already imported"))
        let stats = try cli.json(["lexicon", "stats", "--json"])
        XCTAssertEqual(stats["concepts"] as? Int, 5)
        XCTAssertEqual(stats["sources"] as? Int, 1)
        XCTAssertEqual(stats["synonyms"] as? Int, (stats["names"] as? Int ?? 0) - 5)

        let report = try cli.ok(["import", "pubmed-xml", sample("pubmed-sample.xml")])
        XCTAssertTrue(report.contains("abstracts        3"), report)
        XCTAssertTrue(report.contains("most frequent    Methotrexate (3)"), report)
        let corpus = try cli.json(["stats", "--json"])
        XCTAssertEqual(corpus["documents"] as? Int, 3)
        let again = try cli.ok(["import", "pubmed-xml", sample("pubmed-sample.xml")])
        XCTAssertTrue(again.contains("3 PMIDs seen before"), again)
        XCTAssertEqual(try cli.json(["stats", "--json"])["sentences"] as? Int, corpus["sentences"] as? Int)
    }
}
