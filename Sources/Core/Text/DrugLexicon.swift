/// One lexicon name found in a text.
public struct LexiconMatch: Hashable, Sendable {
    /// Where the name occurs, in Unicode-scalar offsets of the searched text.
    public var span: Span
    /// The matched text exactly as written (original case and whitespace).
    public var text: String
    /// The normalised (concept) name the lexicon maps this name to.
    public var normalized: String

    public init(span: Span, text: String, normalized: String) {
        self.span = span
        self.text = text
        self.normalized = normalized
    }
}

/// Drug names compiled into a trie, for case-insensitive whole-word matching in sentences.
///
/// Names are trimmed and their inner whitespace runs collapse to one space; in a text, that
/// space matches any run of whitespace (spaces, tabs, line breaks). Case folding works
/// scalar by scalar so that offsets stay aligned: a scalar whose lower-case form is not a
/// single scalar is compared as is. Names that fold to the same key are one surface name;
/// adding one again replaces its normalised name.
public struct DrugLexicon: Sendable {
    /// Trie edges: `(node << 32) | folded scalar` to the child node. Node 0 is the root.
    private var edges = EdgeTable()
    /// For each node, the index in `entries` of the name ending there, or -1.
    private var terminal: [Int32] = [-1]
    /// Surface names (as first added, whitespace collapsed) and their normalised names.
    private var entries: [(surface: String, normalized: String)] = []
    /// How many surface names map to each normalised name.
    private var conceptUse: [String: Int] = [:]

    /// An empty lexicon.
    public init() {}

    /// The number of distinct surface names (case-insensitively, whitespace collapsed).
    public var count: Int { entries.count }

    /// The number of distinct normalised (concept) names.
    public var conceptCount: Int { conceptUse.count }

    /// Every surface name with its normalised name, in the order first added.
    public var names: [(name: String, normalized: String)] {
        entries.map { ($0.surface, $0.normalized) }
    }

    /// How many surface names map to each normalised name.
    public var namesPerConcept: [String: Int] { conceptUse }

    /// Adds a name; `normalized` defaults to the lower-cased name.
    ///
    /// Both are trimmed with inner whitespace collapsed; an empty name is ignored, an empty
    /// `normalized` counts as none. Adding a name already present replaces its normalised name.
    public mutating func add(_ name: String, normalized: String? = nil) {
        let surface = collapseWhitespace(name)
        guard !surface.isEmpty else { return }
        var concept = normalized.map(collapseWhitespace) ?? ""
        if concept.isEmpty { concept = surface.lowercased() }

        var node: Int32 = 0
        for v in key(surface) {
            let edge = UInt64(UInt32(node)) << 32 | UInt64(v)
            if let child = edges[edge] {
                node = child
            } else {
                let child = Int32(terminal.count)
                terminal.append(-1)
                edges.set(edge, child)
                node = child
            }
        }
        let index = terminal[Int(node)]
        if index >= 0 {
            let old = entries[Int(index)].normalized
            guard old != concept else { return }
            release(old)
            entries[Int(index)].normalized = concept
        } else {
            terminal[Int(node)] = Int32(entries.count)
            entries.append((surface, concept))
        }
        conceptUse[concept, default: 0] += 1
    }

    /// The normalised name for `name` (case-insensitive, whitespace collapsed), or `nil`.
    public func normalized(for name: String) -> String? {
        var node: Int32 = 0
        for v in key(collapseWhitespace(name)) {
            guard let child = edges[UInt64(UInt32(node)) << 32 | UInt64(v)] else { return nil }
            node = child
        }
        let index = terminal[Int(node)]
        return index >= 0 ? entries[Int(index)].normalized : nil
    }

    /// Every lexicon name in `text`: whole words, case-insensitive, leftmost-longest and
    /// non-overlapping, in text order.
    public func matches(in text: String) -> [LexiconMatch] {
        matches(in: ScalarText(text))
    }

    /// Every lexicon name in an already indexed text (see `matches(in:)`).
    public func matches(in text: ScalarText) -> [LexiconMatch] {
        let s = text.scalars
        let n = s.count
        var found: [LexiconMatch] = []
        guard !entries.isEmpty else { return found }
        var i = 0
        var previousIsWord = false
        while i < n {
            let c = s[i]
            let cIsWord = isWordScalar(c)
            // A match may start only where the scalar before it is not part of a word.
            guard !previousIsWord, !isSpace(c), let (end, entry) = longestMatch(s, from: i) else {
                previousIsWord = cIsWord
                i += 1
                continue
            }
            let span = Span(i, end)
            found.append(LexiconMatch(span: span, text: text[span],
                                      normalized: entries[Int(entry)].normalized))
            previousIsWord = isWordScalar(s[end - 1])
            i = end
        }
        return found
    }

    /// The longest name starting at `i` that ends at a word boundary: its end and entry.
    @inline(__always)
    private func longestMatch(_ s: [Unicode.Scalar], from i: Int) -> (Int, Int32)? {
        let n = s.count
        var node: Int32 = 0
        var best: (Int, Int32)?
        var j = i
        while j < n {
            let c = s[j]
            var next = j + 1
            let folded: UInt32
            if isSpace(c) {
                folded = 0x20
                while next < n && isSpace(s[next]) { next += 1 }
            } else {
                folded = fold(c)
            }
            guard let child = edges[UInt64(UInt32(node)) << 32 | UInt64(folded)] else { break }
            node = child
            j = next
            let entry = terminal[Int(node)]
            if entry >= 0 && (j == n || !isWordScalar(s[j])) {
                best = (j, entry)
            }
        }
        return best
    }

    private mutating func release(_ concept: String) {
        let uses = conceptUse[concept, default: 0]
        conceptUse[concept] = uses > 1 ? uses - 1 : nil
    }

    // MARK: Lexicon file

    /// Parses a lexicon file: one `name` or `name<TAB>normalized name` per line.
    ///
    /// Blank lines and lines starting with `#` are skipped; a line with more than two
    /// tab-separated fields or an empty field, and a file without any name, are errors that
    /// name `file` and the 1-based line.
    public static func parse(_ contents: String, file: String) throws(LexiconError) -> DrugLexicon {
        var lexicon = DrugLexicon()
        var lineNumber = 0
        var hasEntry = false
        // Split on scalars: as a `Character`, "\r\n" is one grapheme, not a "\n".
        for rawLine in contents.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var scalars = rawLine
            if scalars.last == "\r" { scalars = scalars.dropLast() }
            if lineNumber == 1 && scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
            let line = Substring(scalars)
            let trimmed = line.drop(while: { $0.isWhitespace })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count <= 2 else {
                throw .invalidLine(file: file, line: lineNumber, message:
                    "expected `name` or `name<TAB>normalized name`, found \(fields.count) tab-separated fields")
            }
            let name = collapseWhitespace(fields[0])
            guard !name.isEmpty else {
                throw .invalidLine(file: file, line: lineNumber, message: "the name is empty")
            }
            var concept: String?
            if fields.count == 2 {
                concept = collapseWhitespace(fields[1])
                guard concept?.isEmpty == false else {
                    throw .invalidLine(file: file, line: lineNumber, message: "the normalized name is empty")
                }
            }
            lexicon.add(name, normalized: concept)
            hasEntry = true
        }
        guard hasEntry else {
            throw .invalidLine(file: file, line: 1, message: "the lexicon has no entries")
        }
        return lexicon
    }
}

/// Why a lexicon file could not be read.
public enum LexiconError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A line (1-based) of `file` is malformed; also used, at line 1, for a file without names.
    case invalidLine(file: String, line: Int, message: String)

    public var description: String {
        switch self {
        case let .invalidLine(file, line, message):
            return "\(file):\(line): \(message)"
        }
    }
}

// MARK: - Keys and scalar classes

/// Trims `text` and collapses each inner whitespace run to one space.
private func collapseWhitespace<S: StringProtocol>(_ text: S) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
}

/// The trie key of a collapsed name: its folded scalars, a space standing for whitespace.
private func key(_ collapsed: String) -> [UInt32] {
    collapsed.unicodeScalars.map { isSpace($0) ? 0x20 : fold($0) }
}

/// The lower-case form of one scalar, or the scalar itself when that form is not one scalar.
@inline(__always)
private func fold(_ c: Unicode.Scalar) -> UInt32 {
    let v = c.value
    if v < 0x80 { return (v >= 0x41 && v <= 0x5A) ? v | 0x20 : v }
    guard c.properties.changesWhenLowercased else { return v }
    let lower = c.properties.lowercaseMapping.unicodeScalars
    return lower.count == 1 ? lower.first!.value : v
}
