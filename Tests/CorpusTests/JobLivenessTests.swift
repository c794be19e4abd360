@testable import Corpus
import Foundation
import GRDB
import XCTest

/// Dead jobs are marked lost: by pid on this host, by heartbeat elsewhere; one job per teacher run.
final class JobLivenessTests: XCTestCase {
    /// A pid that no longer exists: a child that has exited and been reaped.
    private func deadPID() throws -> Int32 {
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        return gone.processIdentifier
    }

    func testARunningJobWhosePidIsGoneOnThisHostIsMarkedLost() throws {
        let store = try temporaryStore(self)
        let dead = try store.createJob(kind: "train")
        try store.startJob(dead, pid: try deadPID())
        XCTAssertEqual(try store.job(dead).host, JobLiveness.currentHost, "the host is recorded")
        XCTAssertEqual(try store.job(dead).state, .running)

        XCTAssertEqual(try store.markLostJobs().map(\.id), [dead])
        XCTAssertEqual(try store.job(dead).state, .lost)
        let error = try store.job(dead).error ?? ""
        XCTAssertTrue(error.contains("is gone"), error)
        XCTAssertTrue(try store.jobLog(dead).last?.hasPrefix("lost:") ?? false, "the log says so")
    }

    func testAnyJobStartMarksDeadJobsLostAndLeavesLiveOnesRunning() throws {
        let store = try temporaryStore(self)
        let dead = try store.createJob(kind: "teach")
        try store.startJob(dead, pid: try deadPID())
        let alive = try store.createJob(kind: "eval")
        try store.startJob(alive, pid: getpid())
        XCTAssertEqual(try store.job(dead).state, .lost, "marked when the next job started")
        XCTAssertEqual(try store.job(alive).state, .running, "a live process stays running")
        XCTAssertEqual(try store.markLostJobs().count, 0)
    }

    func testAJobOnAnotherHostIsJudgedByItsHeartbeatOnly() throws {
        let store = try temporaryStore(self)
        let id = try store.createJob(kind: "teach")
        try store.startJob(id, pid: try deadPID())
        try store.pool.write { db in try db.execute(sql: "UPDATE job SET host = 'elsewhere' WHERE id = ?", arguments: [id]) }
        XCTAssertEqual(try store.markLostJobs().count, 0, "a pid on another host means nothing here")
        XCTAssertEqual(try store.job(id).state, .running)

        let later = Date().addingTimeInterval(JobLiveness.heartbeatLimit + 60)
        XCTAssertEqual(try store.markLostJobs(now: later).map(\.id), [id])
        let job = try store.job(id)
        XCTAssertEqual(job.state, .lost)
        XCTAssertTrue(job.error?.contains("no heartbeat") ?? false, job.error ?? "")
        XCTAssertTrue(job.error?.contains("vigil teach --resume") ?? false, "a lost teach run says it is resumable: \(job.error ?? "")")
    }

    func testOneTeacherRunHasOneActiveJob() throws {
        let store = try temporaryStore(self)
        let run = try XCTUnwrap(try store.createTeacherRun(.init(model: "m")).version)
        let first = try store.createJob(kind: "teach")
        try store.startJob(first, pid: getpid())
        try store.claimTeacherRun(run, job: first)
        let second = try store.createJob(kind: "teach")
        try store.startJob(second, pid: getpid())
        XCTAssertThrowsError(try store.claimTeacherRun(run, job: second)) { error in
            XCTAssertEqual(error as? CorpusError, .teacherRunBusy(run: run, job: first, pid: getpid(), host: JobLiveness.currentHost))
            XCTAssertTrue("\(error)".contains("job \(first)"), "\(error)")
        }
        try store.finishJob(first, state: .succeeded)
        XCTAssertNoThrow(try store.claimTeacherRun(run, job: second), "a finished job no longer holds the run")
    }

    func testAKilledJobDoesNotHoldItsRun() throws {
        let store = try temporaryStore(self)
        let run = try XCTUnwrap(try store.createTeacherRun(.init(model: "m")).version)
        let killed = try store.createJob(kind: "teach")
        try store.startJob(killed, pid: getpid())
        try store.claimTeacherRun(run, job: killed)
        let pid = try deadPID()  // then its process dies
        try store.pool.write { db in try db.execute(sql: "UPDATE job SET pid = ? WHERE id = ?", arguments: [pid, killed]) }
        let resume = try store.createJob(kind: "teach")
        try store.startJob(resume, pid: getpid())
        XCTAssertNoThrow(try store.claimTeacherRun(run, job: resume))
        let lost = try store.job(killed)
        XCTAssertEqual(lost.state, .lost)
        XCTAssertTrue(lost.error?.contains("vigil teach --resume --run \(run)") ?? false, lost.error ?? "")
    }

    func testCredentialsInURLsNeverReachTheJobRowsOrTheRunRecord() throws {
        let store = try temporaryStore(self)
        let id = try store.createJob(kind: "teach", arguments: ["--base-url", "http://me:S3CRET@host/v1?api_key=K3Y"])
        try store.startJob(id, pid: getpid())
        try store.reportProgress(id, done: 1, total: 2, message: "via http://me:S3CRET@host/v1")
        try store.logJob(id, "asking http://host/v1?token=T0KEN")
        try store.finishJob(id, state: .failed, error: "http://me:S3CRET@host/v1: HTTP 500")
        _ = try store.createTeacherRun(.init(model: "m", endpoint: "vllm http://me:S3CRET@host/v1",
                                             params: ["base_url": "http://me:S3CRET@host/v1?key=K3Y"]))
        let job = try store.job(id)
        XCTAssertEqual(job.arguments, ["--base-url", "http://host/v1?api_key=[redacted]"])
        XCTAssertEqual(job.error, "http://host/v1: HTTP 500")
        let everything = try store.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT args || coalesce(message, '') || coalesce(error, '') FROM job
                UNION ALL SELECT line FROM job_log
                UNION ALL SELECT coalesce(endpoint, '') || params FROM teacher_run
                """).joined(separator: "\n")
        }
        for secret in ["S3CRET", "K3Y", "T0KEN"] { XCTAssertFalse(everything.contains(secret), "\(secret) in \(everything)") }
    }

    func testAVersion5CorpusKeepsItsJobsWithCredentialsRedactedAndItsRunEndpoint() throws {
        let path = try temporaryDirectory(self) + "/old.sqlite"
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v5-pubmed")
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO job(kind, state, args, created_at, error, pid) VALUES
                      ('teach', 'running', '["--base-url","http://me:S3CRET@host/v1"]', '2026-01-01 00:00:00', NULL, 4242),
                      ('train', 'failed', '[]', '2026-01-01 00:00:00', 'http://host/x?token=T0KEN: HTTP 500', NULL);
                    INSERT INTO job_log(job_id, at, line) VALUES (1, '2026-01-01 00:00:00', 'via http://me:S3CRET@host/v1');
                    INSERT INTO teacher_run(created_at, model, endpoint, params)
                    VALUES ('2026-01-01 00:00:00', 'm', 'vllm http://host/v1/chat/completions', '{"kind":"vllm","base_url":"http://host/v1"}');
                    """)
            }
        }
        let store = try CorpusStore(path: path)
        XCTAssertTrue(try store.appliedMigrations().contains("v6-job-reliability"))
        let jobs = try store.jobs()
        XCTAssertEqual(jobs.map(\.kind), ["train", "teach"], "every job kept")
        XCTAssertEqual(jobs.last?.arguments, ["--base-url", "http://host/v1"])
        XCTAssertEqual(jobs.first?.error, "http://host/x?token=[redacted]: HTTP 500")
        XCTAssertEqual(try store.jobLog(1), ["via http://host/v1"])
        XCTAssertNil(jobs.last?.host, "an old row has no host: judged by its heartbeat")
        XCTAssertEqual(try store.markLostJobs().map(\.id), [1], "its heartbeat is long gone")
        let endpoints = try store.teacherRunEndpoints(run: 1)
        XCTAssertEqual(endpoints.map(\.endpoint), ["vllm http://host/v1/chat/completions"])
        XCTAssertEqual(endpoints.first?.baseURL, "http://host/v1")
    }
}
