import Core
import Corpus
import XCTest
@testable import Teacher

/// Settings from the config file's [teacher] table and the environment; the key's rules.
final class TeacherSettingsTests: XCTestCase {
    func testTheTeacherTableIsRead() throws {
        let config = try ConfigFile(text: """
            [teacher]
            kind = "azure"
            base_url = "https://example.openai.azure.com/"
            deployment = "gpt-35"
            api_version = "2023-05-15"
            temperature = 0.2
            max_tokens = 256
            timeout = 30
            concurrency = 8
            rpm = 600
            tpm = 90000
            price_prompt = 0.0015
            price_completion = 0.002
            """, path: "/tmp/config.toml", mode: 0o600)
        let s = try TeacherSettings.resolve(config: config, environment: [:])
        XCTAssertEqual(s.kind, .azure)
        XCTAssertEqual(s.temperature, 0.2)
        XCTAssertEqual(s.maxTokens, 256)
        XCTAssertEqual(s.timeout, 30)
        XCTAssertEqual(s.concurrency, 8)
        XCTAssertEqual(s.rpm, 600)
        XCTAssertEqual(s.tpm, 90000)
        XCTAssertEqual(s.pricePrompt, 0.0015)
        XCTAssertEqual(try s.chatURL(), "https://example.openai.azure.com/openai/deployments/gpt-35/chat/completions?api-version=2023-05-15")
    }

    func testDefaultURLsPerKind() throws {
        var s = TeacherSettings()
        XCTAssertEqual(try s.chatURL(), "https://api.openai.com/v1/chat/completions")
        s.kind = .ollama
        XCTAssertEqual(try s.chatURL(), "http://localhost:11434/v1/chat/completions")
        s.kind = .llamacpp
        s.baseURL = "http://gpu-box:8080/v1/"
        XCTAssertEqual(try s.chatURL(), "http://gpu-box:8080/v1/chat/completions")
        s.kind = .azure
        s.baseURL = nil
        XCTAssertThrowsError(try s.chatURL())
        s.kind = .vllm
        s.baseURL = "localhost:8000"
        XCTAssertThrowsError(try s.chatURL()) { XCTAssertTrue("\($0)".contains("http://")) }
    }

    func testTheEnvironmentKeyComesFirstAndAFileKeyNeedsMode0600() throws {
        let text = "[teacher]\napi_key = \"sk-from-file\"\n"
        let open = try ConfigFile(text: text, path: "/home/x/config.toml", mode: 0o644)
        XCTAssertEqual(try TeacherSettings.resolve(config: open, environment: ["OPENAI_API_KEY": "sk-env"]).apiKey, "sk-env")
        XCTAssertThrowsError(try TeacherSettings.resolve(config: open, environment: [:])) { error in
            guard case .invalidValue(let file, let key, let message)? = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "/home/x/config.toml")
            XCTAssertEqual(key, "teacher.api_key")
            XCTAssertTrue(message.contains("chmod 600"), message)
            XCTAssertFalse(message.contains("sk-from-file"))
        }
        let closed = try ConfigFile(text: text, path: "/home/x/config.toml", mode: 0o600)
        XCTAssertEqual(try TeacherSettings.resolve(config: closed, environment: [:]).apiKey, "sk-from-file")
        let azure = try ConfigFile(text: "[teacher]\nkind = \"azure\"\n", path: "c.toml", mode: 0o644)
        XCTAssertEqual(try TeacherSettings.resolve(config: azure, environment: ["AZURE_OPENAI_API_KEY": "az", "OPENAI_API_KEY": "oa"]).apiKey, "az")
    }

    func testTheKeyIsNeverInTheDescription() {
        var s = TeacherSettings()
        s.apiKey = "sk-should-not-print"
        XCTAssertFalse(s.description.contains("sk-should-not-print"))
        XCTAssertTrue(s.description.contains("key set"))
    }

    func testBadValuesNameTheKey() throws {
        let config = try ConfigFile(text: "[teacher]\nkind = \"bard\"\n", path: "c.toml")
        XCTAssertThrowsError(try TeacherSettings.resolve(config: config, environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("c.toml: teacher.kind:"), "\(error)")
        }
        let zero = try ConfigFile(text: "[teacher]\nconcurrency = 0\n", path: "c.toml")
        XCTAssertThrowsError(try TeacherSettings.resolve(config: zero, environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("teacher.concurrency"), "\(error)")
        }
    }

    func testCredentialsInAURLAreNotRecorded() {
        XCTAssertEqual(Redaction.url("https://user:pw@host:8000/v1"), "https://host:8000/v1")
        XCTAssertEqual(Redaction.url("http://host/v1?q=a@b"), "http://host/v1?q=a@b")
        XCTAssertEqual(Redaction.url("http://localhost:8080/v1"), "http://localhost:8080/v1")
    }
}
