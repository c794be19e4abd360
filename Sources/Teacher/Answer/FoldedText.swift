import Core

/// Text folded for matching: lower case, whitespace removed, typographic quotes and dashes
/// made plain; each folded scalar remembers its offset in the original text.
struct FoldedText {
    var scalars: [Unicode.Scalar] = []
    /// The original scalar offset of each folded scalar.
    var origin: [Int] = []
    /// The original text's scalars.
    let original: [Unicode.Scalar]

    init(_ text: String) {
        original = Array(text.unicodeScalars)
        for (i, s) in original.enumerated() where !s.properties.isWhitespace {
            scalars.append(Self.fold(s))
            origin.append(i)
        }
    }

    static func fold(_ s: Unicode.Scalar) -> Unicode.Scalar {
        switch s {
        case "\u{2018}", "\u{2019}", "\u{02BC}": return "'"
        case "\u{201C}", "\u{201D}": return "\""
        case "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}": return "-"
        default:
            let lower = s.properties.lowercaseMapping.unicodeScalars
            return lower.count == 1 ? lower.first! : s
        }
    }

    /// Every span of the original text whose folded form equals `needle` folded.
    func occurrences(of needle: String) -> [Span] {
        let n = needle.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Self.fold)
        guard !n.isEmpty, n.count <= scalars.count else { return [] }
        var result: [Span] = []
        outer: for i in 0...(scalars.count - n.count) {
            for j in 0..<n.count where scalars[i + j] != n[j] { continue outer }
            result.append(Span(origin[i], origin[i + n.count - 1] + 1))
        }
        return result
    }

    /// True when the span starts and ends at word boundaries of the original text.
    func isWholeWords(_ span: Span) -> Bool {
        let wordy = { (s: Unicode.Scalar) in s.properties.isAlphabetic || s.properties.numericType != nil }
        let before = span.start == 0 || !wordy(original[span.start - 1]) || !wordy(original[span.start])
        let after = span.end >= original.count || !wordy(original[span.end]) || !wordy(original[span.end - 1])
        return before && after
    }
}
