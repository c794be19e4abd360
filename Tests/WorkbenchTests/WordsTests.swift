import Core
@testable import Workbench
import XCTest

final class WordsTests: XCTestCase {
    let words = Words(Array("5-FU (5 mg) caused µ-rash, nausea.".unicodeScalars))

    func testWordsAreRunsOfLettersAndDigits() {
        let text = ScalarText("5-FU (5 mg) caused µ-rash, nausea.")
        XCTAssertEqual(words.spans.map { text[$0] }, ["5", "FU", "5", "mg", "caused", "µ", "rash", "nausea"])
    }

    func testCaretAndSelection() {
        XCTAssertEqual(words.nextStart(after: 0), 2)
        XCTAssertEqual(words.previousStart(before: 2), 0)
        XCTAssertNil(words.previousStart(before: 0))
        XCTAssertEqual(words.selection(anchor: 12, caret: 19), Span(12, 20))
    }

    func testEndMovesStopAtPunctuation() {
        let s = Span(21, 25) // "rash"
        XCTAssertEqual(words.endRightWord(s), Span(21, 33))
        XCTAssertEqual(words.endRightChar(s), Span(21, 26), "a character move can take the comma")
        XCTAssertNil(words.endLeftWord(s))
        XCTAssertEqual(words.startLeftWord(s), Span(19, 25))
    }
}
