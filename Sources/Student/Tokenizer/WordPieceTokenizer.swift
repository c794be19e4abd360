import Core
import Foundation

/// One word piece with its id and the span of the original sentence it came from
/// (Unicode-scalar offsets; `[0, 0)` for `[CLS]` and `[SEP]`).
public struct WordPiece: Sendable, Equatable {
    public var token: String
    public var id: Int32
    public var span: Span
}

/// BERT's tokenizer: basic tokenization (cleaning, CJK spacing, accent stripping and
/// lower-casing per the checkpoint, whitespace and punctuation splits), then greedy
/// longest-match-first WordPiece with `##` continuations. Offsets follow every piece back
/// to the original text, as Hugging Face's fast tokenizer reports them.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: Vocabulary
    public let lowercase: Bool
    public let stripAccents: Bool
    /// The longest encoded sequence, `[CLS]` and `[SEP]` included.
    public let maxLength: Int
    /// Words longer than this (in scalars) become `[UNK]`, as in BERT.
    public let maxWordLength = 100
    public let unknownID: Int32, clsID: Int32, sepID: Int32

    public init(vocabulary: Vocabulary, lowercase: Bool, stripAccents: Bool? = nil, maxLength: Int = 512) {
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        self.stripAccents = stripAccents ?? lowercase
        self.maxLength = max(3, maxLength)
        unknownID = vocabulary["[UNK]"] ?? 0
        clsID = vocabulary["[CLS]"] ?? 0
        sepID = vocabulary["[SEP]"] ?? 0
    }

    /// The tokenizer a checkpoint's config and `vocab.txt` describe.
    public init(directory: String, config: BertConfig) throws(CheckpointError) {
        self.init(vocabulary: try Vocabulary(path: directory + "/vocab.txt"), lowercase: config.lowercase,
                  stripAccents: config.stripAccents, maxLength: config.maxLength)
    }

    /// A word after normalisation: its scalars, each with the offset of the original scalar it came from.
    struct Word {
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
    }

    /// The word pieces of `text`, without `[CLS]`/`[SEP]` and without truncation.
    public func pieces(_ text: String) -> [WordPiece] {
        var result: [WordPiece] = []
        for word in basicTokens(text) { wordPieces(word, into: &result) }
        return result
    }

    /// `[CLS]` + the first `maxLength - 2` pieces + `[SEP]` (what `vigil tokenize` prints).
    public func encode(_ text: String) -> [WordPiece] {
        [special("[CLS]", clsID)] + pieces(text).prefix(maxLength - 2) + [special("[SEP]", sepID)]
    }

    func special(_ token: String, _ id: Int32) -> WordPiece { WordPiece(token: token, id: id, span: Span(0, 0)) }

    /// Sliding windows over `count` pieces so that each window plus `[CLS]`/`[SEP]` fits the
    /// model; consecutive windows overlap by half. One window when the sentence fits.
    public func windows(count: Int) -> [Range<Int>] {
        let capacity = maxLength - 2
        guard count > capacity else { return [0..<count] }
        let stride = max(1, capacity / 2)
        var result: [Range<Int>] = []
        var start = 0
        while true {
            let end = min(start + capacity, count)
            result.append(start..<end)
            if end == count { break }
            start += stride
        }
        return result
    }

    // MARK: basic tokenization

    func basicTokens(_ text: String) -> [Word] {
        var words: [Word] = []
        var current = Word()
        func flush() {
            if !current.scalars.isEmpty { words.append(current); current = Word() }
        }
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let value = scalar.value
            if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) { flush(); continue }
            if Self.isCJK(value) {
                flush()
                words.append(Word(scalars: [scalar], origins: [offset]))
                continue
            }
            for normal in normalise(scalar) {
                if Self.isPunctuation(normal) {
                    flush()
                    words.append(Word(scalars: [normal], origins: [offset]))
                } else {
                    current.scalars.append(normal)
                    current.origins.append(offset)
                }
            }
        }
        flush()
        return words
    }

    /// Accent stripping (NFD, drop non-spacing marks) then lower-casing, scalar by scalar.
    func normalise(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if scalar.isASCII {
            if lowercase, scalar.value >= 65, scalar.value <= 90 { return [Unicode.Scalar(scalar.value + 32)!] }
            return [scalar]
        }
        var scalars: [Unicode.Scalar] = [scalar]
        if stripAccents {
            scalars = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                .filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercase {
            scalars = scalars.flatMap { Array(String($0).lowercased().unicodeScalars) }
        }
        return scalars
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.generalCategory == .spaceSeparator
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    // MARK: WordPiece

    /// Greedy longest-match-first pieces of one word; the whole word is `[UNK]` when it is
    /// too long or some part of it matches no piece.
    func wordPieces(_ word: Word, into result: inout [WordPiece]) {
        let n = word.scalars.count
        let whole = Span(word.origins[0], word.origins[n - 1] + 1)
        guard n <= maxWordLength else {
            result.append(WordPiece(token: "[UNK]", id: unknownID, span: whole))
            return
        }
        var found: [WordPiece] = []
        var start = 0
        while start < n {
            var end = min(n, start + vocabulary.longestToken)
            var match: WordPiece?
            while end > start {
                var candidate = String.UnicodeScalarView()
                if start > 0 { candidate.append(contentsOf: "##".unicodeScalars) }
                candidate.append(contentsOf: word.scalars[start..<end])
                let token = String(candidate)
                if let id = vocabulary[token] {
                    match = WordPiece(token: token, id: id, span: Span(word.origins[start], word.origins[end - 1] + 1))
                    break
                }
                end -= 1
            }
            guard let match else {
                result.append(WordPiece(token: "[UNK]", id: unknownID, span: whole))
                return
            }
            found.append(match)
            start = end
        }
        result += found
    }
}
