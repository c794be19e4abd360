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
}
