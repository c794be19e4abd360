import TerminalUI
import XCTest

final class ScreenBufferTests: XCTestCase {
    func testPutClipsAtTheLimitAndReturnsTheNextColumn() {
        var b = ScreenBuffer(width: 10, height: 2)
        let next = b.put("abcdef", x: 2, y: 0, role: .header, limit: 6)
        XCTAssertEqual(next, 8)
        XCTAssertEqual(b.text, "  abcd\n")
        XCTAssertEqual(b.roleGrid, "..HHHH....\n..........")
    }

    func testWideCharactersTakeTwoCellsAndAreNeverCutInHalf() {
        var b = ScreenBuffer(width: 5, height: 1)
        b.put("a漢字", x: 0, y: 0, role: .text)
        XCTAssertEqual(b.text, "a漢字")
        XCTAssertTrue(b[2, 0].isContinuation)
        var c = ScreenBuffer(width: 4, height: 1)
        c.put("a漢字", x: 0, y: 0, role: .text)
        XCTAssertEqual(c.text, "a漢", "the second wide character does not fit in the last column")
    }

    func testCombiningMarksTakeNoColumn() {
        XCTAssertEqual(TextWidth.of("e\u{301}x"), 2)
        XCTAssertEqual(TextWidth.of("µg ×10⁹"), 7)
    }

    func testOutOfScreenWritesAreIgnored() {
        var b = ScreenBuffer(width: 3, height: 1)
        b.put("x", x: -1, y: 0, role: .text)
        b.put("x", x: 0, y: 5, role: .text)
        b.fill(Rect(x: 2, y: 0, width: 10, height: 10), role: .error)
        XCTAssertEqual(b.roleGrid, "..E")
    }

    func testDiffSendsOnlyChangedCellsAndEverythingAfterAResize() {
        var a = ScreenBuffer(width: 4, height: 2)
        a.put("ab", x: 0, y: 0, role: .text)
        var b = a
        b.put("X", x: 1, y: 1, role: .error)
        XCTAssertEqual(b.changes(from: a), [CellChange(x: 1, y: 1, cell: Cell("X", role: .error))])
        XCTAssertEqual(b.changes(from: b), [])
        XCTAssertEqual(b.changes(from: nil).count, 8)
        XCTAssertEqual(b.changes(from: ScreenBuffer(width: 3, height: 2)).count, 8)
    }

    func testTerminalPresentsDiffsOntoTheBackend() {
        let backend = TestBackend(width: 6, height: 2)
        let terminal = Terminal(backend: backend, theme: .fallback)
        var frame = ScreenBuffer(width: 6, height: 2)
        frame.put("hello", x: 0, y: 0, role: .text)
        XCTAssertEqual(terminal.present(frame), 12)
        frame.put("J", x: 0, y: 0, role: .text)
        XCTAssertEqual(terminal.present(frame), 1)
        XCTAssertEqual(terminal.present(frame), 0)
        XCTAssertEqual(backend.screen.text, "Jello\n")
    }
}
