import TerminalUI
import XCTest

final class WrapAndKeyTests: XCTestCase {
    func testWrapBreaksAfterSpacesAndKeepsOffsets() {
        let text = Array("the quick brown fox".unicodeScalars)
        let lines = TextWrap.lines(text, width: 8)
        XCTAssertEqual(lines, [0..<4, 4..<10, 10..<16, 16..<19])
        XCTAssertEqual(TextWrap.lines(text, width: 10), [0..<10, 10..<19])
        XCTAssertEqual(lines.last?.upperBound, text.count, "every scalar is on some line")
    }

    func testWrapCutsWordsLongerThanALine() {
        XCTAssertEqual(TextWrap.strings("abcdefghij xy", width: 4), ["abcd", "efgh", "ij", "xy"])
    }

    func testWrapOfEmptyTextIsOneEmptyLine() {
        XCTAssertEqual(TextWrap.lines([], width: 5), [0..<0])
        XCTAssertEqual(TextWrap.lines(Array("abc".unicodeScalars), width: 0), [])
    }

    func testKeyNamesRoundTrip() {
        for name in ["j", "?", "<C-r>", "<Down>", "<Enter>", "<S-Tab>", "<Space>", "<Esc>", "<S-Right>"] {
            let key = Key(name: name)
            XCTAssertNotNil(key, name)
            XCTAssertEqual(key?.description, name)
        }
        XCTAssertNil(Key(name: "<Nope>"))
        XCTAssertNil(Key(name: "jk"))
        XCTAssertNil(Key(name: "<C-1>"))
    }

    func testRawControlCodesBecomeNamedKeys() {
        XCTAssertEqual(Key(scalar: "\r"), .enter)
        XCTAssertEqual(Key(scalar: "\u{1B}"), .escape)
        XCTAssertEqual(Key(scalar: "\u{12}"), .ctrl("r"))
        XCTAssertEqual(Key(scalar: "\u{7F}"), .backspace)
        XCTAssertEqual(Key(scalar: "é"), .char("é"))
    }
}
