import Foundation
import TerminalUI
import XCTest

/// Compares a rendered buffer (text plus role grid) with `Snapshots/NAME.txt`.
/// Snapshots are recorded only on purpose: `VIGIL_RECORD_SNAPSHOTS=1 swift test …`.
func assertSnapshot(_ buffer: ScreenBuffer, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let directory = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = directory.appendingPathComponent(name + ".txt")
    let actual = "\(buffer.width)x\(buffer.height)\n\(buffer.text)\n--- roles (see Role.code) ---\n\(buffer.roleGrid)\n"
    if ProcessInfo.processInfo.environment["VIGIL_RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            print("recorded snapshot \(url.path)")
        } catch {
            XCTFail("cannot record \(url.path): \(error)", file: file, line: line)
        }
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("no snapshot \(url.lastPathComponent): record it with VIGIL_RECORD_SNAPSHOTS=1 and review it",
                file: file, line: line)
        return
    }
    guard expected != actual else { return }
    let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
    let index = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
    XCTFail("""
        snapshot \(name) differs at line \(index + 1):
          expected: \(index < e.count ? e[index] : "<end>")
          actual:   \(index < a.count ? a[index] : "<end>")
        (re-record on purpose with VIGIL_RECORD_SNAPSHOTS=1 if the change is intended)
        """, file: file, line: line)
}
