import Corpus
import TerminalUI
@testable import Workbench
import XCTest

final class KeymapTests: XCTestCase {
    func testEveryActionHasADefaultKeyAndNoKeyIsBoundTwiceInAContext() {
        var seen: [String: Action] = [:]
        for action in Action.allCases {
            let keys = Keymap.standard.keys[action] ?? []
            XCTAssertFalse(keys.isEmpty, "\(action) has no key")
            for key in keys {
                let id = "\(action.context.rawValue) \(key)"
                XCTAssertNil(seen[id], "\(key) is bound to \(seen[id].map { "\($0)" } ?? "") and \(action)")
                seen[id] = action
            }
        }
    }

    func testRemappingTakesTheKeyFromItsOldAction() throws {
        let map = try Keymap.standard.remapped([("next_item", ["J", "n"])], file: "c.toml")
        XCTAssertEqual(map.action(for: .char("J"), in: .normal), .nextItem)
        XCTAssertEqual(map.action(for: .char("n"), in: .normal), .nextItem)
        XCTAssertNil(map.action(for: .char("j"), in: .normal))
        XCTAssertEqual(map.keys[.nextPending], [], "n moved to next_item")
        var model = fixtureModel(keymap: map)
        _ = model.press("J")
        XCTAssertEqual(model.current?.item, item(1, 11))
    }

    func testRemapErrorsNameTheFileAndKey() {
        XCTAssertThrowsError(try Keymap.standard.remapped([("nxt", ["j"])], file: "c.toml")) {
            XCTAssertEqual($0 as? KeymapError, .unknownAction(file: "c.toml", key: "keys.nxt"))
        }
        XCTAssertThrowsError(try Keymap.standard.remapped([("undo", ["<Ctrl-z>"])], file: "c.toml")) {
            XCTAssertEqual($0 as? KeymapError, .badKey(file: "c.toml", key: "keys.undo", value: "<Ctrl-z>"))
        }
    }

    func testConfigFileKeysAndTheme() throws {
        let config = try ConfigFile(text: "[keys]\nundo = \"z\"\nquit = [\"Q\", \"<C-c>\"]\n[ui]\ntheme = \"light\"\n",
                                    path: "cfg.toml")
        let wb = try WorkbenchConfig(config)
        XCTAssertEqual(wb.theme, "light")
        XCTAssertEqual(wb.keymap.action(for: .char("z"), in: .normal), .undo)
        XCTAssertEqual(wb.keymap.action(for: .char("Q"), in: .normal), .quit)
        XCTAssertNil(wb.keymap.action(for: .char("q"), in: .normal))
        XCTAssertEqual(wb.keymap.action(for: .char("q"), in: .visual), .cancelSelection, "contexts are separate")
    }

    func testHelpAndFooterComeFromTheTable() throws {
        let map = try Keymap.standard.remapped([("undo", ["z"])], file: "c")
        XCTAssertTrue(map.helpLines().contains { $0.keys == "z" && $0.help.hasPrefix("Undo") })
        XCTAssertTrue(map.hints([.undo]).contains { $0.key == "z" && $0.label == "undo" })
        var model = fixtureModel(keymap: map)
        XCTAssertTrue(model.render().text.contains("z undo"))
        _ = model.update(.resize(width: 100, height: 60))
        _ = model.press("?")
        XCTAssertTrue(model.render().text.contains("Undo the last span change"))
    }
}

final class KeyReferenceTests: XCTestCase {
    func testMarkdownReferenceListsEveryActionWithItsKeys() {
        let page = Keymap.standard.markdownReference()
        for action in Action.allCases {
            let row = page.components(separatedBy: "\n").first { $0.contains("| `\(action.rawValue)` |") }
            XCTAssertNotNil(row, "\(action.rawValue) is missing")
            for key in Keymap.standard.keys[action] ?? [] {
                XCTAssertTrue(row?.contains("`\(key.label.replacingOccurrences(of: "|", with: "\\|"))`") ?? false,
                              "\(action.rawValue) lacks \(key.label)")
            }
        }
        XCTAssertTrue(page.contains("\n## Visual mode\n"), "one section per help group")
        XCTAssertTrue(page.contains("`<S-Tab>`"), "the key names for [keys] are listed")
    }

    func testMarkdownReferenceFollowsARemap() throws {
        let map = try Keymap.standard.remapped([("undo", ["z"])], file: "c.toml")
        let row = map.markdownReference().components(separatedBy: "\n").first { $0.contains("| `undo` |") }
        XCTAssertEqual(row?.hasPrefix("| `z` |"), true, row ?? "no undo row")
    }

    func testCommandHelpWithAPipeKeepsTheTableIntact() {
        let row = Keymap.standard.markdownReference().components(separatedBy: "\n").first { $0.contains("| `command` |") } ?? ""
        XCTAssertTrue(row.contains("disagreement\\|corpus"), row)
        XCTAssertEqual(row.components(separatedBy: " | ").count, 3, row)
    }
}
