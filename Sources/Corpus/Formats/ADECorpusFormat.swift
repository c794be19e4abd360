import Core
import Foundation

/// The ADE corpus v2 distribution: `DRUG-AE.rel` (and `ADE-NEG.txt`).
///
/// `DRUG-AE.rel` lines are `PMID|sentence|adverse_effect|ae_begin|ae_end|drug|drug_begin|drug_end`
/// with offsets into the *document* (`PMID\n\nTitle\n\nAbstract`), not the sentence. For
/// each (PMID, sentence) the reader finds the one sentence start S that puts every
/// mention of that sentence on its text (`doc_offset - S`), which keeps a string that
/// occurs twice at the offset the annotator meant. Whitespace at either end of a mention
/// is trimmed off its span. `ADE-NEG.txt` lines are
/// `PMID NEG sentence`; duplicate lines are read once. `DRUG-DOSE.rel` is not read.
public enum ADECorpusFormat {
    /// Reads a corpus folder (DRUG-AE.rel, plus ADE-NEG.txt when present) or one `.rel` file.
    public static func read(path: String) throws -> ImportBatch {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError(file: path, line: 0, "no such file or folder")
        }
        var files: [String] = []
        if isDirectory.boolValue {
            let rel = (path as NSString).appendingPathComponent("DRUG-AE.rel")
            guard FileManager.default.fileExists(atPath: rel) else {
                throw ImportError(file: path, line: 0, "no DRUG-AE.rel in this folder")
            }
            files.append(rel)
            let neg = (path as NSString).appendingPathComponent("ADE-NEG.txt")
            if FileManager.default.fileExists(atPath: neg) { files.append(neg) }
        } else {
            files.append(path)
        }
        let rel = try InputFile(path: files[0])
        var sentences = try relations(rel)
        var hashes = rel.sha256
        if files.count > 1 {
            let neg = try InputFile(path: files[1])
            sentences += try negatives(neg, known: Set(sentences.map { SentenceKey($0.documentKey, $0.text) }))
            hashes += neg.sha256
        }
        return ImportBatch(format: "ade", path: path, sha256: hashes, sentences: sentences)
    }

    struct SentenceKey: Hashable {
        var document: String
        var text: String
        init(_ document: String, _ text: String) {
            self.document = document
            self.text = text
        }
    }

    /// The document key for a PMID field: `pmid:N` for numbers, the field itself otherwise
    /// (so exports of non-PubMed documents round-trip).
    static func documentKey(_ field: String) -> (key: String, pmid: String?) {
        if !field.isEmpty, field.allSatisfy(\.isASCII), field.allSatisfy(\.isNumber) { return ("pmid:\(field)", field) }
        return (field, nil)
    }

    /// One relation line, parsed.
    private struct Relation {
        var line: Int
        var ae: String
        var aeBegin: Int
        var drug: String
        var drugBegin: Int
    }

    static func relations(_ file: InputFile) throws -> [ImportBatch.Sentence] {
        var order: [SentenceKey] = []
        var groups: [SentenceKey: [Relation]] = [:]
        var pmids: [SentenceKey: String] = [:]
        for (number, text) in file.lines {
            if text.isEmpty { continue }
            let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 8 else {
                throw ImportError(file: file.path, line: number, """
                    expected 8 '|'-separated fields (PMID|sentence|adverse_effect|ae_begin|ae_end|drug|drug_begin|drug_end), found \(fields.count)
                    """)
            }
            guard !fields[0].isEmpty else { throw ImportError(file: file.path, line: number, "empty PMID field") }
            guard !fields[1].isEmpty else { throw ImportError(file: file.path, line: number, "empty sentence field") }
            let ae = try offsets(fields[2], fields[3], fields[4], what: "adverse effect", file.path, number)
            let drug = try offsets(fields[5], fields[6], fields[7], what: "drug", file.path, number)
            let key = SentenceKey(fields[0], fields[1])
            if groups[key] == nil { order.append(key); pmids[key] = fields[0] }
            groups[key, default: []].append(Relation(line: number, ae: fields[2], aeBegin: ae, drug: fields[5], drugBegin: drug))
        }
        guard !order.isEmpty else { throw ImportError(file: file.path, line: 0, "the file has no relation lines") }

        var result: [ImportBatch.Sentence] = []
        for key in order {
            let relations = groups[key]!
            let text = ScalarText(key.text)
            let start = try sentenceStart(text, relations, file.path)
            var drugs: [Span: ImportBatch.Drug] = [:]
            var drugOrder: [Span] = []
            for r in relations {
                let (drugSpan, drugText) = trimmed(Span(r.drugBegin - start, r.drugBegin - start + r.drug.scalarCount), text)
                let (aeSpan, aeText) = trimmed(Span(r.aeBegin - start, r.aeBegin - start + r.ae.scalarCount), text)
                if drugs[drugSpan] == nil {
                    drugOrder.append(drugSpan)
                    drugs[drugSpan] = ImportBatch.Drug(span: drugSpan, text: drugText, normalized: FormatSupport.normalizedDrugName(drugText))
                }
                let ade = ImportBatch.ADE(span: aeSpan, text: aeText)
                if !drugs[drugSpan]!.ades.contains(ade) { drugs[drugSpan]!.ades.append(ade) }
            }
            let (docKey, pmid) = documentKey(pmids[key]!)
            result.append(ImportBatch.Sentence(documentKey: docKey, pmid: pmid, text: key.text, docOffset: start,
                                               drugs: drugOrder.sorted().map { drugs[$0]! }))
        }
        return result
    }

    /// The span without leading or trailing whitespace (two mentions of the corpus include a
    /// space: `' minocycline'`, `'anaphylaxis '`), and the text it then covers.
    static func trimmed(_ span: Span, _ text: ScalarText) -> (Span, String) {
        var s = span
        while s.length > 1, text.scalars[s.start].properties.isWhitespace { s.start += 1 }
        while s.length > 1, text.scalars[s.end - 1].properties.isWhitespace { s.end -= 1 }
        return (s, text[s])
    }

    /// The one document offset of the sentence start that puts every mention on its text.
    private static func sentenceStart(_ text: ScalarText, _ relations: [Relation], _ path: String) throws -> Int {
        var candidates: Set<Int>?
        for r in relations {
            for (mention, begin) in [(r.ae, r.aeBegin), (r.drug, r.drugBegin)] {
                let starts = Set(text.occurrences(of: mention).map { begin - $0 }.filter { $0 >= 0 })
                guard !starts.isEmpty else {
                    throw ImportError(file: path, line: r.line,
                                      "'\(mention)' at document offset \(begin) does not occur in the sentence at a valid offset")
                }
                candidates = candidates.map { $0.intersection(starts) } ?? starts
            }
        }
        guard let start = candidates?.min() else {
            let lines = relations.map { String($0.line) }.joined(separator: ", ")
            throw ImportError(file: path, line: relations[0].line,
                              "no single sentence start puts all mentions of this sentence on their text (lines \(lines))")
        }
        return start
    }

    private static func offsets(_ mention: String, _ begin: String, _ end: String, what: String,
                                _ path: String, _ line: Int) throws -> Int {
        guard !mention.isEmpty else { throw ImportError(file: path, line: line, "empty \(what) field") }
        guard let b = Int(begin), let e = Int(end) else {
            throw ImportError(file: path, line: line, "\(what) offsets '\(begin)' and '\(end)' must be integers")
        }
        guard b >= 0, e > b, e <= FormatSupport.maxDocumentLength else {
            throw ImportError(file: path, line: line,
                              "\(what) offsets \(b)..\(e) are out of range (0 <= begin < end <= \(FormatSupport.maxDocumentLength))")
        }
        guard e - b == mention.scalarCount else {
            throw ImportError(file: path, line: line,
                              "\(what) offsets \(b)..\(e) span \(e - b) characters but '\(mention)' has \(mention.scalarCount)")
        }
        return b
    }

    static func negatives(_ file: InputFile, known: Set<SentenceKey>) throws -> [ImportBatch.Sentence] {
        var seen = known
        var result: [ImportBatch.Sentence] = []
        for (number, line) in file.lines {
            if line.isEmpty { continue }
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, !parts[0].isEmpty, parts[1] == "NEG" else {
                throw ImportError(file: file.path, line: number, "expected 'PMID NEG sentence'")
            }
            guard !parts[2].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ImportError(file: file.path, line: number, "empty sentence")
            }
            let key = SentenceKey(documentKey(parts[0]).key, parts[2])
            guard seen.insert(key).inserted else { continue }
            let (docKey, pmid) = documentKey(parts[0])
            result.append(ImportBatch.Sentence(documentKey: docKey, pmid: pmid, text: parts[2]))
        }
        return result
    }
}
