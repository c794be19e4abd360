import Core
import XCTest

/// The one redaction of credentials in URLs.
final class RedactionTests: XCTestCase {
    func testUserinfoIsDroppedAndCredentialParametersAreMasked() {
        XCTAssertEqual(Redaction.url("http://user:SECRET@host:8000/v1"), "http://host:8000/v1")
        XCTAssertEqual(Redaction.url("https://tok@host/v1/chat/completions"), "https://host/v1/chat/completions")
        XCTAssertEqual(Redaction.url("https://h/e?db=pubmed&api_key=K1&Token=K2&access_token=K3&key=K4#f"),
                       "https://h/e?db=pubmed&api_key=[redacted]&Token=[redacted]&access_token=[redacted]&key=[redacted]#f")
        XCTAssertEqual(Redaction.url("https://h/e?api%5Fkey=K1"), "https://h/e?api%5Fkey=[redacted]", "an encoded name")
        XCTAssertEqual(Redaction.url("http://host/v1?q=a@b&monkey=1"), "http://host/v1?q=a@b&monkey=1", "nothing secret")
        XCTAssertEqual(Redaction.url("http://localhost:8080/v1"), "http://localhost:8080/v1")
    }

    func testEveryURLInAMessageOrArgumentIsRedacted() {
        let message = "gave up: http://u:p1@a.example/v1: HTTP 500; then \"https://b.example/x?token=p2\" failed"
        let clean = Redaction.redact(message)
        XCTAssertEqual(clean, "gave up: http://a.example/v1: HTTP 500; then \"https://b.example/x?token=[redacted]\" failed")
        XCTAssertEqual(Redaction.redact("--base-url=http://me:pw@h/v1"), "--base-url=http://h/v1")
        XCTAssertEqual(Redaction.redact("no url here: a@b, key=value"), "no url here: a@b, key=value")
        XCTAssertEqual(Redaction.redact(""), "")
    }
}
