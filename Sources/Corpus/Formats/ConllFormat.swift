import Core
import Foundation

/// CoNLL-style BIO columns, one block per (sentence, drug mention): the task unit.
///
/// ```
/// # doc = pmid:10030778
/// # text = Intravenous azithromycin-induced ototoxicity.
/// # drug = 12 24 azithromycin
/// # name = azithromycin
/// Intravenous	0	11	O	O
/// azithromycin	12	24	B-DRUG	O
/// -	24	25	O	O
/// induced	25	32	O	O
/// ototoxicity	33	44	O	B-ADE
/// .	44	45	O	O
/// ```
/// then a blank line. Columns (tab-separated): token, start, end (Unicode-scalar offsets in
/// the sentence), drug tag (`B-DRUG`/`I-DRUG`/`O`, the block's drug only) and ADE tag
/// (`B-ADE`/`I-ADE`/`O`, that drug's ADEs). Comment lines: `# doc` and `# text` are
/// required; `# drug = <start> <end> <text>` (else the DRUG column gives the span),
/// `# name` (default: the drug text lower-cased), `# pmid` and `# doc_offset` are optional;
/// other `#` lines are ignored.
///
/// Tokens are runs of letters and digits, or any other single non-space character, also
/// cut at every boundary of every drug and ADE span of the sentence, so every span is a
/// union of tokens and a round trip is exact. Sentences without a drug mention have no
/// block (the format's unit is a drug), so an export holds only sentences with drugs.
public enum ConllFormat {
    // MARK: Writing

    /// Writes one block per (sentence, drug mention) to `path` (atomically).
    ///
    /// Spans that start or end on whitespace, and two overlapping ADE spans of one drug,
    /// cannot be written as BIO tags; neither can a text with a line break. The error names
    /// the sentence and nothing is written.
    public static func write(_ sentences: [SentenceView], to path: String) throws {
        var out = ""
        for s in sentences where !s.drugs.isEmpty {
            let fail = { (message: String) in ExportError(path: path, "sentence \(s.id): \(message)") }
            if FormatSupport.hasLineBreak(s.text) || FormatSupport.hasLineBreak(s.documentKey) {
                throw fail("its text or document key has a line break, which a '# text = ' line cannot hold")
            }
            let text = ScalarText(s.text)
            var cuts: Set<Int> = []
            for d in s.drugs {
                for span in [d.span] + d.ades {
                    guard text.text(at: span) != nil else { throw fail("span \(span) is outside the sentence") }
                    cuts.insert(span.start)
                    cuts.insert(span.end)
                }
            }
            let tokens = tokenize(text, cuts: cuts)
            let starts = Set(tokens.map(\.start)), ends = Set(tokens.map(\.end))
            for d in s.drugs {
                for span in [d.span] + d.ades where !starts.contains(span.start) || !ends.contains(span.end) {
                    throw fail("span \(span) \"\(text[span])\" starts or ends with whitespace, which BIO tags cannot hold")
                }
                for (a, b) in zip(d.ades, d.ades.dropFirst()) where a.overlaps(b) {
                    throw fail("drug \(d.span) \"\(d.text)\" has overlapping ADE spans \(a) and \(b), which BIO tags cannot hold")
                }
            }
            for d in s.drugs {
                out += "# doc = \(s.documentKey)\n"
                out += "# text = \(s.text)\n"
                out += "# drug = \(d.span.start) \(d.span.end) \(text[d.span])\n"
                out += "# name = \(d.normalized)\n"
                if let pmid = s.pmid, !FormatSupport.hasLineBreak(pmid) { out += "# pmid = \(pmid)\n" }
                if let offset = s.docOffset { out += "# doc_offset = \(offset)\n" }
                for token in tokens {
                    let drugTag = tag(token, [d.span], "DRUG")
                    let adeTag = tag(token, d.ades, "ADE")
                    out += "\(text[token])\t\(token.start)\t\(token.end)\t\(drugTag)\t\(adeTag)\n"
                }
                out += "\n"
            }
        }
        try AtomicWrite.file(Data(out.utf8), to: path)
    }

    /// The BIO tag of `token` for non-overlapping `spans` (sorted).
    private static func tag(_ token: Span, _ spans: [Span], _ label: String) -> String {
        for span in spans where span.contains(token) {
            return token.start == span.start ? "B-\(label)" : "I-\(label)"
        }
        return "O"
    }

    /// The tokens of `text`: letter/digit runs and single other non-space characters, also
    /// cut at each offset in `cuts`.
    static func tokenize(_ text: ScalarText, cuts: Set<Int>) -> [Span] {
        let s = text.scalars
        var tokens: [Span] = []
        var i = 0
        while i < s.count {
            if s[i].properties.isWhitespace {
                i += 1
                continue
            }
            var j = i + 1
            if isWordScalar(s[i]) {
                while j < s.count && isWordScalar(s[j]) && !cuts.contains(j) { j += 1 }
            }
            tokens.append(Span(i, j))
            i = j
        }
        return tokens
    }

    // MARK: Reading

    /// Reads a CoNLL file; blocks of the same sentence (`# doc` + `# text`) are merged.
    public static func read(path: String) throws -> ImportBatch {
        let file = try InputFile(path: path)
        var order: [ADECorpusFormat.SentenceKey] = []
        var sentences: [ADECorpusFormat.SentenceKey: ImportBatch.Sentence] = [:]
        var drugLines: [ADECorpusFormat.SentenceKey: [Span: Int]] = [:]
        var block = Block()

        func finish() throws {
            guard let firstLine = block.firstLine else { return }
            let (key, sentence, drug) = try block.parse(path)
            if sentences[key] == nil {
                order.append(key)
                sentences[key] = sentence
            }
            if let other = drugLines[key]?[drug.span] {
                throw ImportError(file: path, line: firstLine,
                                  "the drug \(drug.span) of this sentence already has a block (line \(other))")
            }
            drugLines[key, default: [:]][drug.span] = firstLine
            sentences[key]!.drugs.append(drug)
            block = Block()
        }

        for (number, line) in file.lines {
            if line.allSatisfy(\.isWhitespace) {
                try finish()
            } else if line.hasPrefix("#") && !line.hasPrefix("#\t") {  // a "#" token is not a comment
                guard block.tokens.isEmpty else {
                    throw ImportError(file: path, line: number,
                                      "a comment line after the token lines: separate blocks with a blank line")
                }
                block.firstLine = block.firstLine ?? number
                block.comment(line, number)
            } else {
                block.firstLine = block.firstLine ?? number
                try block.token(line, number, path)
            }
        }
        try finish()
        guard !order.isEmpty else { throw ImportError(file: path, line: 0, "the file has no blocks") }
        let result = order.map { key in
            var s = sentences[key]!
            s.drugs.sort { $0.span < $1.span }
            return s
        }
        return ImportBatch(format: "conll", path: path, sha256: file.sha256, sentences: result)
    }

    /// One block as read: its comment values and token rows.
    private struct Block {
        struct Token {
            var line: Int
            var span: Span
            var text: String
            var drugTag: Substring
            var adeTag: Substring
        }
        var firstLine: Int?
        var values: [String: (line: Int, value: String)] = [:]
        var tokens: [Token] = []

        /// Records `# key = value`; other comments are ignored.
        mutating func comment(_ line: String, _ number: Int) {
            let body = line.dropFirst()
            guard let equals = body.range(of: " = ") else { return }
            let key = body[..<equals.lowerBound].trimmingCharacters(in: .whitespaces)
            if values[key] == nil { values[key] = (number, String(body[equals.upperBound...])) }
        }

        mutating func token(_ line: String, _ number: Int, _ path: String) throws {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5 else {
                throw ImportError(file: path, line: number,
                                  "expected 5 tab-separated columns (token, start, end, drug tag, ADE tag), found \(fields.count)")
            }
            guard let start = Int(fields[1]), let end = Int(fields[2]) else {
                throw ImportError(file: path, line: number, "token offsets '\(fields[1])' and '\(fields[2])' must be integers")
            }
            tokens.append(Token(line: number, span: Span(start, end), text: String(fields[0]),
                                drugTag: fields[3], adeTag: fields[4]))
        }

        /// The sentence, its key, and the block's drug with its ADEs.
        func parse(_ path: String) throws -> (ADECorpusFormat.SentenceKey, ImportBatch.Sentence, ImportBatch.Drug) {
            let first = firstLine!
            func required(_ key: String) throws -> (line: Int, value: String) {
                guard let v = values[key], !v.value.isEmpty else {
                    throw ImportError(file: path, line: first, "the block has no '# \(key) = ' line")
                }
                return v
            }
            let doc = try required("doc").value
            let textValue = try required("text").value
            let text = ScalarText(textValue)

            var previousEnd = 0
            for t in tokens {
                if let problem = FormatSupport.problem(t.span, in: text, expected: t.text) {
                    throw ImportError(file: path, line: t.line, "token '\(t.text)': \(problem)")
                }
                guard t.span.start >= previousEnd else {
                    throw ImportError(file: path, line: t.line, "token \(t.span) overlaps or precedes the token before it")
                }
                previousEnd = t.span.end
            }
            let drugRuns = try runs(\.drugTag, label: "DRUG", path)
            var drugSpan: Span
            if let declared = values["drug"] {
                let parts = declared.value.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count >= 2, let start = Int(parts[0]), let end = Int(parts[1]) else {
                    throw ImportError(file: path, line: declared.line, "expected '# drug = <start> <end> <text>'")
                }
                drugSpan = Span(start, end)
                let expected = parts.count == 3 ? String(parts[2]) : nil
                if let problem = FormatSupport.problem(drugSpan, in: text, expected: expected) {
                    throw ImportError(file: path, line: declared.line, "drug: \(problem)")
                }
                if !drugRuns.isEmpty && drugRuns.map(\.span) != [drugSpan] {
                    throw ImportError(file: path, line: declared.line, """
                        the DRUG column marks \(drugRuns.map { "\($0.span)" }.joined(separator: ", ")), not the declared drug \(drugSpan)
                        """)
                }
            } else {
                guard drugRuns.count == 1 else {
                    throw ImportError(file: path, line: first, """
                        the block has no '# drug = ' line and its DRUG column marks \(drugRuns.count) spans instead of one
                        """)
                }
                drugSpan = drugRuns[0].span
            }
            let drugText = text[drugSpan]
            var name = values["name"].map { FormatSupport.collapseWhitespace($0.value) } ?? ""
            if name.isEmpty { name = FormatSupport.normalizedDrugName(drugText) }
            let ades = try runs(\.adeTag, label: "ADE", path).map { ImportBatch.ADE(span: $0.span, text: text[$0.span]) }

            var docOffset: Int?
            if let v = values["doc_offset"] {
                guard let offset = Int(v.value.trimmingCharacters(in: .whitespaces)), offset >= 0 else {
                    throw ImportError(file: path, line: v.line, "'# doc_offset' must be a non-negative integer, found '\(v.value)'")
                }
                if let problem = FormatSupport.documentOffsetProblem(offset, length: textValue.scalarCount) {
                    throw ImportError(file: path, line: v.line, "'# doc_offset' \(problem)")
                }
                docOffset = offset
            }
            let pmid = values["pmid"].map { $0.value.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
                ?? FormatSupport.pmid(forKey: doc)
            let sentence = ImportBatch.Sentence(documentKey: doc, pmid: pmid, text: textValue, docOffset: docOffset)
            let drug = ImportBatch.Drug(span: drugSpan, text: drugText, normalized: name,
                                        ades: Array(Set(ades)).sorted { $0.span < $1.span })
            return (ADECorpusFormat.SentenceKey(doc, textValue), sentence, drug)
        }

        /// BIO runs of one column as character spans (first token's start to last token's end).
        private func runs(_ column: KeyPath<Token, Substring>, label: String, _ path: String) throws -> [(line: Int, span: Span)] {
            var result: [(line: Int, span: Span)] = []
            var open = false
            for t in tokens {
                switch t[keyPath: column] {
                case "O":
                    open = false
                case "B-\(label)":
                    result.append((t.line, t.span))
                    open = true
                case "I-\(label)":
                    guard open else {
                        throw ImportError(file: path, line: t.line, "I-\(label) does not continue a B-\(label) or I-\(label) token")
                    }
                    result[result.count - 1].span.end = t.span.end
                default:
                    throw ImportError(file: path, line: t.line,
                                      "unknown tag '\(t[keyPath: column])' (expected B-\(label), I-\(label) or O)")
                }
            }
            return result
        }
    }
}
