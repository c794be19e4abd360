import Corpus
import HTTP
import TestServers
import XCTest
@testable import Teacher

/// Response bodies are capped in the libcurl layer: a server cannot make a request hold
/// memory without bound, with or without a Content-Length.
final class ResponseLimitTests: XCTestCase {
    private let cap = 1 << 20
    /// 50 MB streamed after the head, with no Content-Length (the body ends when the connection closes).
    private static let streamed = 50 << 20

    private func request() -> TeacherRequest {
        TeacherRequest(model: "loopback-model", messages: [ChatMessage(role: "user", content: "Message: Aspirin caused rash.")],
                       temperature: 0, maxTokens: 64, sentence: "Aspirin caused rash.")
    }

    func testAChatAnswerStreamedPastTheCapFailsItsRequestWithAClearError() throws {
        let server = try LoopbackChatServer { _, _ in
            .init(status: 200, headers: ["Content-Type": "application/json"], body: "{\"choices\": [\"", streamBytes: Self.streamed)
        }
        addTeardownBlock { server.stop() }
        var settings = loopbackSettings(server, timeout: 60)
        settings.maxResponseBytes = cap
        let client = try CurlChatClient(settings: settings, retry: SleepRecorder().policy(maxAttempts: 3))
        XCTAssertThrowsError(try client.complete(request())) { error in
            XCTAssertEqual(error as? TeacherError, .responseTooLarge(url: client.endpoint, limit: self.cap))
            XCTAssertTrue("\(error)".contains("larger than the limit of 1048576 bytes"), "\(error)")
            XCTAssertTrue("\(error)".contains("--max-response-bytes"), "\(error)")
            XCTAssertEqual((error as? TeacherError)?.kind, "body too large")
        }
        XCTAssertEqual(server.requestCount, 1, "a body past the cap is not asked for again")
    }

    func testADeclaredContentLengthPastTheCapFailsToo() throws {
        let big = String(repeating: "x", count: 2 * cap)
        let server = try LoopbackChatServer { _, _ in .init(status: 200, body: big) }
        addTeardownBlock { server.stop() }
        var settings = loopbackSettings(server)
        settings.maxResponseBytes = cap
        XCTAssertThrowsError(try CurlChatClient(settings: settings).complete(request())) { error in
            guard case .responseTooLarge(_, let limit)? = error as? TeacherError else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, self.cap)
        }
    }

    func testAnAnswerUnderTheCapIsRead() throws {
        let server = try LoopbackChatServer { _, _ in .chat("aspirin: rash") }
        addTeardownBlock { server.stop() }
        var settings = loopbackSettings(server)
        settings.maxResponseBytes = 4096
        XCTAssertEqual(try CurlChatClient(settings: settings).complete(request()).text, "aspirin: rash")
    }

    func testAnEfetchAnswerStreamedPastTheCapFailsTheDownloadWithAClearError() throws {
        let server = try LoopbackChatServer { request, _ in
            if request.path.contains("esearch.fcgi") {
                return .init(status: 200, body: EUtilitiesTests.esearch(count: 3))
            }
            return .init(status: 200, body: "<PubmedArticleSet>", streamBytes: Self.streamed)
        }
        addTeardownBlock { server.stop() }
        let client = EUtilitiesClient(baseURL: "http://127.0.0.1:\(server.port)/eutils", apiKey: "NCBI-K3Y",
                                      retry: SleepRecorder().policy(maxAttempts: 3), timeout: 60, maxResponseBytes: cap)
        let search = try client.search("q")
        XCTAssertThrowsError(try client.fetch(search, start: 0, count: 3)) { error in
            XCTAssertTrue("\(error)".contains("larger than the limit of 1048576 bytes"), "\(error)")
            XCTAssertTrue("\(error)".contains("efetch.fcgi"), "names the call: \(error)")
            XCTAssertFalse("\(error)".contains("NCBI-K3Y"))
        }
        XCTAssertEqual(server.requests.filter { $0.path.contains("efetch") }.count, 1, "not retried")
    }

    func testByteCountsParse() {
        XCTAssertEqual(parseByteCount("1048576"), 1 << 20)
        XCTAssertEqual(parseByteCount("512k"), 512 << 10)
        XCTAssertEqual(parseByteCount("4M"), 4 << 20)
        XCTAssertNil(parseByteCount("0"))
        XCTAssertNil(parseByteCount("-5"))
        XCTAssertNil(parseByteCount("lots"))
        XCTAssertNil(parseByteCount("99999999999999999G"))
    }
}
