import Foundation
import XCTest

/// Every relative link in the hand-written pages (README.md, CONTRIBUTING.md, docs/**/*.md)
/// points at a file that exists: moving or renaming a page without fixing its links fails here,
/// naming the page and line of each broken link.
final class DocLinksTests: XCTestCase {
    func testRelativeLinksInTheDocsPointAtFilesThatExist() throws {
        let pages = try DocLinks.pages(under: packageRoot)
        XCTAssertTrue(pages.contains { $0.lastPathComponent == "README.md" }, "README.md was not found")
        XCTAssertTrue(pages.contains { $0.path.contains("/docs/") }, "no page under docs/ was found")
        var broken: [String] = []
        for page in pages {
            broken += try DocLinks.brokenLinks(in: page, root: packageRoot)
        }
        XCTAssertTrue(broken.isEmpty, "broken links:\n" + broken.joined(separator: "\n"))
    }

    /// The checker itself: a missing target is reported with file:line, while web links, pure
    /// anchors, anchors on existing files, links inside code, and folders are not.
    func testTheCheckerReportsAMissingTargetWithItsLine() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("doclinks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("docs/results"), withIntermediateDirectories: true)
        try "# There\n".write(to: root.appendingPathComponent("docs/there.md"), atomically: true, encoding: .utf8)
        let page = root.appendingPathComponent("docs/page.md")
        try """
            # Page
            [fine](there.md) and [fine too](there.md#a-section "a title") and [folder](results/)
            [web](https://example.org/missing.md), [anchor](#page), [mail](mailto:a@b.c)
            `[in code](missing-in-code.md)`
            ```
            [in a fence](missing-in-fence.md)
            ```
            ![broken image](missing.svg) then [broken](../nowhere.md#x)
            [ref]: gone.md
            """.write(to: page, atomically: true, encoding: .utf8)
        let broken = try DocLinks.brokenLinks(in: page, root: root)
        XCTAssertEqual(broken, [
            "docs/page.md:8: missing.svg (no such file)",
            "docs/page.md:8: ../nowhere.md#x (no such file)",
            "docs/page.md:9: gone.md (no such file)",
        ])
    }
}

/// Finds the relative links of Markdown pages and checks that their targets exist.
enum DocLinks {
    /// README.md and CONTRIBUTING.md at the root (where present), and every .md under docs/.
    static func pages(under root: URL) throws -> [URL] {
        let files = FileManager.default
        var pages = ["README.md", "CONTRIBUTING.md"].map { root.appendingPathComponent($0) }
            .filter { files.fileExists(atPath: $0.path) }
        let docs = root.appendingPathComponent("docs")
        if let walker = files.enumerator(at: docs, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where url.pathExtension == "md" { pages.append(url) }
        }
        return pages.sorted { $0.path < $1.path }
    }

    /// `PAGE:LINE: TARGET (no such file)` for each relative link whose file does not exist.
    /// Links in fenced code blocks and code spans are not links, and are skipped.
    static func brokenLinks(in page: URL, root: URL) throws -> [String] {
        let text = try String(contentsOf: page, encoding: .utf8)
        let name = page.path.hasPrefix(root.path + "/") ? String(page.path.dropFirst(root.path.count + 1)) : page.path
        var broken: [String] = []
        var fence: String?
        for (index, rawLine) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = rawLine.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                continue
            }
            for target in targets(in: withoutCodeSpans(rawLine)) where !exists(target, from: page) {
                broken.append("\(name):\(index + 1): \(target) (no such file)")
            }
        }
        return broken
    }

    private static let inlineLink = try! NSRegularExpression(
        pattern: #"!?\[[^\]]*\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+"[^"]*")?\s*\)"#)
    private static let referenceDefinition = try! NSRegularExpression(pattern: #"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)"#)

    /// The link targets of one line: inline links and images, and reference definitions.
    static func targets(in line: String) -> [String] {
        let range = NSRange(line.startIndex..., in: line)
        return (inlineLink.matches(in: line, range: range) + referenceDefinition.matches(in: line, range: range))
            .sorted { $0.range.location < $1.range.location }
            .compactMap { Range($0.range(at: 1), in: line).map { String(line[$0]) } }
    }

    /// The line with its code spans (`…`, ``…``) blanked out.
    static func withoutCodeSpans(_ line: String) -> String {
        var result = "", rest = Substring(line)
        while let open = rest.firstIndex(of: "`") {
            let ticks = rest[open...].prefix { $0 == "`" }
            let afterOpen = rest[open...].dropFirst(ticks.count)
            guard let close = afterOpen.range(of: String(ticks)) else { break }
            result += rest[..<open]
            rest = afterOpen[close.upperBound...]
        }
        return result + rest
    }

    /// Web, mail and pure-anchor links are not checked; a relative target is resolved against
    /// the page's folder, without its #anchor, and may be a file or a folder.
    static func exists(_ target: String, from page: URL) -> Bool {
        if target.isEmpty || target.hasPrefix("#") { return true }
        let lower = target.lowercased()
        if ["http://", "https://", "mailto:"].contains(where: lower.hasPrefix) { return true }
        let path = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let decoded = path.removingPercentEncoding ?? String(path)
        let url = page.deletingLastPathComponent().appendingPathComponent(decoded)
        return FileManager.default.fileExists(atPath: url.standardizedFileURL.path)
    }
}
