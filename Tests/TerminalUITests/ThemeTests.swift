import TerminalUI
import XCTest

final class ThemeTests: XCTestCase {
    func testStyleParsing() throws {
        XCTAssertEqual(try Style(parsing: "black on yellow bold"),
                       Style(foreground: .index(0), background: .index(3), attributes: .bold))
        XCTAssertEqual(try Style(parsing: "on 236"), Style(background: .index(236)))
        XCTAssertEqual(try Style(parsing: "bright_red underline reverse"),
                       Style(foreground: .index(9), attributes: [.underline, .reverse]))
        XCTAssertEqual(try Style(parsing: "#ff0000"), Style(foreground: .index(196)))
        XCTAssertEqual(try Style(parsing: "default"), Style())
    }

    func testBadStylesSayWhichWord() {
        XCTAssertThrowsError(try Style(parsing: "blu")) { XCTAssertEqual($0 as? StyleParseError, .badColor("blu")) }
        XCTAssertThrowsError(try Style(parsing: "red on")) { XCTAssertEqual($0 as? StyleParseError, .missingBackground) }
        XCTAssertThrowsError(try Style(parsing: "256")) { XCTAssertEqual($0 as? StyleParseError, .badColor("256")) }
        XCTAssertThrowsError(try Style(parsing: "red blue"), "two foregrounds")
    }

    func testThemeErrorsNameTheFileAndKey() {
        XCTAssertThrowsError(try Theme(name: "t", file: "mine.toml", entries: [("ade_slected", "red")])) { error in
            XCTAssertEqual(error as? ThemeError, .unknownRole(file: "mine.toml", key: "roles.ade_slected"))
            XCTAssertTrue("\(error)".hasPrefix("mine.toml: roles.ade_slected: unknown role"))
        }
        XCTAssertThrowsError(try Theme(name: "t", file: "mine.toml", entries: [("cursor", "purple")])) { error in
            guard case let .badStyle(file, key, value, _)? = error as? ThemeError else { return XCTFail("\(error)") }
            XCTAssertEqual([file, key, value], ["mine.toml", "roles.cursor", "purple"])
        }
    }

    func testMissingRolesLookLikeText() throws {
        let theme = try Theme(name: "t", file: "f", entries: [("text", "green")])
        XCTAssertEqual(theme.style(.ungrounded), Style(foreground: .index(2)))
    }

    func testColourFallbacks() {
        XCTAssertEqual(TermColor.index(196).basic, .index(1), "bright red cube entry → red")
        XCTAssertEqual(TermColor.index(12).basic, .index(4))
        XCTAssertEqual(TermColor.index(255).basic, .index(7))
        XCTAssertEqual(TermColor.index(233).basic, .index(0))
        let style = Style(foreground: .index(196), background: .index(17), attributes: .bold)
        XCTAssertEqual(style.adapted(to: .none), Style(attributes: .bold))
        XCTAssertEqual(style.adapted(to: .basic).foreground, .index(1))
    }

    func testNoColorWins() {
        XCTAssertEqual(ColorDepth.detect(colors: 256, environment: ["NO_COLOR": "1"]), .none)
        XCTAssertEqual(ColorDepth.detect(colors: 256, environment: [:]), .full)
        XCTAssertEqual(ColorDepth.detect(colors: 8, environment: ["NO_COLOR": ""]), .basic)
        XCTAssertEqual(ColorDepth.detect(colors: 0, environment: [:]), .none)
    }
}
