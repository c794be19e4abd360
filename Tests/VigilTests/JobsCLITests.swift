import Corpus
import Foundation
import XCTest

/// `vigil jobs`: a failed job's whole error, and `--log` with the job's own output.
final class JobsCLITests: XCTestCase {
    func testAFailedJobShowsItsFullErrorAndItsLog() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        let missing = cli.path("no-such-encoder/with/a/long/path/that/a/panel/would/cut/minilm-l6")
        let train = try cli.run(["train", "--encoder", missing, "--split", "none"])
        XCTAssertNotEqual(train.status, 0)
        let store = try CorpusStore(path: cli.db)
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertEqual(job.state, .failed)
        let error = try XCTUnwrap(job.error)
        XCTAssertGreaterThan(error.count, 60, error)

        let listed = try cli.ok(["jobs"])
        XCTAssertTrue(listed.contains("error: " + error), "the whole error, not a dash: \(listed)")
        let log = try cli.ok(["jobs", "--log", String(job.id)])
        XCTAssertTrue(log.contains("failed: " + error), "the log ends with the error: \(log)")
    }

    /// A job the workbench starts writes its error output to `.vigil-jobs/job-ID.stderr`; one that
    /// fails on its options never logs a line, so that output is all there is to show.
    func testTheLogShowsTheErrorOutputOfAJobThatFailedOnItsOptions() throws {
        let cli = try CLIHarness(self)
        let store = try CorpusStore(path: cli.db, create: true)
        let id = try store.createJob(kind: "predict", arguments: ["--bogus"])
        try FileManager.default.createDirectory(atPath: store.jobOutputDirectory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = vigilBinary
        process.arguments = ["predict", "--job", String(id), "--db", cli.db, "--bogus"]
        FileManager.default.createFile(atPath: store.jobOutputPath(id), contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: store.jobOutputPath(id)))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)

        let log = try cli.ok(["jobs", "--log", String(id)])
        XCTAssertTrue(log.contains("Error: Unknown option '--bogus'"), "the process's own words: \(log)")
        XCTAssertTrue(log.contains("Usage: vigil predict"), "all of them, not the last line: \(log)")
    }
}
