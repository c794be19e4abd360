import Corpus
import TestServers
import XCTest
@testable import Teacher

/// The libcurl client against a real HTTP server on loopback that misbehaves on purpose.
final class HTTPClientTests: XCTestCase {
    private func request(_ sentence: String = "Aspirin caused rash.") -> TeacherRequest {
        TeacherRequest(model: "loopback-model", messages: [ChatMessage(role: "user", content: "Message: \(sentence)\nAnnotations:")],
                       temperature: 0, maxTokens: 64, sentence: sentence)
    }

    func testSendsTheChatCompletionRequestAndReadsTheReply() throws {
        let server = try LoopbackChatServer { _, _ in .chat("aspirin: rash", promptTokens: 42, completionTokens: 5) }
        let client = try CurlChatClient(settings: loopbackSettings(server, key: "sk-test-123456"))
        let reply = try client.complete(request())
        XCTAssertEqual(reply, TeacherReply(text: "aspirin: rash", promptTokens: 42, completionTokens: 5))
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.method, "POST")
        XCTAssertEqual(received.path, "/v1/chat/completions")
        XCTAssertEqual(received.headers["authorization"], "Bearer sk-test-123456")
        XCTAssertEqual(received.headers["content-type"], "application/json")
        let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(received.body.utf8)) as? [String: Any])
        XCTAssertEqual(body["model"] as? String, "loopback-model")
        XCTAssertEqual(body["temperature"] as? Double, 0)
        XCTAssertEqual(body["max_tokens"] as? Int, 64)
        XCTAssertEqual(received.sentence, "Aspirin caused rash.")
    }

    func testAzureUsesTheDeploymentURLAndApiKeyHeader() throws {
        let server = try LoopbackChatServer { _, _ in .chat("None") }
        var settings = loopbackSettings(server, key: "azure-secret-key")
        settings.kind = .azure
        settings.baseURL = "http://127.0.0.1:\(server.port)"
        settings.deployment = "gpt35"
        settings.apiVersion = "2023-05-15"
        _ = try CurlChatClient(settings: settings).complete(request())
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.path, "/openai/deployments/gpt35/chat/completions?api-version=2023-05-15")
        XCTAssertEqual(received.headers["api-key"], "azure-secret-key")
        XCTAssertNil(received.headers["authorization"])
    }

    func test429WithRetryAfterIsHonored() throws {
        let server = try LoopbackChatServer { _, index in
            index == 0 ? .init(status: 429, headers: ["Retry-After": "7"], body: "{\"error\": \"slow down\"}")
                : .chat("aspirin: rash")
        }
        let sleeps = SleepRecorder()
        let client = try CurlChatClient(settings: loopbackSettings(server), retry: sleeps.policy())
        XCTAssertEqual(try client.complete(request()).text, "aspirin: rash")
        XCTAssertEqual(server.requestCount, 2)
        XCTAssertEqual(sleeps.recorded.count, 1)
        XCTAssertGreaterThanOrEqual(sleeps.recorded[0], 7, "waits at least Retry-After")
    }

    func test500ThenSuccess() throws {
        let server = try LoopbackChatServer { _, index in
            index < 2 ? .init(status: index == 0 ? 500 : 503, body: "oops") : .chat("None")
        }
        let sleeps = SleepRecorder()
        let client = try CurlChatClient(settings: loopbackSettings(server), retry: sleeps.policy())
        XCTAssertEqual(try client.complete(request()).text, "None")
        XCTAssertEqual(server.requestCount, 3)
        XCTAssertEqual(sleeps.recorded.count, 2)
        XCTAssertTrue(sleeps.recorded.allSatisfy { $0 > 0 && $0 <= 0.05 }, "exponential backoff with jitter, capped")
    }

    func testAResponseSlowerThanTheTimeoutIsRetried() throws {
        let server = try LoopbackChatServer { _, index in
            index == 0 ? .chat("late", delay: 2) : .chat("aspirin: rash")
        }
        let client = try CurlChatClient(settings: loopbackSettings(server, timeout: 0.3), retry: SleepRecorder().policy())
        XCTAssertEqual(try client.complete(request()).text, "aspirin: rash")
        XCTAssertEqual(server.requestCount, 2)
    }

    func testTimeoutsOnEveryAttemptGiveUp() throws {
        let server = try LoopbackChatServer { _, _ in .chat("late", delay: 1) }
        let client = try CurlChatClient(settings: loopbackSettings(server, timeout: 0.2), retry: SleepRecorder().policy(maxAttempts: 2))
        XCTAssertThrowsError(try client.complete(request())) { error in
            guard case .gaveUp(2, .timeout)? = error as? TeacherError else { return XCTFail("\(error)") }
            XCTAssertFalse((error as? TeacherError)?.stopsRun ?? true, "a slow sentence does not stop the run")
        }
    }

    func testMalformedJSONIsRetriedThenReported() throws {
        let server = try LoopbackChatServer { _, index in
            index == 0 ? .init(status: 200, body: "{\"choices\": [{\"message\": ") : .chat("None")
        }
        let client = try CurlChatClient(settings: loopbackSettings(server), retry: SleepRecorder().policy())
        XCTAssertEqual(try client.complete(request()).text, "None")

        let broken = try LoopbackChatServer { _, _ in .init(status: 200, body: "<html>not json</html>") }
        let failing = try CurlChatClient(settings: loopbackSettings(broken), retry: SleepRecorder().policy(maxAttempts: 2))
        XCTAssertThrowsError(try failing.complete(request())) { error in
            guard case .gaveUp(2, .malformedResponse)? = error as? TeacherError else { return XCTFail("\(error)") }
        }
    }

    func testAConnectionClosedWithoutAnswerIsRetried() throws {
        let server = try LoopbackChatServer { _, index in
            index == 0 ? .init(status: 200, body: "", hangUp: true) : .chat("None")
        }
        let client = try CurlChatClient(settings: loopbackSettings(server), retry: SleepRecorder().policy())
        XCTAssertEqual(try client.complete(request()).text, "None")
        XCTAssertEqual(server.requestCount, 2)
    }

    func test401IsNotRetriedAndStopsTheRunWithoutLeakingTheKey() throws {
        let server = try LoopbackChatServer { request, _ in
            .init(status: 401, body: "{\"error\": \"bad key \(request.headers["authorization"] ?? "")\"}")
        }
        let client = try CurlChatClient(settings: loopbackSettings(server, key: "sk-secret-abcdef"), retry: SleepRecorder().policy())
        XCTAssertThrowsError(try client.complete(request())) { error in
            guard let error = error as? TeacherError, case .http(401, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.stopsRun)
            XCTAssertFalse(error.description.contains("sk-secret-abcdef"), error.description)
            XCTAssertTrue(error.description.contains("HTTP 401"))
        }
        XCTAssertEqual(server.requestCount, 1)
    }

    func testConnectionRefusedIsRetryable() throws {
        let server = try LoopbackChatServer { _, _ in .chat("None") }
        let settings = loopbackSettings(server)
        server.stop()
        let client = try CurlChatClient(settings: settings, retry: SleepRecorder().policy(maxAttempts: 2))
        XCTAssertThrowsError(try client.complete(request())) { error in
            guard case .gaveUp(2, .transport(7, _, _))? = error as? TeacherError else { return XCTFail("\(error)") }
        }
    }

    func testRetryAfterParsing() {
        XCTAssertEqual(RetryPolicy.retryAfter(inHeaders: "HTTP/1.1 429 Too Many\r\nRetry-After: 12\r\n"), 12)
        XCTAssertEqual(RetryPolicy.retryAfter(inHeaders: "retry-after-ms: 1500\r\n"), 1.5)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(RetryPolicy.retryAfter(inHeaders: "Retry-After: Tue, 14 Nov 2023 22:13:40 GMT\r\n", now: now), 20)
        XCTAssertNil(RetryPolicy.retryAfter(inHeaders: "Content-Type: application/json\r\n"))
    }

    func testRateLimiterSpacesRequests() {
        let limiter = RateLimiter(rpm: 120, tpm: nil)
        let waits = (0..<4).map { _ in limiter.reserve(estimatedTokens: 10) }
        XCTAssertEqual(waits[0], 0, accuracy: 0.01)
        XCTAssertEqual(waits[3], 1.5, accuracy: 0.05, "120 rpm is one request every 0.5 s")
        let tokens = RateLimiter(rpm: nil, tpm: 600)
        XCTAssertEqual(tokens.reserve(estimatedTokens: 600), 0, accuracy: 0.01)
        XCTAssertEqual(tokens.reserve(estimatedTokens: 100), 10, accuracy: 0.1, "600 tpm refills 10 tokens a second")
    }
}
