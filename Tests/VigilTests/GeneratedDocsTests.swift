import Foundation
import XCTest

/// The committed reference pages are what the code generates: a change of keys, actions,
/// commands or options that is not followed by `make docs` fails here.
final class GeneratedDocsTests: XCTestCase {
    func testKeyReferenceMatchesTheActionTable() throws {
        try assertGenerated(["keys", "--markdown"], page: "docs/keys.md")
    }

    func testCommandLineReferenceMatchesTheArgumentParser() throws {
        try assertGenerated(["help-markdown"], page: "docs/cli-reference.md")
    }

    func testCommandLineReferenceHasEveryCommandsHelp() throws {
        let result = try CLIHarness(self).run(["help-markdown"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for command in ["vigil import jsonl", "vigil review set", "vigil train", "vigil keys"] {
            XCTAssertTrue(result.stdout.contains("\n## \(command)\n"), "no section for \(command)")
            XCTAssertTrue(result.stdout.contains("USAGE: \(command)"), "no usage line for \(command)")
        }
        XCTAssertTrue(result.stdout.contains("--precision"), "train's options are missing")
        XCTAssertFalse(result.stdout.contains("## vigil help-markdown"), "the hidden generator is listed")
    }

    /// Runs `vigil ARGS` and compares its output with the committed page, line by line.
    private func assertGenerated(_ arguments: [String], page: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try CLIHarness(self).run(arguments)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        let url = packageRoot.appendingPathComponent(page)
        let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        guard committed != result.stdout else { return }
        let generated = result.stdout.components(separatedBy: "\n"), old = committed.components(separatedBy: "\n")
        let first = (0..<min(generated.count, old.count)).first { generated[$0] != old[$0] } ?? min(generated.count, old.count)
        let shown = first < generated.count ? generated[first] : "(end of output)"
        let was = first < old.count ? old[first] : "(end of file)"
        XCTFail("""
            \(page) differs from `vigil \(arguments.joined(separator: " "))` at line \(first + 1):
              generated: \(shown)
              committed: \(was)
            Run `make docs` and commit the regenerated pages.
            """, file: file, line: line)
    }
}
