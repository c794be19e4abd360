import Core
import Foundation

/// PubTator: the BioCreative corpora's format (BC5CDR, NCBI disease) and PubTator Central's.
///
/// ```
/// 227508|t|Naloxone reverses the antihypertensive effect of clonidine.
/// 227508|a|In unanesthetized, spontaneously hypertensive rats …
/// 227508	0	8	Naloxone	Chemical	D009270
/// 227508	93	105	hypertensive	Disease	D006973
/// 227508	CID	D008750	D007022
/// ```
///
/// Per document a title line and an abstract line, then its mentions (ID, start, end, text,
/// type, identifier, and for a composite mention its individual mentions) and relations (ID,
/// type, identifier, identifier), documents separated by blank lines. Offsets are half-open
/// Unicode-scalar offsets into `title + " " + abstract`. An identifier is a MeSH ID, several
/// joined by `|` (a composite mention), or `-1` (none). What the corpus makes of it is
/// `AnnotatedCorpus`'s: see `batch` and `documents`.
public enum PubTatorFormat {
    // MARK: Reading

    /// Reads a PubTator file into the corpus's sentences. `layer` is the layer the ADEs go to,
    /// recorded with each document so that an export of it writes the document-level pairs back.
    public static func read(path: String, layer: String = "gold") throws -> (ImportBatch, AnnotatedImportReport) {
        let file = try InputFile(path: path)
        let documents = try parse(file)
        return try AnnotatedCorpus.batch(documents, format: "pubtator", path: path, sha256: file.sha256, layer: layer)
    }

    /// The documents of a PubTator file, each line checked for its shape (field count,
    /// integer offsets, the current document's ID); offsets against the text are checked by
    /// `AnnotatedCorpus.batch`.
    static func parse(_ file: InputFile) throws -> [AnnotatedDocument] {
        var documents: [AnnotatedDocument] = []
        var current: AnnotatedDocument?
        var expectAbstract = false
        func finish() {
            if let doc = current { documents.append(doc) }
            current = nil
        }
        for (number, raw) in file.lines {
            var line = raw
            if number == 1, line.unicodeScalars.first == "\u{FEFF}" { line = String(line.unicodeScalars.dropFirst()) }
            let fail = { (message: String) in
                ImportError(file: file.path, line: number, (current.map { "document \($0.id): " } ?? "") + message)
            }
            if line.allSatisfy(\.isWhitespace) {
                if expectAbstract { throw fail("the title line must be followed by the abstract line (ID|a|…)") }
                finish()
                continue
            }
            if let (id, kind, text) = textLine(line) {
                if kind == "t" {
                    if expectAbstract { throw fail("the title line must be followed by the abstract line (ID|a|…)") }
                    finish()
                    guard !id.isEmpty else {
                        throw ImportError(file: file.path, line: number, "the title line has an empty document ID")
                    }
                    current = AnnotatedDocument(id: id, line: number, passages: [.init(type: "title", offset: 0, text: text)])
                    expectAbstract = true
                } else {
                    guard expectAbstract, let doc = current else {
                        throw fail("an abstract line (ID|a|…) must follow its document's title line (ID|t|…)")
                    }
                    guard doc.id == id else { throw fail("the abstract line is for document \(id), the title line before it for \(doc.id)") }
                    current?.passages.append(.init(type: "abstract", offset: doc.passages[0].text.scalarCount + 1, text: text))
                    expectAbstract = false
                }
                continue
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > 1 else {
                throw fail("expected a title (ID|t|…), abstract (ID|a|…), mention or relation line (tab-separated), found '\(line.prefix(40))'")
            }
            guard let doc = current, !expectAbstract else {
                throw fail(expectAbstract ? "the title line must be followed by the abstract line (ID|a|…)"
                           : "an annotation line before any document's title line (ID|t|…)")
            }
            guard fields[0] == doc.id else {
                throw fail("the line is for document '\(fields[0])', but the document here is \(doc.id) (a blank line must separate documents)")
            }
            if fields.count == 6 || fields.count == 7 {
                guard let start = Int(fields[1]), let end = Int(fields[2]) else {
                    throw fail("the mention's offsets '\(fields[1])' and '\(fields[2])' must be integers")
                }
                guard start >= 0, start < end else {
                    throw fail("the mention's offsets \(start)-\(end) must satisfy 0 <= start < end")
                }
                current?.mentions.append(.init(start: start, end: end, text: fields[3], type: fields[4],
                                               identifier: fields[5], individual: fields.count == 7 ? fields[6] : nil, line: number))
            } else {
                guard fields.count == 4 else {
                    throw fail(Int(fields[1]) != nil
                        ? "a mention line has 6 or 7 tab-separated fields (ID, start, end, text, type, identifier [, individual mentions]), found \(fields.count)"
                        : "a relation line has 4 tab-separated fields (ID, type, identifier, identifier), found \(fields.count)")
                }
                current?.relations.append(.init(type: fields[1], first: fields[2], second: fields[3], line: number))
            }
        }
        if expectAbstract {
            throw ImportError(file: file.path, line: file.lines.last?.number ?? 0,
                              "document \(current?.id ?? ""): the file ends after the title line, without the abstract line (ID|a|…)")
        }
        finish()
        guard !documents.isEmpty else { throw ImportError(file: file.path, line: 0, "no document (no ID|t|… line)") }
        return documents
    }

    /// `(ID, "t" or "a", text)` when `line` is a title or abstract line: `ID|t|text`, the ID
    /// without a tab.
    private static func textLine(_ line: String) -> (String, Character, String)? {
        guard let bar = line.firstIndex(of: "|") else { return nil }
        let id = line[..<bar]
        guard !id.contains("\t") else { return nil }
        let rest = line[line.index(after: bar)...]
        guard let kind = rest.first, kind == "t" || kind == "a",
              rest.dropFirst().first == "|" else { return nil }
        return (String(id), kind, String(rest.dropFirst(2)))
    }

    // MARK: Writing

    /// Writes `documents` as PubTator through a temporary file. Each document needs a title
    /// passage at offset 0 followed by the rest of its text one character later (the
    /// abstract is the text after the title's end and a separator); no text, mention or
    /// identifier may hold a line break or a tab.
    public static func write(_ documents: [AnnotatedDocument], to path: String) throws {
        try AtomicWrite.file(Data(try render(documents, path: path).utf8), to: path)
    }

    static func render(_ documents: [AnnotatedDocument], path: String) throws -> String {
        var out = ""
        for doc in documents {
            let fail = { (message: String) in ExportError(path: path, "document \(doc.id): \(message)") }
            let (title, abstract) = try titleAndAbstract(doc, fail: fail)
            for (what, value) in [("ID", doc.id), ("title", title), ("abstract", abstract)] where FormatSupport.hasLineBreak(value) {
                throw fail("its \(what) has a line break, which a PubTator line cannot hold")
            }
            if doc.id.contains("|") || doc.id.contains("\t") { throw fail("its ID holds '|' or a tab, which PubTator cannot hold") }
            out += "\(doc.id)|t|\(title)\n\(doc.id)|a|\(abstract)\n"
            for m in doc.mentions {
                let fields = [m.text, m.type, m.identifier] + (m.individual.map { [$0] } ?? [])
                if fields.contains(where: { FormatSupport.hasLineBreak($0) || $0.contains("\t") }) {
                    throw fail("mention '\(m.text)' at \(m.start)-\(m.end) holds a tab or line break")
                }
                out += ([doc.id, String(m.start), String(m.end)] + fields).joined(separator: "\t") + "\n"
            }
            for r in doc.relations {
                if [r.type, r.first, r.second].contains(where: { FormatSupport.hasLineBreak($0) || $0.contains("\t") }) {
                    throw fail("relation \(r.type) \(r.first) \(r.second) holds a tab or line break")
                }
                out += "\(doc.id)\t\(r.type)\t\(r.first)\t\(r.second)\n"
            }
            out += "\n"
        }
        return out
    }

    /// The title (the text up to the first passage's end) and the abstract (the text from one
    /// character later), so that offsets into `title + " " + abstract` are the document's.
    static func titleAndAbstract(_ doc: AnnotatedDocument, fail: (String) -> ExportError) throws -> (String, String) {
        let text = doc.text.unicodeScalars.map { $0 }
        guard let first = doc.passages.first else { return ("", "") }
        let titleEnd = first.offset + first.text.scalarCount
        if doc.passages.count > 1, doc.passages[1].offset == titleEnd, !doc.passages[1].text.isEmpty {
            throw fail("its second passage starts right where the first ends, without the separator PubTator puts after the title")
        }
        let title = String(String.UnicodeScalarView(text[0..<titleEnd]))
        let abstract = titleEnd + 1 <= text.count ? String(String.UnicodeScalarView(text[(titleEnd + 1)...])) : ""
        return (title, abstract)
    }
}
