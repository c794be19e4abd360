@testable import Corpus
import Foundation
import XCTest

final class ConfigFileTests: XCTestCase {
    func testTypedValuesByDottedKey() throws {
        let config = try ConfigFile(text: """
            [teacher]
            model = "gpt-4o-mini"
            temperature = 0
            max_tokens = 256
            [keys]
            next = ["j", "down"]
            accept = "enter"
            """, path: "vigil.toml")
        XCTAssertEqual(try config.string("teacher.model"), "gpt-4o-mini")
        XCTAssertEqual(try config.double("teacher.temperature"), 0)
        XCTAssertEqual(try config.int("teacher.max_tokens"), 256)
        XCTAssertEqual(try config.strings("keys.next"), ["j", "down"])
        XCTAssertEqual(try config.strings("keys.accept"), ["enter"])
        XCTAssertEqual(try config.keys("keys"), ["accept", "next"])
        XCTAssertNil(try config.string("teacher.base_url"))
    }

    func testWrongTypeNamesFileAndKey() throws {
        let config = try ConfigFile(text: "[teacher]\nmax_tokens = \"many\"\n", path: "/etc/vigil.toml")
        XCTAssertThrowsError(try config.int("teacher.max_tokens")) { error in
            XCTAssertEqual("\(error)", "/etc/vigil.toml: teacher.max_tokens: expected an integer, found string \"many\"")
        }
    }

    func testSyntaxErrorNamesFileAndLine() {
        XCTAssertThrowsError(try ConfigFile(text: "[teacher]\nmodel = \n", path: "bad.toml")) { error in
            guard case ConfigError.syntax(let file, let line, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "bad.toml")
            XCTAssertEqual(line, 2)
        }
    }

    func testDefaultPathAndMissingFileAndMode() throws {
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["VIGIL_CONFIG": "/x.toml", "HOME": "/h"]), "/x.toml")
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/c", "HOME": "/h"]), "/c/vigil/config.toml")
        XCTAssertEqual(ConfigFile.defaultPath(environment: ["HOME": "/h"]), "/h/.config/vigil/config.toml")
        let dir = NSTemporaryDirectory() + "vigil-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertNil(try ConfigFile.load(path: dir + "/none.toml").path)
        let file = dir + "/config.toml"
        try "[teacher]\napi_key = \"sk-test\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        XCTAssertEqual(try ConfigFile.load(path: file).mode, 0o644)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let loaded = try ConfigFile.load(path: file)
        XCTAssertEqual(loaded.mode, 0o600)
        XCTAssertEqual(try loaded.string("teacher.api_key"), "sk-test")
    }

    /// Found by `make fuzz` (targets config and theme): a table header whose name starts with a
    /// character no key starts with (`[!teacher]`, `[\u{FFFD}oles]`) hit an assertion in toml++ that
    /// aborted the process. It is a syntax error naming the line and column.
    func testTableNameStartingWithANonKeyCharacterIsASyntaxErrorNotAnAbort() {
        for (text, line, column) in [("[!eacher]\nkind = \"openai\"\n", 1, 2),
                                     ("name = \"fz\"\n[\u{FFFD}oles]\ntext = \"253\"\n", 2, 2),
                                     ("a = 1\n  [[ +x]]\n", 2, 6),
                                     ("[ok]\n[ {x}]\n", 2, 3),
                                     ("name = \"fz\"\n[\r\r\rroles]\n", 2, 2), // the fuzzer's second find
                                     ("[\r\nx = 1\n", 1, 2), ("a = 1\n[\n", 2, 2)] {
            XCTAssertThrowsError(try ConfigFile(text: text, path: "fuzz.toml"), text) { error in
                XCTAssertEqual(error as? ConfigError, .syntax(file: "fuzz.toml", line: line, column: column,
                                                              message: "a table name must start with a letter, digit, '_', '-' or a quote"))
            }
        }
        // Brackets in strings, comments and array values are not headers.
        let valid = """
            a = \"\"\"
            [!not a header]
            \"\"\"
            b = [
              [1, 2],
              [ "x" ],
            ]
            c = '[!x]' # [!y]
            d = { e = [ [3] ] }
            ["quoted key"]
            f = "[!z]"
            [[list]]
            g = 1
            """
        XCTAssertNoThrow(try ConfigFile(text: valid, path: "ok.toml"))
        XCTAssertEqual(ConfigFile.badTableHeader(valid).map { "\($0)" }, nil)
    }
}
