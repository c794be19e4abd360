import Core
import Crypto
import Foundation

/// Small pieces the import and export formats share.
public enum FormatSupport {
    /// The PMID a document key carries: `pmid:123` gives `123`, any other key none.
    static func pmid(forKey key: String) -> String? {
        guard key.hasPrefix("pmid:") else { return nil }
        let rest = key.dropFirst(5)
        guard !rest.isEmpty, rest.unicodeScalars.allSatisfy({ $0.value >= 0x30 && $0.value <= 0x39 }) else { return nil }
        return String(rest)
    }

    /// True when the two strings are the same scalars (no canonical-equivalence folding:
    /// `é` and `e` + U+0301 differ, as they do in offsets).
    static func sameScalars(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.elementsEqual(b.unicodeScalars)
    }

    /// What is wrong with `span` on `text` (expecting `expected` when given), or `nil`.
    static func problem(_ span: Span, in text: ScalarText, expected: String?) -> String? {
        guard let found = text.text(at: span) else {
            return "span \(span) is empty or outside the text (\(text.count) characters)"
        }
        if let expected, !sameScalars(found, expected) {
            return "span \(span) covers \"\(found)\", not \"\(expected)\""
        }
        return nil
    }

    /// The longest document a corpus holds, in Unicode scalars (2³¹ − 1): document offsets
    /// and lengths read from a file are checked against it, so offset arithmetic cannot overflow.
    public static let maxDocumentLength = Int(Int32.max)

    /// What is wrong with a sentence's document offset `offset` (its text `length` scalars
    /// long), or `nil`: it must not be negative and the sentence must end within
    /// `maxDocumentLength`.
    static func documentOffsetProblem(_ offset: Int, length: Int) -> String? {
        if offset < 0 { return "must not be negative, found \(offset)" }
        if offset > maxDocumentLength - length {
            return "\(offset) plus the sentence's \(length) characters passes the largest document offset (\(maxDocumentLength))"
        }
        return nil
    }

    /// `span` moved by a sentence's document offset `base`, or `nil` when that overflows.
    static func documentSpan(_ span: Span, base: Int) -> Span? {
        let (start, startOverflow) = base.addingReportingOverflow(span.start)
        let (end, endOverflow) = base.addingReportingOverflow(span.end)
        return startOverflow || endOverflow ? nil : Span(start, end)
    }

    /// The line (1-based) of the first byte sequence in `data` that is not UTF-8, or `nil`.
    /// The XML readers check this first: FoundationXML traps on an element or attribute name
    /// that is not UTF-8 instead of reporting it (found by `make fuzz`).
    static func invalidUTF8Line(_ data: Data) -> Int? {
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) == nil else { return nil }
        var line = 1
        for piece in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(validating: piece, as: UTF8.self) == nil { return line }
            line += 1
        }
        return line
    }

    /// The line (1-based) of the first processing instruction with a target and no data
    /// (`<?name?>`), outside comments and CDATA sections, or `nil`. libxml2 hands such an
    /// instruction's data on as a null pointer, and FoundationXML's callback reads it as a C
    /// string and crashes (found by `make fuzz`), so the XML readers refuse these files first.
    static func emptyProcessingInstructionLine(_ data: Data) -> Int? {
        let bytes = [UInt8](data)
        func starts(_ prefix: String, at i: Int) -> Bool { bytes[i...].starts(with: prefix.utf8) }
        var line = 1, i = 0
        /// Moves past `end`, counting lines.
        func skip(past end: String) {
            while i < bytes.count, !starts(end, at: i) {
                if bytes[i] == 0x0A { line += 1 }
                i += 1
            }
            i += end.utf8.count
        }
        while i < bytes.count {
            if bytes[i] == 0x0A { line += 1 }
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            if starts("<!--", at: i) {
                i += 4
                skip(past: "-->")
            } else if starts("<![CDATA[", at: i) {
                i += 9
                skip(past: "]]>")
            } else if starts("<?", at: i) {
                var j = i + 2
                while j < bytes.count, ![UInt8(ascii: "?"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[j]) { j += 1 }
                if j > i + 2, starts("?>", at: j) { return line }
                i += 2
            } else {
                i += 1
            }
        }
        return nil
    }

    /// SHA-256 of `text`'s UTF-8 bytes, in lower-case hex.
    public static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }

    /// SHA-256 of `data`, in lower-case hex.
    public static func sha256(_ data: Data) -> String {
        InputFile.hex(SHA256.hash(data: data))
    }

    /// The sentences grouped by document, documents in order of first appearance.
    static func documents(_ sentences: [SentenceView]) -> [(key: String, sentences: [SentenceView])] {
        var order: [String] = []
        var groups: [String: [SentenceView]] = [:]
        for s in sentences {
            if groups[s.documentKey] == nil { order.append(s.documentKey) }
            groups[s.documentKey, default: []].append(s)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// Whether a text has a line break that would cut a line-based format.
    static func hasLineBreak(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
    }

    /// A drug's normalized name when the input gives none: whitespace collapsed, lower-cased.
    static func normalizedDrugName(_ text: String) -> String {
        collapseWhitespace(text).lowercased()
    }

    /// `text` trimmed, each inner whitespace run one space (case kept).
    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
