/// Splits biomedical prose (abstracts, case reports) into sentences, as scalar-offset spans.
///
/// A sentence ends after `.`, `?` or `!` (a run of them, optionally followed by closing
/// quotes or brackets) when whitespace follows and the next text starts with an upper-case
/// letter, a digit or an opening quote or bracket. A blank line (two line breaks with only
/// spaces between) always ends a sentence; a single line break is ordinary whitespace.
///
/// A single `.` does not end a sentence when the word before it is
/// - a known abbreviation (`e.g.`, `i.v.`, `Dr.`, `Fig.`, `et al.` …), compared
///   case-insensitively, except that an all-capital word of two or more letters is read as
///   an acronym (`MS.`, `NO.`, `ED.` end sentences even though `Ms.` and `No.` do not);
/// - a single capital initial (`J. Smith`);
/// - dotted single letters (`U.S.`, `p.r.n.`), listed or not.
///
/// A period followed by a lower-case letter is never a boundary, nor one inside a number
/// (`2.5 mg`). Spans are trimmed of surrounding whitespace, in order and non-overlapping.
public struct SentenceSplitter: Sendable {
    /// Abbreviations that never end a sentence, lower-cased, each ending with a period.
    ///
    /// Units (`mg.`, `min.`) and `etc.` are left out on purpose: a period is only a
    /// candidate boundary when a capital, digit or opening bracket follows, and after those
    /// words that is almost always a new sentence.
    public static let defaultAbbreviations: Set<String> = [
        // Latin and English short forms.
        "e.g.", "i.e.", "vs.", "viz.", "cf.", "ca.", "approx.", "resp.", "incl.", "esp.",
        "et al.",
        // Routes and dosing schedules.
        "i.v.", "i.m.", "i.p.", "i.d.", "s.c.", "p.o.", "p.r.", "s.l.",
        "b.i.d.", "t.i.d.", "q.i.d.", "q.d.", "q.o.d.", "q.h.", "h.s.", "p.r.n.",
        // Titles and degrees.
        "dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "jr.", "sr.", "ph.d.", "m.d.",
        // References inside the text.
        "fig.", "figs.", "tab.", "eq.", "eqs.", "ref.", "refs.", "no.", "nos.",
        "vol.", "vols.", "pp.", "suppl.",
        // Organisations and taxonomy.
        "inc.", "ltd.", "co.", "corp.", "dept.", "univ.", "sp.", "spp.", "subsp.", "var.",
    ]

    /// The abbreviations in use, normalised: lower-cased, single spaces, ending with `.`.
    public let abbreviations: Set<String>

    /// One-word abbreviations, normalised.
    private let singleWord: Set<String>
    /// Multi-word abbreviations, keyed by their last word: the words before it, in order.
    private let multiWord: [String: [[String]]]

    /// Creates a splitter that will not split after the given abbreviations.
    ///
    /// Entries are compared case-insensitively; a missing final period is added
    /// (`"vs"` means `"vs."`), and multi-word entries (`"et al."`) are matched word by word
    /// across any whitespace.
    public init(abbreviations: Set<String> = SentenceSplitter.defaultAbbreviations) {
        var normalised: Set<String> = []
        var single: Set<String> = []
        var multi: [String: [[String]]] = [:]
        for raw in abbreviations {
            var words = raw.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
            guard let last = words.last else { continue }
            if !last.hasSuffix(".") { words[words.count - 1] = last + "." }
            normalised.insert(words.joined(separator: " "))
            let final = words.removeLast()
            if words.isEmpty {
                single.insert(final)
            } else {
                multi[final, default: []].append(words)
            }
        }
        self.abbreviations = normalised
        self.singleWord = single
        self.multiWord = multi
    }

    /// The sentences of `text`, as spans of Unicode-scalar offsets.
    public func split(_ text: String) -> [Span] {
        split(scalars: Array(text.unicodeScalars))
    }

    /// The sentences of an already indexed text, as spans of Unicode-scalar offsets.
    public func split(_ text: ScalarText) -> [Span] {
        split(scalars: text.scalars)
    }

    private func split(scalars s: [Unicode.Scalar]) -> [Span] {
        let n = s.count
        var spans: [Span] = []
        spans.reserveCapacity(n / 100 + 1)
        var start = -1      // first scalar of the open sentence, -1 when none is open
        var end = 0         // one past its last non-whitespace scalar
        var i = 0
        while i < n {
            let c = s[i]
            if isSpace(c) {
                let (next, breaks) = skipSpace(s, from: i)
                if breaks >= 2 && start >= 0 {
                    spans.append(Span(start, end))
                    start = -1
                }
                i = next
                continue
            }
            if start < 0 { start = i }
            guard isTerminal(c) else {
                i += 1
                end = i
                continue
            }
            var j = i + 1
            while j < n && isTerminal(s[j]) { j += 1 }
            let singlePeriod = c == "." && j == i + 1
            while j < n && isCloser(s[j]) { j += 1 }
            end = j
            if j < n && isSpace(s[j]) {
                let (k, breaks) = skipSpace(s, from: j)
                // A blank line is handled by the whitespace branch; the end of text by the flush.
                if breaks < 2 && k < n && startsSentence(s[k])
                    && !(singlePeriod && isAbbreviation(s, periodAt: i)) {
                    spans.append(Span(start, end))
                    start = -1
                    j = k
                }
            }
            i = j
        }
        if start >= 0 { spans.append(Span(start, end)) }
        return spans
    }

    /// Whether the word that ends with the period at `p` keeps the sentence open.
    private func isAbbreviation(_ s: [Unicode.Scalar], periodAt p: Int) -> Bool {
        let t = wordStart(s, before: p)
        guard t < p else { return false }
        if p - t == 1 {
            // A single capital initial: "J. Smith".
            if isUpper(s[t]) { return true }
        } else if isDottedLetters(s, t..<p) {
            return true
        } else if isAcronym(s, t..<p) {
            return false
        }
        let word = lowercased(s, t...p)
        if singleWord.contains(word) { return true }
        guard let candidates = multiWord[word] else { return false }
        for words in candidates where precedingWords(s, before: t, equal: words) {
            return true
        }
        return false
    }

    /// Whether the words just before offset `t` are `words` (case-insensitively).
    private func precedingWords(_ s: [Unicode.Scalar], before t: Int, equal words: [String]) -> Bool {
        var cursor = t
        for expected in words.reversed() {
            var e = cursor
            while e > 0 && isSpace(s[e - 1]) { e -= 1 }
            guard e < cursor else { return false }
            let b = wordStart(s, before: e)
            guard b < e, lowercased(s, b..<e) == expected else { return false }
            cursor = b
        }
        return true
    }

    /// The start of the whitespace-delimited word ending just before `p`, past opening
    /// quotes and brackets.
    private func wordStart(_ s: [Unicode.Scalar], before p: Int) -> Int {
        var t = p
        while t > 0 && !isSpace(s[t - 1]) { t -= 1 }
        while t < p && isOpener(s[t]) { t += 1 }
        return t
    }

    /// Single letters separated by periods, such as `U.S` or `p.r.n` (final period excluded).
    private func isDottedLetters(_ s: [Unicode.Scalar], _ r: Range<Int>) -> Bool {
        guard r.count >= 3, r.count % 2 == 1 else { return false }
        var i = r.lowerBound
        while i < r.upperBound {
            guard s[i].properties.isAlphabetic else { return false }
            if i + 1 < r.upperBound && s[i + 1] != "." { return false }
            i += 2
        }
        return true
    }

    /// Two or more letters, all of them capitals (`MS`, `NO`, `ED`).
    private func isAcronym(_ s: [Unicode.Scalar], _ r: Range<Int>) -> Bool {
        var letters = 0
        for i in r {
            if isUpper(s[i]) {
                letters += 1
            } else if s[i].properties.isAlphabetic {
                return false
            }
        }
        return letters >= 2
    }

    private func lowercased<R: RangeExpression<Int>>(_ s: [Unicode.Scalar], _ r: R) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[r])
        return String(view).lowercased()
    }
}

// MARK: - Scalar classes (ASCII fast paths)


/// Skips the whitespace run starting at `i`; returns where it ends and how many line
/// breaks it holds (`\r\n` counts once, a paragraph separator counts as a blank line).
@inline(__always)
private func skipSpace(_ s: [Unicode.Scalar], from i: Int) -> (end: Int, breaks: Int) {
    var j = i
    var breaks = 0
    let n = s.count
    while j < n {
        let v = s[j].value
        switch v {
        case 0x0A, 0x85, 0x2028: breaks += 1
        case 0x0D: if j + 1 >= n || s[j + 1].value != 0x0A { breaks += 1 }
        case 0x2029: breaks += 2
        default: guard isSpace(s[j]) else { return (j, breaks) }
        }
        j += 1
    }
    return (j, breaks)
}

@inline(__always)
private func isTerminal(_ c: Unicode.Scalar) -> Bool {
    c == "." || c == "?" || c == "!"
}

/// Closing quotes and brackets that may follow the final punctuation: `.)` `."` `?”`.
@inline(__always)
private func isCloser(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x29, 0x5D, 0x7D, 0x22, 0x27, 0x201D, 0x2019, 0xBB, 0x203A: return true
    default: return false
    }
}

/// Opening quotes and brackets that may start a sentence.
@inline(__always)
private func isOpener(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x28, 0x5B, 0x7B, 0x22, 0x27, 0x201C, 0x2018, 0x201E, 0x201A, 0xAB, 0x2039, 0xBF, 0xA1:
        return true
    default: return false
    }
}

@inline(__always)
private func isUpper(_ c: Unicode.Scalar) -> Bool {
    let v = c.value
    if v < 0x80 { return v >= 0x41 && v <= 0x5A }
    return c.properties.isUppercase || c.properties.generalCategory == .titlecaseLetter
}

/// An upper-case letter, a decimal digit, or an opening quote or bracket.
@inline(__always)
private func startsSentence(_ c: Unicode.Scalar) -> Bool {
    let v = c.value
    if v < 0x80 {
        return (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || isOpener(c)
    }
    return isUpper(c) || c.properties.numericType == .decimal || isOpener(c)
}
