import Corpus
import Foundation
@testable import Workbench
import XCTest

final class JobSupervisorTests: XCTestCase {
    func testOneJobOfAKindAtATime() throws {
        let store = try sampleStore(self)
        let running = try store.createJob(kind: "teach")
        try store.startJob(running, pid: getpid())
        let supervisor = JobSupervisor(store: store, executable: "/nonexistent/vigil")
        XCTAssertThrowsError(try supervisor.start(.teach)) {
            XCTAssertEqual($0 as? JobStartError, .alreadyRunning(kind: "teach", id: running))
        }
    }

    /// `:train --epochs 10`: the options follow the defaults on the process's command line and in the row.
    func testExtraArgumentsReachTheProcessAfterTheDefaults() throws {
        let store = try sampleStore(self)
        let dir = URL(fileURLWithPath: store.path).deletingLastPathComponent().path
        let script = dir + "/fake-vigil", record = dir + "/argv"
        try "#!/bin/sh\necho \"$@\" > \(record).tmp && mv \(record).tmp \(record)\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let supervisor = JobSupervisor(store: store, executable: script)
        let id = try supervisor.start(.teach, arguments: ["--limit", "5"])
        XCTAssertEqual(try store.job(id).arguments, ["--pending", "--limit", "5"])
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: record) { usleep(20_000) }
        let argv = try String(contentsOfFile: record, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(argv, "teach --job \(id) --db \(store.path) --pending --limit 5")
    }

    func testASpawnFailureFailsTheRowWithTheReason() throws {
        let store = try sampleStore(self)
        let supervisor = JobSupervisor(store: store, executable: "/nonexistent/vigil")
        XCTAssertThrowsError(try supervisor.start(.eval)) {
            guard case .spawnFailed? = $0 as? JobStartError else { return XCTFail("\($0)") }
        }
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.error?.contains("No such file") == true, job.error ?? "")
    }

    func testARunningRowWhoseProcessIsGoneIsLost() throws {
        let store = try sampleStore(self)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let id = try store.createJob(kind: "train")
        try store.startJob(id, pid: gone.processIdentifier)
        let rows = try JobSupervisor(store: store, executable: "/bin/false").rows()
        XCTAssertEqual(rows.first?.stateLabel, "lost")
        XCTAssertEqual(rows.first?.isActive, false, "a lost job does not block its kind")
    }

    func testAStaleQueuedRowFailsWithItsProcessErrorOutput() throws {
        let store = try sampleStore(self)
        let supervisor = JobSupervisor(store: store, executable: "/bin/false")
        let id = try store.createJob(kind: "predict")
        try FileManager.default.createDirectory(atPath: supervisor.logDirectory, withIntermediateDirectories: true)
        try "Error: Unexpected argument 'predict'\n".write(toFile: supervisor.logDirectory + "/job-\(id).stderr",
                                                           atomically: true, encoding: .utf8)
        XCTAssertEqual(try supervisor.rows(now: Date()).first?.job.state, .queued, "young rows are left alone")
        let rows = try supervisor.rows(now: Date().addingTimeInterval(60))
        XCTAssertEqual(rows.first?.job.state, .failed)
        XCTAssertEqual(rows.first?.job.error, "Error: Unexpected argument 'predict'")
    }

    /// A bad option's message, not the last line of the usage that follows it (issue 26 item 7).
    func testTheErrorOfAProcessIsItsErrorLineNotTheUsage() {
        let output = """
            Error: Unknown option '--bogus'. Did you mean '--batch'?
            Usage: vigil predict [--db <path>] [--model <dir>] [--split <split>] [--batch <batch>]
              See 'vigil predict --help' for more information.

            """
        XCTAssertEqual(JobSupervisor.errorText(output), "Error: Unknown option '--bogus'. Did you mean '--batch'?")
        XCTAssertEqual(JobSupervisor.errorText("a\nb\nc\nd\n"), "b c d", "no Error: line: the last three")
        XCTAssertNil(JobSupervisor.errorText("\n  \n"))
    }
}
