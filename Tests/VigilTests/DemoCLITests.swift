import Core
import Corpus
import Foundation
import XCTest

/// `vigil demo --dir D` over an earlier corpus in D (issue 26 item 2): it never deletes
/// decisions without --force, nor a corpus another process has open.
final class DemoCLITests: XCTestCase {
    private func demo(_ cli: CLIHarness, _ dir: String, _ extra: [String] = []) throws -> RunResult {
        try cli.run(["demo", "--dir", dir, "--no-tui", "--sample-data",
                     packageRoot.appendingPathComponent("SampleData").path] + extra)
    }

    /// Decides the first two items (the store is closed again on return).
    private func decideTwo(_ db: String) throws {
        let store = try CorpusStore(path: db)
        for entry in try store.queueEntries().prefix(2) {
            _ = try store.decide(entry.item, state: .noADE, spans: [], author: "tester")
        }
    }

    func testAnUndecidedDemoIsReplacedButDecisionsOnlyWithForce() throws {
        let cli = try CLIHarness(self)
        let dir = cli.path("demo"), db = cli.path("demo/vigil.sqlite")
        XCTAssertEqual(try demo(cli, dir).status, 0)
        let again = try demo(cli, dir)
        XCTAssertEqual(again.status, 0, "a corpus without review events is replaced: \(again.stderr)")

        try decideTwo(db)
        let refused = try demo(cli, dir)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("\(db) holds 2 review events"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        XCTAssertEqual(try CorpusStore.reviewEventCount(atPath: db), 2, "the decisions are still there")

        let forced = try demo(cli, dir, ["--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try CorpusStore.reviewEventCount(atPath: db), 0, "--force replaced it")
    }

    func testACorpusOpenElsewhereIsNeverRemovedEvenWithForce() throws {
        let cli = try CLIHarness(self)
        let dir = cli.path("demo"), db = cli.path("demo/vigil.sqlite")
        XCTAssertEqual(try demo(cli, dir).status, 0)
        try decideTwo(db)
        var holder: CorpusStore? = try CorpusStore(path: db)  // open, as a workbench would have it
        XCTAssertNotNil(holder)
        for extra in [[], ["--force"]] {
            let refused = try demo(cli, dir, extra)
            XCTAssertNotEqual(refused.status, 0)
            XCTAssertTrue(refused.stderr.contains("another process (a workbench or a job) has this corpus open"),
                          refused.stderr)
            XCTAssertEqual(try CorpusStore.reviewEventCount(atPath: db), 2, "the open corpus is untouched")
        }
        holder = nil
        XCTAssertEqual(try demo(cli, dir, ["--force"]).status, 0, "closed, it can be replaced")
        XCTAssertEqual(try CorpusStore.reviewEventCount(atPath: db), 0)
    }
}
