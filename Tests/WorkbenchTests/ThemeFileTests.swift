import TerminalUI
@testable import Workbench
import XCTest

final class ThemeFileTests: XCTestCase {
    let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Themes").path

    func testEveryShippedThemeParsesAndStylesEveryRole() throws {
        for name in ["dark", "light", "high-contrast", "monochrome"] {
            let theme = try ThemeLoader.load(name, searchPaths: [themes])
            XCTAssertEqual(theme.name, name)
            XCTAssertEqual(Set(theme.styles.keys), Set(Role.allCases), "\(name) leaves roles out")
        }
    }

    func testMonochromeUsesNoColours() throws {
        let theme = try ThemeLoader.load("monochrome", searchPaths: [themes])
        for (role, style) in theme.styles {
            XCTAssertEqual(style.foreground, .terminalDefault, "\(role)")
            XCTAssertEqual(style.background, .terminalDefault, "\(role)")
        }
    }

    func testErrorsNameTheFileAndKey() {
        XCTAssertThrowsError(try ThemeLoader.parse(text: "[roles]\nade_slected = \"red\"\n", file: "mine.toml")) {
            XCTAssertEqual("\($0)".components(separatedBy: ": unknown role").first, "mine.toml: roles.ade_slected")
        }
        XCTAssertThrowsError(try ThemeLoader.parse(text: "[roles]\ncursor = \"purple\"\n", file: "mine.toml")) {
            XCTAssertTrue("\($0)".hasPrefix("mine.toml: roles.cursor = \"purple\": 'purple' is not a colour"), "\($0)")
        }
        XCTAssertThrowsError(try ThemeLoader.parse(text: "[roles]\ncursor = 3\n", file: "mine.toml")) {
            XCTAssertTrue("\($0)".hasPrefix("mine.toml: roles.cursor: expected a string"), "\($0)")
        }
        XCTAssertThrowsError(try ThemeLoader.parse(text: "colour = 1\n", file: "mine.toml")) {
            XCTAssertTrue("\($0)".hasPrefix("mine.toml: colour: unknown key"), "\($0)")
        }
        XCTAssertThrowsError(try ThemeLoader.load("nope", searchPaths: [themes])) {
            XCTAssertEqual($0 as? ThemeError, .notFound(name: "nope", searched: [self.themes]))
        }
    }
}
