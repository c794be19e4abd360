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

/// `vigil lexicon bystanders` on a gold corpus that annotates only causing drugs.
final class LexiconBystandersCLITests: XCTestCase {
    func testGoldDrugNamesFoundAgainBecomeNoADEMentions() throws {
        let cli = try CLIHarness(self)
        let gold = cli.path("gold.jsonl")
        try """
            {"doc": "d1", "text": "Warfarin caused melena.", "drugs": [{"start": 0, "end": 8, "text": "Warfarin", "name": "warfarin", "ades": [{"start": 16, "end": 22, "text": "melena"}]}]}
            {"doc": "d1", "text": "On warfarin, the amiodarone cough worsened.", "drugs": [{"start": 17, "end": 27, "text": "amiodarone", "name": "amiodarone", "ades": [{"start": 28, "end": 33, "text": "cough"}]}]}
            {"doc": "d2", "text": "Warfarin was held while amiodarone continued.", "drugs": []}

            """.write(toFile: gold, atomically: true, encoding: .utf8)
        try cli.ok(["import", "jsonl", gold])
        let mentions = try cli.json(["stats", "--json"])["drug_mentions"] as? Int
        XCTAssertEqual(mentions, 2)

        let planned = try cli.ok(["lexicon", "bystanders", "--dry-run"])
        XCTAssertEqual(planned.split(separator: "\n").first.map(String.init), "2\t3:11\twarfarin", planned)
        XCTAssertTrue(planned.contains("would add 1 drug mentions with a gold \"no ADE\" in 1 sentences"), planned)
        XCTAssertEqual(try cli.json(["stats", "--json"])["drug_mentions"] as? Int, mentions, "a dry run writes nothing")

        let missing = try cli.run(["lexicon", "bystanders", "--split", "holdout"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("split 'holdout' does not exist"), missing.stderr)
        XCTAssertEqual(try cli.json(["stats", "--json"])["drug_mentions"] as? Int, mentions, "the error comes before any write")

        XCTAssertTrue(try cli.ok(["lexicon", "bystanders"]).contains("added 1 drug mentions"))
        XCTAssertEqual(try cli.json(["stats", "--json"])["drug_mentions"] as? Int, 3)
        // The bystander is a gold item without ADEs: a teacher that gives it the cough scores a
        // false positive there, besides its two right pairs.
        let teacher = cli.path("teacher.jsonl")
        try """
            {"doc": "d1", "text": "Warfarin caused melena.", "drugs": [{"start": 0, "end": 8, "text": "Warfarin", "name": "warfarin", "ades": [{"start": 16, "end": 22, "text": "melena"}]}]}
            {"doc": "d1", "text": "On warfarin, the amiodarone cough worsened.", "drugs": [{"start": 3, "end": 11, "text": "warfarin", "name": "warfarin", "ades": [{"start": 28, "end": 33, "text": "cough"}]}, {"start": 17, "end": 27, "text": "amiodarone", "name": "amiodarone", "ades": [{"start": 28, "end": 33, "text": "cough"}]}]}

            """.write(toFile: teacher, atomically: true, encoding: .utf8)
        try cli.ok(["import", "jsonl", teacher, "--layer", "teacher"])
        let strict = try XCTUnwrap(try cli.json(["eval", "--pred", "teacher", "--gold", "gold", "--json"])["strict"] as? [String: Any])
        XCTAssertEqual(strict["tp"] as? Int, 2)
        XCTAssertEqual(strict["fp"] as? Int, 1, "the bystander's cough")
        XCTAssertEqual(try cli.json(["stats", "--json"])["drug_mentions"] as? Int, 3, "the teacher's warfarin is the bystander mention")
        XCTAssertTrue(try cli.ok(["lexicon", "bystanders"]).contains("added 0 drug mentions"), "a second run adds nothing")
    }
}
