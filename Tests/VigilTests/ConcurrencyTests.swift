import Foundation
import XCTest

/// The workbench, background jobs and the command line write one SQLite file at once.
final class ConcurrencyTests: XCTestCase {
    func testTwoWritingProcessesAndAReaderLoseNothing() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let mentions = try XCTUnwrap(try cli.json(["stats", "--json"])["drug_mentions"] as? Int)
        let perWriter = 40
        XCTAssertGreaterThanOrEqual(mentions, 2 * perWriter)
        // Item ids: mention m belongs to some sentence; read the pairs from the JSONL export.
        try cli.ok(["export", "--format", "jsonl", "--out", cli.path("all.jsonl")])
        var items: [String] = []
        for line in try String(contentsOfFile: cli.path("all.jsonl"), encoding: .utf8).split(separator: "\n") {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let sentence = try XCTUnwrap(object["id"] as? Int)
            for drug in try XCTUnwrap(object["drugs"] as? [[String: Any]]) {
                items.append("\(sentence)/\(try XCTUnwrap(drug["mention"] as? Int))")
            }
        }
        XCTAssertEqual(items.count, mentions)

        // Two writer scripts (one process per decision, like curators and jobs) and a reader
        // that keeps asking for stats while they write.
        let binary = vigilBinary.path
        func writer(_ author: String, _ slice: ArraySlice<String>) -> String {
            slice.map { "\"\(binary)\" review set \($0) --state no-ade --author \(author) || exit 1" }.joined(separator: "\n")
        }
        let results = try cli.runScriptsAtOnce([
            writer("a", items[0..<perWriter]), writer("b", items[perWriter..<(2 * perWriter)]),
            "for i in $(seq 1 40); do \"\(binary)\" stats --json > /dev/null || exit 1; done",
        ])
        XCTAssertEqual(results.map(\.status), [0, 0, 0], "every write and read succeeded: \(results.map(\.stderr))")
        let review = try XCTUnwrap(try cli.json(["stats", "--json"])["review"] as? [String: Int])
        XCTAssertEqual(review["no-ade"], 2 * perWriter, "no decision lost")
        XCTAssertEqual(review["pending"], mentions - 2 * perWriter)
    }
}
