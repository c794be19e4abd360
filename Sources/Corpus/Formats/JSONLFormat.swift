import Core
import Foundation

/// JSON Lines: one sentence per line, its drug mentions and each drug's ADE spans.
///
/// ```
/// {"id": 12, "doc": "pmid:10030778", "pmid": "10030778", "doc_offset": 22, "text": "…",
///  "drugs": [{"mention": 40, "start": 12, "end": 24, "text": "azithromycin", "name": "azithromycin",
///             "ades": [{"start": 33, "end": 44, "text": "ototoxicity"}], "review": "accepted"}]}
/// ```
/// (one line in the file). Offsets are Unicode-scalar offsets into `text`, half-open.
///
/// Reading: `doc` and `text` are required strings; `drugs` (default none), a drug's `ades`
/// (default none: "no ADE") and every `text` field are optional; `name` (whitespace
/// collapsed) defaults to the drug's text lower-cased with whitespace collapsed; `pmid` and `doc_offset` are kept;
/// `id`, a drug's `mention` id and `review` are ignored (ids belong to the corpus that wrote them;
/// `SENTENCE/MENTION` names an item for `vigil review`). A span must lie in the text and cover its `text` field
/// exactly; a drug span listed twice in a sentence is an error. Blank lines are skipped.
/// Every error names the file and line.
///
/// Writing: keys in the order above, UTF-8 without `\u` escapes, one line per sentence;
/// `pmid` and `doc_offset` only when known.
public enum JSONLFormat {
    /// Reads a `.jsonl` file.
    public static func read(path: String) throws -> ImportBatch {
        let file = try InputFile(path: path)
        var sentences: [ImportBatch.Sentence] = []
        for (number, line) in file.lines {
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                sentences.append(try sentence(line))
            } catch let problem as LineProblem {
                throw ImportError(file: path, line: number, problem.message)
            }
        }
        guard !sentences.isEmpty else { throw ImportError(file: path, line: 0, "the file has no sentences") }
        return ImportBatch(format: "jsonl", path: path, sha256: file.sha256, sentences: sentences)
    }

    /// Writes `sentences` as JSON Lines to `path` (atomically).
    public static func write(_ sentences: [SentenceView], to path: String) throws {
        var out = ""
        for s in sentences {
            out += line(s)
            out += "\n"
        }
        try AtomicWrite.file(Data(out.utf8), to: path)
    }

    /// One sentence as a JSON object on one line.
    static func line(_ s: SentenceView) -> String {
        var fields: [(String, String)] = [("id", String(s.id)), ("doc", JSONWriter.quoted(s.documentKey))]
        if let pmid = s.pmid { fields.append(("pmid", JSONWriter.quoted(pmid))) }
        if let offset = s.docOffset { fields.append(("doc_offset", String(offset))) }
        fields.append(("text", JSONWriter.quoted(s.text)))
        let text = ScalarText(s.text)
        let drugs = s.drugs.map { d in
            JSONWriter.object([
                ("mention", String(d.mentionID)),
                ("start", String(d.span.start)), ("end", String(d.span.end)), ("text", JSONWriter.quoted(d.text)),
                ("name", JSONWriter.quoted(d.normalized)),
                ("ades", JSONWriter.array(d.ades.map { a in
                    JSONWriter.object([("start", String(a.start)), ("end", String(a.end)),
                                       ("text", JSONWriter.quoted(text.text(at: a) ?? ""))])
                })),
                ("review", JSONWriter.quoted(d.review.rawValue)),
            ])
        }
        fields.append(("drugs", JSONWriter.array(drugs)))
        return JSONWriter.object(fields)
    }

    // MARK: Reading one line

    /// What is wrong with one line; the caller adds the file and line number.
    private struct LineProblem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private static func sentence(_ line: String) throws -> ImportBatch.Sentence {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            throw LineProblem("invalid JSON: \(error.detail)")
        }
        guard case .object(let object) = value else {
            throw LineProblem("expected a JSON object, found \(value.typeName)")
        }
        let doc = try string(object, "doc", at: "")
        guard !doc.isEmpty else { throw LineProblem("\"doc\" is empty") }
        let textString = try string(object, "text", at: "")
        guard !textString.isEmpty else { throw LineProblem("\"text\" is empty") }
        for (key, value) in [("doc", doc), ("text", textString)] where value.unicodeScalars.contains("\u{0}") {
            throw LineProblem("\"\(key)\" holds a NUL character (\\u0000), which a corpus text cannot hold")
        }
        let pmid = try optionalPMID(object)
        let docOffset = try optionalInt(object, "doc_offset", at: "")
        if let docOffset, let problem = FormatSupport.documentOffsetProblem(docOffset, length: textString.scalarCount) {
            throw LineProblem("\"doc_offset\" \(problem)")
        }

        let text = ScalarText(textString)
        var drugs: [ImportBatch.Drug] = []
        var seen: [Span: Int] = [:]
        for (i, item) in try array(object, "drugs", at: "").enumerated() {
            let place = "drugs[\(i)]"
            guard case .object(let d) = item else { throw LineProblem("\(place) must be an object, found \(item.typeName)") }
            let span = try self.span(d, at: place, in: text)
            if let first = seen[span] {
                throw LineProblem("\(place) repeats the drug span \(span) of drugs[\(first)]")
            }
            seen[span] = i
            let covered = text[span]
            var name = try optionalString(d, "name", at: place).map(FormatSupport.collapseWhitespace) ?? ""
            if name.isEmpty { name = FormatSupport.normalizedDrugName(covered) }
            var ades: [ImportBatch.ADE] = []
            for (j, a) in try array(d, "ades", at: place).enumerated() {
                let adePlace = "\(place).ades[\(j)]"
                guard case .object(let a) = a else {
                    throw LineProblem("\(adePlace) must be an object, found \(a.typeName)")
                }
                let adeSpan = try self.span(a, at: adePlace, in: text)
                let ade = ImportBatch.ADE(span: adeSpan, text: text[adeSpan])
                if !ades.contains(ade) { ades.append(ade) }
            }
            drugs.append(ImportBatch.Drug(span: span, text: covered, normalized: name, ades: ades.sorted { $0.span < $1.span }))
        }
        return ImportBatch.Sentence(documentKey: doc, pmid: pmid, text: textString, docOffset: docOffset,
                                    drugs: drugs.sorted { $0.span < $1.span })
    }

    /// `start`/`end` (and `text` when present) of an object, checked against the sentence.
    private static func span(_ object: [String: JSONValue], at place: String, in text: ScalarText) throws -> Span {
        let span = Span(try int(object, "start", at: place), try int(object, "end", at: place))
        if let problem = FormatSupport.problem(span, in: text, expected: try optionalString(object, "text", at: place)) {
            throw LineProblem("\(place): \(problem)")
        }
        return span
    }

    private static func prefix(_ place: String) -> String { place.isEmpty ? "" : "\(place): " }

    private static func missing(_ key: String, at place: String) -> LineProblem {
        LineProblem("\(prefix(place))missing key \"\(key)\"")
    }

    private static func wrongType(_ key: String, at place: String, expected: String, found: JSONValue) -> LineProblem {
        LineProblem("\(prefix(place))\"\(key)\" must be \(expected), found \(found.typeName)")
    }

    private static func string(_ object: [String: JSONValue], _ key: String, at place: String) throws -> String {
        guard let value = object[key] else { throw missing(key, at: place) }
        guard case .string(let s) = value else { throw wrongType(key, at: place, expected: "a string", found: value) }
        return s
    }

    private static func int(_ object: [String: JSONValue], _ key: String, at place: String) throws -> Int {
        guard let value = object[key] else { throw missing(key, at: place) }
        guard case .int(let i) = value else { throw wrongType(key, at: place, expected: "an integer", found: value) }
        return i
    }

    /// The string at `key`; `nil` when absent or null.
    private static func optionalString(_ object: [String: JSONValue], _ key: String, at place: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw wrongType(key, at: place, expected: "a string", found: other)
        }
    }

    /// The integer at `key`; `nil` when absent or null.
    private static func optionalInt(_ object: [String: JSONValue], _ key: String, at place: String) throws -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .int(let i)?: return i
        case let other?: throw wrongType(key, at: place, expected: "an integer", found: other)
        }
    }

    /// The array at `key`; empty when absent or null.
    private static func array(_ object: [String: JSONValue], _ key: String, at place: String) throws -> [JSONValue] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let a)?: return a
        case let other?: throw wrongType(key, at: place, expected: "an array", found: other)
        }
    }

    /// `pmid` as a string; a JSON integer is accepted too.
    private static func optionalPMID(_ object: [String: JSONValue]) throws -> String? {
        switch object["pmid"] {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : s
        case .int(let i)?: return String(i)
        case let other?: throw wrongType("pmid", at: "", expected: "a string", found: other)
        }
    }
}
