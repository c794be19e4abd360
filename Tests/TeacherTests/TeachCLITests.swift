import Corpus
import Foundation
import TestServers
import GRDB
import XCTest
@testable import Teacher

/// `vigil teach` end to end: the SampleData replay, evaluation, the cache, a fatal 401.
final class TeachCLITests: XCTestCase {
    func testReplayOnSampleDataThenEvalAndACachedSecondRun() throws {
        let db = try temporaryDirectory(self) + "/vigil.sqlite"
        XCTAssertEqual(try runVigil(["import", "jsonl", "SampleData/gold.jsonl", "--db", db]).status, 0)
        let first = try runVigil(["teach", "--teacher", "replay:SampleData/teacher-replay.jsonl", "--json", "--db", db])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("149/149 sentences"), first.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["outcome"] as? String, "finished")
        let stats = try XCTUnwrap(summary["stats"] as? [String: Any])
        XCTAssertEqual(stats["answered"] as? Int, 149, "every sentence with a drug mention")
        XCTAssertGreaterThan(stats["hallucinations"] as? Int ?? 0, 0, "the replay's planted hallucinations are counted")
        XCTAssertGreaterThan(stats["unknown_drugs"] as? Int ?? 0, 0)

        let eval = try runVigil(["eval", "--pred", "teacher", "--gold", "gold", "--json", "--db", db])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let scores = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let strict = try XCTUnwrap((scores["strict"] as? [String: Any])?["f1"] as? Double)
        let lenient = try XCTUnwrap((scores["lenient"] as? [String: Any])?["f1"] as? Double)
        XCTAssertGreaterThan(strict, 0.5, "a noisy but useful teacher")
        XCTAssertLessThan(strict, 0.95, "the planted faults cost points")
        XCTAssertGreaterThan(lenient, strict, "boundary faults still overlap")

        let second = try runVigil(["teach", "--teacher", "replay:SampleData/teacher-replay.jsonl", "--json", "--db", db])
        let again = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(again["layer"] as? String, "teacher:2")
        XCTAssertEqual((again["stats"] as? [String: Any])?["cache_hits"] as? Int, 149)
        XCTAssertEqual((again["stats"] as? [String: Any])?["requests"] as? Int, 0)

        let store = try CorpusStore(path: db)
        XCTAssertEqual(try store.jobs().map(\.state), [.succeeded, .succeeded], "each run is a job row")
        XCTAssertEqual(try store.jobs().first?.kind, "teach")
    }

    func testA401StopsTheRunWithAClearMessageAndAFailedJob() throws {
        let dir = try temporaryDirectory(self)
        let db = dir + "/vigil.sqlite"
        XCTAssertEqual(try runVigil(["import", "jsonl", "SampleData/gold.jsonl", "--db", db]).status, 0)
        let server = try LoopbackChatServer { _, _ in .init(status: 401, body: "{\"error\": {\"message\": \"Incorrect API key\"}}") }
        let result = try runVigil(["teach", "--kind", "vllm", "--base-url", server.baseURL, "--model", "m",
                                   "--concurrency", "1", "--db", db], environment: ["OPENAI_API_KEY": "sk-wrong-key-xyz"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("HTTP 401"), result.stderr)
        XCTAssertTrue(result.stderr.contains("check the API key"), result.stderr)
        XCTAssertFalse(result.stderr.contains("sk-wrong-key-xyz") || result.stdout.contains("sk-wrong-key-xyz"))
        XCTAssertEqual(server.requestCount, 1, "no request after the 401")
        let job = try XCTUnwrap(try CorpusStore(path: db).jobs().first)
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.error?.contains("HTTP 401") ?? false, job.error ?? "")
    }

    func testFlagsAreValidated() throws {
        let db = try temporaryDirectory(self) + "/vigil.sqlite"
        let result = try runVigil(["teach", "--grounding", "closest", "--db", db])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--grounding closest"), result.stderr)
        _ = try CorpusStore(path: db, create: true)  // the settings are checked on an existing corpus
        let noModel = try runVigil(["teach", "--kind", "vllm", "--db", db])
        XCTAssertNotEqual(noModel.status, 0)
        XCTAssertTrue(noModel.stderr.contains("--model is required"), noModel.stderr)
    }

    func testPendingAsksOnlyAboutSentencesWithUndecidedDrugs() throws {
        let db = try temporaryDirectory(self) + "/vigil.sqlite"
        XCTAssertEqual(try runVigil(["import", "jsonl", "SampleData/gold.jsonl", "--db", db]).status, 0)
        let store = try CorpusStore(path: db)
        let views = try store.sentenceViews(layer: try store.layer(.gold)).filter { $0.drugs.count == 1 }
        let decided = try XCTUnwrap(views.first)
        let decision = try runVigil(["review", "set", "\(decided.id)/\(decided.drugs[0].mentionID)", "--state", "no-ade", "--db", db])
        XCTAssertEqual(decision.status, 0, decision.stderr)
        let result = try runVigil(["teach", "--pending", "--teacher", "replay:SampleData/teacher-replay.jsonl", "--json", "--db", db])
        XCTAssertEqual(result.status, 0, result.stderr)
        let stats = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["stats"] as? [String: Any])
        XCTAssertEqual(stats["answered"] as? Int, 148)
        XCTAssertFalse(try store.teacherAnsweredSentences(run: 1).contains(decided.id))
    }

    func testAKeyFromA0600ConfigIsSentButNeverStoredAndAnOpenFileIsRefused() throws {
        let dir = try temporaryDirectory(self)
        let db = dir + "/vigil.sqlite"
        XCTAssertEqual(try runVigil(["import", "jsonl", "SampleData/gold.jsonl", "--db", db]).status, 0)
        let server = try LoopbackChatServer { request, _ in .chat("None", promptTokens: 300, completionTokens: 1) }
        let key = "sk-config-file-\(UUID().uuidString)"
        let config = dir + "/config.toml"
        try """
            [teacher]
            kind = "openai"
            base_url = "\(server.baseURL)"
            model = "loopback"
            api_key = "\(key)"
            price_prompt = 0.5
            price_completion = 1.0
            """.write(toFile: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config)
        let refused = try runVigil(["teach", "--limit", "3", "--db", db], environment: ["VIGIL_CONFIG": config])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("teacher.api_key") && refused.stderr.contains("chmod 600"), refused.stderr)
        XCTAssertEqual(server.requestCount, 0)

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        let result = try runVigil(["teach", "--limit", "3", "--shots", "5", "--db", db], environment: ["VIGIL_CONFIG": config])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(server.requestCount, 3)
        XCTAssertEqual(server.requests.first?.headers["authorization"], "Bearer \(key)")
        XCTAssertTrue(result.stdout.contains("cost 0.4530"), result.stdout)
        XCTAssertFalse((result.stdout + result.stderr).contains(key))
        _ = try CorpusStore(path: db).pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        for suffix in ["", "-wal"] {
            let data = FileManager.default.contents(atPath: db + suffix) ?? Data()
            XCTAssertNil(data.range(of: Data(key.utf8)), "the key is in \(db + suffix)")
        }
    }
}
