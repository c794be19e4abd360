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
}
