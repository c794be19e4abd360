import Foundation
import XCTest

/// What `--help` says (issue 26 item 15): paragraphs wrap cleanly at 80 columns, examples use
/// values the options accept, and defaults are said.
final class HelpTextTests: XCTestCase {
    /// Every displayed command's path, from the reference's index (`- [vigil import jsonl](…)`).
    private func commands(_ cli: CLIHarness) throws -> [[String]] {
        let page = try cli.ok(["help-markdown"])
        return page.split(separator: "\n").compactMap { line -> [String]? in
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("- [vigil "), let end = text.firstIndex(of: "]") else { return nil }
            return text[text.index(text.startIndex, offsetBy: 9)..<end].split(separator: " ").map(String.init)
        }
    }

    /// `vigil PATH --help` at 80 columns.
    private func help(_ cli: CLIHarness, _ path: [String]) throws -> String {
        let result = try cli.run(path + ["--help"], environment: ["COLUMNS": "80"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    /// A paragraph broken by a newline in the source after the parser wrapped it leaves a short
    /// tail line whose next line would have fitted after it: `...: an undecided` / `item has no ADE`.
    func testHelpParagraphsWrapWithoutRaggedTails() throws {
        let cli = try CLIHarness(self)
        var ragged: [String] = []
        for path in try commands(cli) {
            let lines = try help(cli, path).components(separatedBy: "\n")
            let prose = lines.prefix { !$0.hasPrefix("USAGE:") }
            let lines2 = Array(prose)
            for i in 1..<max(1, lines2.count - 1) {
                let (a, b, c) = (lines2[i - 1], lines2[i], lines2[i + 1])
                guard !a.isEmpty, !b.isEmpty, !c.isEmpty, let first = b.split(separator: " ").first,
                      let next = c.split(separator: " ").first else { continue }
                // The parser wraps at 79 columns: b continues a when b's first word did not fit.
                let wrapped = a.count + 1 + first.count > 79
                let table = c.hasPrefix(" ") || c.hasPrefix("-") || c.contains("  ")
                // c's first word would have fitted well after b: a newline in the source, mid-paragraph.
                if wrapped, !table, b.count + 1 + next.count < 70 {
                    ragged.append("vigil \(path.joined(separator: " ")): \"\(b)\" then \"\(c)\"")
                }
                // A row of aligned columns the parser had to wrap.
                if wrapped, a.dropFirst().contains("  "), !b.contains("  ") {
                    ragged.append("vigil \(path.joined(separator: " ")): a table row wrapped: \"\(a)\" / \"\(b)\"")
                }
            }
        }
        XCTAssertEqual(ragged, [], ragged.joined(separator: "\n"))
    }

    func testTrainsExampleUsesAHeadTheOptionAccepts() throws {
        let cli = try CLIHarness(self)
        let text = try help(cli, ["train"])
        XCTAssertFalse(text.contains("--head interaction"), text)
        XCTAssertTrue(text.contains("--head interact "), text)
    }

    func testExportSaysItDefaultsToGold() throws {
        let cli = try CLIHarness(self)
        XCTAssertTrue(try help(cli, ["export"]).contains("(default: gold)"))
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let out = try cli.ok(["export", "--format", "jsonl", "--out", cli.path("out.jsonl")])
        XCTAssertTrue(out.contains("of layer gold (the default; --layer names another)"), out)
        let curated = try cli.ok(["export", "--format", "jsonl", "--layer", "curated", "--out", cli.path("c.jsonl")])
        XCTAssertFalse(curated.contains("the default"), curated)
    }
}
