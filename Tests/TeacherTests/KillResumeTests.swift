import Corpus
import Foundation
import TestServers
import GRDB
import XCTest
@testable import Teacher

/// The real `vigil` binary, killed mid-run and started again with `--resume`.
final class KillResumeTests: XCTestCase {
    /// The server of the last `startSlowTeachJob`.
    private var lastServer: LoopbackChatServer?

    private func launch(_ arguments: [String], db: String, config: String) throws -> Process {
        let process = Process()
        process.executableURL = try vigilBinary()
        process.arguments = arguments + ["--db", db]
        var env = ProcessInfo.processInfo.environment
        env["VIGIL_CONFIG"] = config
        env["OPENAI_API_KEY"] = "sk-resume-test-secret"
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func testKilledMidRunThenResumedWithoutDuplicatesOrRepeatedRequests() throws {
        let dir = try temporaryDirectory(self)
        let db = dir + "/vigil.sqlite"
        // 60 sentences, each with one drug and one ADE the server will name.
        let sentences = (0..<60).map { i in
            sentence("Drug\(i)mab was followed by rash\(i) on day \(i).", doc: "test:\(i / 10)",
                     drugs: [("Drug\(i)mab", "drug\(i)mab", ["rash\(i)"])])
        }
        let store = try CorpusStore(path: db, create: true)
        _ = try store.ingest(ImportBatch(format: "test", path: "t", sha256: "kill-resume", sentences: sentences), into: .gold)
        let server = try LoopbackChatServer { request, _ in
            let text = request.sentence ?? ""
            let drug = text.split(separator: " ").first.map(String.init) ?? "?"
            let ade = text.split(separator: " ").first { $0.hasPrefix("rash") }.map(String.init) ?? "?"
            return .chat("\(drug): \(ade)|\(ade.uppercased())", delay: 0.03)
        }
        try "[teacher]\nkind = \"vllm\"\nbase_url = \"\(server.baseURL)\"\nmodel = \"loopback\"\n"
            .write(toFile: dir + "/config.toml", atomically: true, encoding: .utf8)

        let first = try launch(["teach", "--concurrency", "4", "--shots", "2"], db: db, config: dir + "/config.toml")
        while server.requestCount < 20, first.isRunning { usleep(5_000) }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationReason, .uncaughtSignal, "killed mid-run")

        let answeredBefore = try store.teacherAnsweredSentences(run: 1)
        XCTAssertGreaterThan(answeredBefore.count, 0)
        XCTAssertLessThan(answeredBefore.count, 60)
        let requestsBefore = server.requestCount
        let texts = try store.sentenceTexts(answeredBefore)

        let second = try launch(["teach", "--resume"], db: db, config: dir + "/config.toml")
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)

        let later = server.requests.dropFirst(requestsBefore).compactMap(\.sentence)
        XCTAssertTrue(Set(later).isDisjoint(with: Set(texts.values)), "answered sentences are not asked again")
        XCTAssertLessThanOrEqual(server.requestCount, 60 + 4, "at most the in-flight requests are repeated")
        XCTAssertEqual(try store.teacherAnsweredSentences(run: 1).count, 60)
        XCTAssertEqual(try store.layers().filter { $0.kind == .teacher }.count, 1, "resumed the same run")
        let (ades, distinct, items) = try store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM ade a JOIN layer l ON l.id = a.layer_id WHERE l.kind = 'teacher'") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(DISTINCT drug_mention_id) FROM ade a JOIN layer l ON l.id = a.layer_id WHERE l.kind = 'teacher'") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM layer_item i JOIN layer l ON l.id = i.layer_id WHERE l.kind = 'teacher'") ?? -1)
        }
        XCTAssertEqual(ades, 60, "one ADE per sentence: the upper-case repeat grounds to the same span")
        XCTAssertEqual(distinct, 60)
        XCTAssertEqual(items, 60)
        let gold = try store.layer(.gold), teacher = try store.layer(.init(.teacher))
        XCTAssertEqual(Set(try store.pairs(in: teacher).map(\.span)), Set(try store.pairs(in: gold).map(\.span)))

        let jobs = try store.jobs()
        XCTAssertEqual(jobs.first?.state, .succeeded)
        XCTAssertEqual(jobs.first?.done, 60)
        XCTAssertEqual(jobs.last?.state, .lost, "the resume marked the killed process's job lost")
    }

    func testAKilledJobIsShownAndRecordedAsLostAndSaysItIsResumable() throws {
        let (store, job, process) = try startSlowTeachJob("kill-lost")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(try store.job(job).state, .running, "the killed process could not mark its job")
        XCTAssertEqual(try store.job(job).host, JobLiveness.currentHost)

        let listed = try runVigil(["jobs", "--db", store.path])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("teach   lost"), listed.stdout)
        XCTAssertTrue(listed.stdout.contains("vigil teach --resume --run 1"), "says how to resume: \(listed.stdout)")
        let row = try store.job(job)
        XCTAssertEqual(row.state, .lost, "recorded in the store, not only shown")
        XCTAssertNotNil(row.finishedAt)
        let log = try runVigil(["jobs", "--log", String(job), "--db", store.path])
        XCTAssertTrue(log.stdout.contains("lost: its process (pid \(process.processIdentifier)"), log.stdout)
    }

    func testASecondResumeOfARunningRunIsRefusedNamingTheRunningJob() throws {
        let (store, job, process) = try startSlowTeachJob("two-writers")
        let second = try runVigil(["teach", "--resume", "--db", store.path],
                                  environment: ["VIGIL_CONFIG": (store.path as NSString).deletingLastPathComponent + "/config.toml"])
        XCTAssertEqual(second.status, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("teacher run 1 is already being worked on by job \(job) (pid \(process.processIdentifier)"),
                      second.stderr)
        let refused = try XCTUnwrap(try store.jobs().first)
        XCTAssertNotEqual(refused.id, job)
        XCTAssertEqual(refused.state, .failed)
        XCTAssertTrue(refused.error?.contains("job \(job)") ?? false, refused.error ?? "")
        process.waitUntilExit()
        XCTAssertEqual(try store.job(job).state, .succeeded)
        XCTAssertEqual(lastServer?.requestCount, 40, "only the first job asked: one request per sentence")
    }

    func testSIGTERMMarksTheJobCancelled() throws {
        let (store, job, process) = try startSlowTeachJob("sigterm")
        process.terminate()
        process.waitUntilExit()
        let row = try store.job(job)
        XCTAssertEqual(row.state, .cancelled)
        XCTAssertEqual(row.done, try store.teacherAnsweredSentences(run: 1).count)
        XCTAssertLessThan(row.done, 40)
        XCTAssertEqual(row.pid, process.processIdentifier)
    }

    func testACancelRequestInTheJobRowStopsTheRun() throws {
        let (store, job, process) = try startSlowTeachJob("cancel-flag")
        try store.requestCancel(job)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let row = try store.job(job)
        XCTAssertEqual(row.state, .cancelled)
        XCTAssertLessThan(row.done, 40)
        XCTAssertEqual(row.done, try store.teacherAnsweredSentences(run: 1).count)
    }

    /// The real `vigil teach` as a job over 40 sentences against a server that answers in 50 ms,
    /// returned once its third request has arrived.
    private func startSlowTeachJob(_ name: String) throws -> (CorpusStore, Int64, Process) {
        let dir = try temporaryDirectory(self)
        let db = dir + "/vigil.sqlite"
        let store = try CorpusStore(path: db, create: true)
        let sentences = (0..<40).map { i in
            sentence("Drug\(i)mab was followed by rash\(i).", doc: "test:\(i / 10)", drugs: [("Drug\(i)mab", "drug\(i)mab", ["rash\(i)"])])
        }
        _ = try store.ingest(ImportBatch(format: "test", path: "t", sha256: "\(name)", sentences: sentences), into: .gold)
        let server = try LoopbackChatServer { _, _ in .chat("None", delay: 0.05) }
        addTeardownBlock { server.stop() }
        lastServer = server
        try "[teacher]\nkind = \"vllm\"\nbase_url = \"\(server.baseURL)\"\nmodel = \"loopback\"\n"
            .write(toFile: dir + "/config.toml", atomically: true, encoding: .utf8)
        let job = try store.createJob(kind: "teach", arguments: ["teach"])
        let process = try launch(["teach", "--job", String(job), "--concurrency", "1", "--shots", "0"], db: db,
                                 config: dir + "/config.toml")
        while server.requestCount < 3, process.isRunning { usleep(5_000) }
        return (store, job, process)
    }
}
