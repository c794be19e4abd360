import Foundation
import XCTest

/// `vigil export` as a user runs it: it never deletes or overwrites files it did not write,
/// and bad data is an error naming the sentence, not a trap.
final class ExportCLITests: XCTestCase {
    func testBratExportIntoAFolderOfUserFilesIsRefusedAndDeletesNothing() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let notes = cli.path("notes")
        try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: false)
        try "dear diary".write(toFile: notes + "/diary.txt", atomically: true, encoding: .utf8)
        try "buy milk".write(toFile: notes + "/todo.txt", atomically: true, encoding: .utf8)
        let refused = try cli.run(["export", "--format", "brat", "--out", notes])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("not a previous Vigil export"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--force"), refused.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: notes).sorted(), ["diary.txt", "todo.txt"])

        try cli.ok(["export", "--format", "brat", "--out", notes, "--force"])
        let entries = try FileManager.default.contentsOfDirectory(atPath: notes)
        XCTAssertTrue(entries.contains("diary.txt") && entries.contains("todo.txt"), "\(entries)")
        XCTAssertTrue(entries.contains("vigil-export.json") && entries.contains { $0.hasSuffix(".ann") }, "\(entries)")
        XCTAssertEqual(try String(contentsOfFile: notes + "/diary.txt", encoding: .utf8), "dear diary")
    }

    func testRelExportOfAnOverflowingOffsetFailsCleanly() throws {
        let cli = try CLIHarness(self)
        // A corpus written before offsets were checked on import holds such a sentence.
        let bad = cli.path("big.jsonl")
        try #"{"doc": "d1", "doc_offset": 3, "text": "Aspirin caused rash.", "drugs": [{"start": 0, "end": 7, "ades": [{"start": 15, "end": 19}]}]}"#
            .appending("\n").write(toFile: bad, atomically: true, encoding: .utf8)
        try cli.ok(["import", "jsonl", bad])
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [cli.db, "UPDATE sentence SET doc_offset = 9223372036854775807"]
        try sqlite.run()
        sqlite.waitUntilExit()
        XCTAssertEqual(sqlite.terminationStatus, 0)
        let out = cli.path("x.rel")
        let result = try cli.run(["export", "--format", "ade", "--out", out])
        XCTAssertEqual(result.status, 1, "an error exit, not a signal: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("sentence 1: its document offset 9223372036854775807 plus a span overflows"),
                      result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))

        try #"{"doc": "d2", "doc_offset": 9223372036854775807, "text": "Aspirin caused rash."}"#
            .appending("\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let second = try cli.run(["import", "jsonl", bad])
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("\(bad):1: \"doc_offset\" 9223372036854775807"), second.stderr)
    }

    func testCuratedExportHoldsOnlyDecidedItemsUnlessAskedForPending() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let env = ["VIGIL_AUTHOR": "ana"]
        XCTAssertEqual(try cli.run(["review", "set", "1/1", "--state", "no-ade"], environment: env).status, 0)
        let out = cli.path("curated.jsonl")
        let summary = try cli.ok(["export", "--format", "jsonl", "--layer", "curated", "--out", out])
        XCTAssertTrue(summary.contains("1 sentences") && summary.contains("undecided items left out"), summary)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "only the sentence with a decided item")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let drugs = try XCTUnwrap(object["drugs"] as? [[String: Any]])
        XCTAssertEqual(drugs.count, 1)
        XCTAssertEqual(drugs[0]["review"] as? String, "no-ade")
        XCTAssertEqual(drugs[0]["mention"] as? Int, 1)
        XCTAssertFalse(lines[0].contains("pending"))

        let rel = cli.path("curated.conll")
        try cli.ok(["export", "--format", "conll", "--layer", "curated", "--out", rel])
        XCTAssertEqual(try String(contentsOfFile: rel, encoding: .utf8).components(separatedBy: "# doc = ").count - 1, 1,
                       "every format leaves the undecided items out")

        let all = try cli.ok(["export", "--format", "jsonl", "--layer", "curated", "--out", out, "--include-pending"])
        XCTAssertFalse(all.contains("left out"), all)
        let everything = try String(contentsOfFile: out, encoding: .utf8)
        let gold = try String(contentsOfFile: sample("gold.jsonl"), encoding: .utf8)
        XCTAssertEqual(everything.split(separator: "\n").count, gold.split(separator: "\n").count)
        XCTAssertTrue(everything.contains(#""review": "pending""#))

        let goldOut = try cli.ok(["export", "--format", "jsonl", "--layer", "gold", "--out", cli.path("g.jsonl")])
        XCTAssertFalse(goldOut.contains("left out"), "other layers are exported whole: \(goldOut)")
    }
}
