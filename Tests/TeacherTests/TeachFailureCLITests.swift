import Corpus
import Foundation
import TestServers
import GRDB
import XCTest
@testable import Teacher

/// `vigil teach` against endpoints that fail: the causes are counted, shown and logged; a run
/// with no successful request fails; a partial run exits 3; credentials never leak; a resumed
/// run records every endpoint it used.
final class TeachFailureCLITests: XCTestCase {
    /// A corpus with the SampleData gold sentences.
    private func corpus() throws -> String {
        let db = try temporaryDirectory(self) + "/vigil.sqlite"
        let imported = try runVigil(["import", "jsonl", "SampleData/gold.jsonl", "--db", db])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        return db
    }

    private func teach(_ baseURL: String, db: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try runVigil(["teach", "--kind", "vllm", "--base-url", baseURL, "--model", "m", "--shots", "0",
                      "--concurrency", "1", "--max-attempts", "1", "--timeout", "1", "--db", db] + extra)
    }

    func testARunInWhichEveryRequestFailsFailsAndSaysWhy() throws {
        let db = try corpus()
        let refused = try LoopbackChatServer { _, _ in .chat("None") }
        refused.stop()
        let cases: [(name: String, server: LoopbackChatServer?, url: String, cause: String, shown: String)] = [
            ("500", try LoopbackChatServer { _, _ in .init(status: 500, body: "{\"error\": \"overloaded\"}") }, "", "HTTP 500", "HTTP 500"),
            ("garbage", try LoopbackChatServer { _, _ in .init(status: 200, body: "<html>surprise</html>") }, "", "parse error",
             "not a chat completion"),
            ("dropped", try LoopbackChatServer { _, _ in .init(status: 200, body: "", hangUp: true) }, "", "curl 52", "curl error 52"),
            ("timeout", try LoopbackChatServer { _, _ in .chat("None", delay: 3) }, "", "timeout", "no answer within 1.0 s"),
            ("refused", nil, refused.baseURL, "curl 7", "curl error 7"),
        ]
        for (name, server, url, cause, shown) in cases {
            let result = try teach(server?.baseURL ?? url, db: db, ["--limit", "3", "--json"])
            XCTAssertEqual(result.status, 1, "\(name): no request succeeded, so the run fails: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("request failed: sentence"), "\(name): each of the first failures is shown: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(shown), "\(name): the cause is on stderr: \(result.stderr)")
            let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], name)
            XCTAssertEqual(summary["outcome"] as? String, "failed", name)
            XCTAssertEqual(summary["failed"] as? Int, 3, name)
            let kinds = try XCTUnwrap(summary["failures"] as? [String: Int], name)
            XCTAssertEqual(kinds.count, 1, "\(name): \(kinds)")
            XCTAssertTrue(kinds.keys.first?.hasPrefix(cause) ?? false, "\(name): counted by kind: \(kinds)")
            XCTAssertEqual(kinds.values.first, 3, name)

            let store = try CorpusStore(path: db)
            let job = try XCTUnwrap(try store.jobs().first)
            XCTAssertEqual(job.state, .failed, name)
            XCTAssertTrue(job.error?.contains("no request succeeded") ?? false, "\(name): \(job.error ?? "")")
            XCTAssertTrue(job.error?.contains(shown) ?? false, "\(name): job.error has the cause: \(job.error ?? "")")
            let log = try store.jobLog(job.id, last: 50)
            XCTAssertEqual(log.filter { $0.hasPrefix("request failed: sentence") }.count, 3, "\(name): the job log has them: \(log)")
            XCTAssertTrue(log.contains { $0.contains(shown) }, "\(name): \(log)")
            server?.stop()
        }
    }

    func testARunWithSomeFailuresFinishesWithASummaryAndExitStatus3() throws {
        let db = try corpus()
        let server = try LoopbackChatServer { _, index in
            index % 2 == 0 ? .init(status: 503, body: "busy") : .chat("None")
        }
        addTeardownBlock { server.stop() }
        let result = try teach(server.baseURL, db: db, ["--limit", "4"])
        XCTAssertEqual(result.status, 3, "partial: some requests failed: \(result.stderr)")
        XCTAssertTrue(result.stdout.contains("teacher:1 partial: 2 sentences answered"), result.stdout)
        XCTAssertTrue(result.stdout.contains("2 failed in this run: HTTP 503 ×2"), result.stdout)
        XCTAssertTrue(result.stderr.contains("--resume"), "says how to ask again: \(result.stderr)")
        let job = try XCTUnwrap(try CorpusStore(path: db).jobs().first)
        XCTAssertEqual(job.state, .succeeded, "the answers it got are written")
        XCTAssertTrue(job.error?.hasPrefix("partial: 2 failed (HTTP 503 ×2)") ?? false, job.error ?? "")
    }

    func testCredentialsInTheBaseURLNeverReachTheJobRowTheLogOrTheScreen() throws {
        let db = try corpus()
        let server = try LoopbackChatServer { _, _ in .init(status: 500, body: "no") }
        addTeardownBlock { server.stop() }
        let url = "http://curator:PW-SECRET-1@127.0.0.1:\(server.port)/v1?token=TOKEN-SECRET-2"
        let result = try teach(url, db: db, ["--limit", "2"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(server.requests.first?.headers["authorization"].map { $0.hasPrefix("Basic ") }, true,
                       "the userinfo is still sent")
        let store = try CorpusStore(path: db)
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertTrue(job.arguments.contains("http://127.0.0.1:\(server.port)/v1?token=[redacted]"), "\(job.arguments)")
        XCTAssertTrue(job.error?.contains("127.0.0.1:\(server.port)") ?? false, job.error ?? "")
        let log = try store.jobLog(job.id, last: 50).joined(separator: "\n")
        let run = try store.teacherRunInfo(run: 1)
        for secret in ["PW-SECRET-1", "TOKEN-SECRET-2"] {
            XCTAssertFalse(result.stderr.contains(secret) || result.stdout.contains(secret), "\(secret) on screen: \(result.stderr)")
            XCTAssertFalse(job.arguments.joined(separator: " ").contains(secret), "\(secret) in job.args")
            XCTAssertFalse(job.error?.contains(secret) ?? false, "\(secret) in job.error")
            XCTAssertFalse(log.contains(secret), "\(secret) in the job log")
            XCTAssertFalse((run.endpoint ?? "").contains(secret) || run.params.values.contains { $0.contains(secret) }, "\(secret) in the run")
        }
        _ = try store.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        let file = FileManager.default.contents(atPath: db) ?? Data()
        XCTAssertNil(file.range(of: Data("SECRET".utf8)), "no secret anywhere in the corpus file")
    }

    func testAResumeThroughAnotherEndpointRecordsBothAndLaterResumesUseTheLatest() throws {
        let db = try corpus()
        let first = try LoopbackChatServer { _, _ in .init(status: 500, body: "down") }
        let second = try LoopbackChatServer { _, index in index < 3 ? .init(status: 500, body: "warming up") : .chat("None") }
        addTeardownBlock { first.stop(); second.stop() }
        XCTAssertEqual(try teach(first.baseURL, db: db, ["--limit", "3"]).status, 1)
        let moved = try runVigil(["teach", "--resume", "--base-url", second.baseURL, "--max-attempts", "1", "--db", db])
        XCTAssertEqual(moved.status, 1, "the second endpoint fails its first three: \(moved.stderr)")
        XCTAssertTrue(moved.stderr.contains("resumed via vllm \(second.baseURL)/chat/completions"), moved.stderr)
        XCTAssertTrue(moved.stderr.contains("it used vllm \(first.baseURL)/chat/completions before"), moved.stderr)

        let again = try runVigil(["teach", "--resume", "--db", db])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(first.requestCount, 3, "the run went on at the endpoint it used last")
        XCTAssertEqual(second.requestCount, 6)
        let store = try CorpusStore(path: db)
        XCTAssertEqual(try store.teacherRunEndpoints(run: 1).map(\.endpoint),
                       ["vllm \(first.baseURL)/chat/completions", "vllm \(second.baseURL)/chat/completions"])
        XCTAssertEqual(try store.teacherAnsweredSentences(run: 1).count, 3)
    }
}
