import Core
import Foundation

/// brat standoff: per document a `.txt` with one sentence per line and a `.ann` with its
/// annotations, offsets in Unicode scalars of the `.txt` (brat counts code points).
///
/// ```
/// T1	Drug 12 24	azithromycin
/// T2	ADE 33 44	ototoxicity
/// R1	Causes Arg1:T1 Arg2:T2
/// ```
///
/// File names are document keys with every character outside `[A-Za-z0-9._-]` (and a
/// leading `.`) percent-encoded as UTF-8 bytes (`pmid:10030778` → `pmid%3A10030778.txt`);
/// reading decodes the stem back to the key.
///
/// Reading accepts a folder (every `.ann` in it, each with its `.txt` beside it; a hidden
/// `.ann`, whose name starts with `.`, is an error rather than skipped) or one `.ann` file. Each non-blank line of the `.txt` is a sentence. Entity types: `Drug`, and
/// `ADE`, `Adverse-Effect` or `AE` for an adverse effect. A relation of any type must link
/// one Drug and one ADE (either order) of the same sentence; an ADE needs at least one
/// relation, a Drug without one is a drug with no ADE. Lines starting with `#`, `A`, `E`,
/// `N` or `*` are ignored. Errors name the `.ann` file and line.
///
/// Writing produces one `.txt`/`.ann` pair per document, an `annotation.conf` and the
/// `vigil-export.json` manifest (`ExportManifest`), written into a temporary folder and
/// moved into place (`AtomicWrite.directory`).
public enum BratFormat {
    /// The entity types read as adverse effects.
    static let adeTypes: Set<String> = ["ADE", "Adverse-Effect", "AE"]

    // MARK: Reading

    /// Reads a folder of `.txt`/`.ann` pairs, or one `.ann` file and the `.txt` beside it.
    public static func read(path: String) throws -> ImportBatch {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError(file: path, line: 0, "no such file or folder")
        }
        var annFiles: [String] = []
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw ImportError(file: path, line: 0, "cannot list the folder (\(InputFile.reason(error)))")
            }
            if let hidden = names.filter({ $0.hasSuffix(".ann") && $0.hasPrefix(".") }).min() {
                throw ImportError(file: (path as NSString).appendingPathComponent(hidden), line: 0, """
                    a file name starting with '.' is hidden, not a document (Vigil writes a key's leading '.' as %2E): \
                    rename it or move it out of the folder
                    """)
            }
            annFiles = names.filter { $0.hasSuffix(".ann") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            guard !annFiles.isEmpty else { throw ImportError(file: path, line: 0, "no .ann files in this folder") }
        } else {
            guard path.hasSuffix(".ann") else {
                throw ImportError(file: path, line: 0, "expected a folder or an .ann file")
            }
            annFiles = [path]
        }
        var sentences: [ImportBatch.Sentence] = []
        // File names are document keys, so they are part of the content hashed.
        var hashInput = ""
        for ann in annFiles {
            let (documentSentences, hash) = try document(ann: ann)
            sentences += documentSentences
            hashInput += "\((ann as NSString).lastPathComponent) \(hash)\n"
        }
        return ImportBatch(format: "brat", path: path, sha256: FormatSupport.sha256(hashInput), sentences: sentences)
    }

    /// One line of the `.txt`: a sentence and where it starts in the document.
    private struct Line {
        var number: Int
        var start: Int
        var text: String
        var end: Int { start + text.scalarCount }
    }

    /// A text-bound annotation.
    private struct Entity {
        var line: Int
        var isDrug: Bool
        var span: Span       // document offsets
        var sentence: Int    // index into the document's sentence lines
    }

    /// Reads one `.ann` and its `.txt`: the document's sentences and a hash of both files.
    private static func document(ann: String) throws -> ([ImportBatch.Sentence], String) {
        let stem = ((ann as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let key = decodeFileName(stem), !key.isEmpty else {
            throw ImportError(file: ann, line: 0, "the file name '\(stem)' is not a valid percent-encoded document key")
        }
        let txtPath = (ann as NSString).deletingPathExtension + ".txt"
        guard FileManager.default.fileExists(atPath: txtPath) else {
            throw ImportError(file: ann, line: 0, "no \((txtPath as NSString).lastPathComponent) beside it")
        }
        let txt = try InputFile(path: txtPath, allowEmpty: true)
        let annFile = try InputFile(path: ann, allowEmpty: true)

        // Lines of the .txt, offsets counted as brat does (line ends are one "\n").
        var lines: [Line] = []
        var offset = 0
        var documentScalars: [Unicode.Scalar] = []
        for (number, text) in txt.lines {
            var t = text
            if number == 1, t.unicodeScalars.first == "\u{FEFF}" { t = String(t.unicodeScalars.dropFirst()) }
            if !t.allSatisfy(\.isWhitespace) { lines.append(Line(number: number, start: offset, text: t)) }
            documentScalars += t.unicodeScalars
            documentScalars.append("\n")
            offset += t.scalarCount + 1
        }
        let document = ScalarText(String(String.UnicodeScalarView(documentScalars)))

        var entities: [String: Entity] = [:]
        var relations: [(line: Int, drug: String, ade: String)] = []
        var linked: Set<String> = []
        for (number, raw) in annFile.lines {
            let text = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            if text.allSatisfy(\.isWhitespace) { continue }
            let fail = { (message: String) in ImportError(file: ann, line: number, message) }
            switch text.unicodeScalars.first! {
            case "#", "A", "E", "N", "*":
                continue
            case "T":
                let fields = text.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 3 else {
                    throw fail("expected 'T<id><TAB><type> <start> <end><TAB><text>', found \(fields.count) tab-separated fields")
                }
                let id = fields[0]
                guard entities[id] == nil else { throw fail("\(id) is defined twice") }
                let header = fields[1].split(separator: " ", maxSplits: 1).map(String.init)
                guard header.count == 2 else { throw fail("\(id): expected '<type> <start> <end>', found '\(fields[1])'") }
                let type = header[0]
                guard type == "Drug" || adeTypes.contains(type) else {
                    throw fail("\(id): unknown entity type '\(type)' (expected Drug, ADE, Adverse-Effect or AE)")
                }
                guard !header[1].contains(";") else {
                    throw fail("\(id): discontinuous span '\(header[1])' is not supported")
                }
                let bounds = header[1].split(separator: " ").map { Int($0) }
                guard bounds.count == 2, let start = bounds[0], let end = bounds[1] else {
                    throw fail("\(id): expected two integer offsets, found '\(header[1])'")
                }
                let span = Span(start, end)
                guard let covered = document.text(at: span) else {
                    throw fail("\(id): span \(span) is empty or outside the text (\(document.count) characters)")
                }
                guard let sentence = line(containing: start, in: lines), end <= lines[sentence].end else {
                    throw fail("\(id): span \(span) does not lie within one line of the .txt (one sentence per line)")
                }
                guard FormatSupport.sameScalars(covered, fields[2]) else {
                    throw fail("\(id): the text '\(fields[2])' differs from the .txt at \(span), which reads '\(covered)'")
                }
                entities[id] = Entity(line: number, isDrug: type == "Drug", span: span, sentence: sentence)
            case "R":
                let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 2 || (fields.count == 3 && fields[2].isEmpty) else {
                    throw fail("expected 'R<id><TAB><type> Arg1:<T id> Arg2:<T id>'")
                }
                let parts = fields[1].split(separator: " ").map(String.init)
                guard parts.count == 3 else {
                    throw fail("\(fields[0]): expected '<type> Arg1:<T id> Arg2:<T id>', found '\(fields[1])'")
                }
                var args: [String] = []
                for part in parts[1...] {
                    let pair = part.split(separator: ":", maxSplits: 1).map(String.init)
                    guard pair.count == 2, !pair[1].isEmpty else {
                        throw fail("\(fields[0]): expected '<role>:<T id>', found '\(part)'")
                    }
                    args.append(pair[1])
                }
                relations.append((number, args[0], args[1]))
            default:
                throw fail("unknown annotation line (expected T, R, or an ignored #, A, E, N or * line)")
            }
        }

        // Relations may name entities defined further down, so they are resolved last.
        var adesByDrug: [String: [Span]] = [:]
        for r in relations {
            let fail = { (message: String) in ImportError(file: ann, line: r.line, message) }
            guard let a = entities[r.drug] else { throw fail("unknown entity \(r.drug)") }
            guard let b = entities[r.ade] else { throw fail("unknown entity \(r.ade)") }
            guard a.isDrug != b.isDrug else {
                throw fail("\(r.drug) and \(r.ade) are both \(a.isDrug ? "Drug" : "ADE") entities: a relation links a Drug and an ADE")
            }
            let (drugID, adeID) = a.isDrug ? (r.drug, r.ade) : (r.ade, r.drug)
            let drug = entities[drugID]!, ade = entities[adeID]!
            guard drug.sentence == ade.sentence else {
                throw fail("\(drugID) and \(adeID) lie on different lines of the .txt (sentences)")
            }
            adesByDrug[drugID, default: []].append(ade.span)
            linked.insert(adeID)
        }
        if let orphan = entities.filter({ !$0.value.isDrug && !linked.contains($0.key) }).min(by: { $0.value.line < $1.value.line }) {
            throw ImportError(file: ann, line: orphan.value.line,
                              "\(orphan.key): an ADE needs a relation to the Drug that causes it")
        }

        // Drugs by sentence, merged by span; spans turned into sentence offsets.
        var drugsBySentence: [Int: [Span: Set<Span>]] = [:]
        for (id, e) in entities where e.isDrug {
            let ades = Set(adesByDrug[id] ?? [])
            drugsBySentence[e.sentence, default: [:]][e.span, default: []].formUnion(ades)
        }
        let pmid = FormatSupport.pmid(forKey: key)
        var sentences: [ImportBatch.Sentence] = []
        for (index, line) in lines.enumerated() {
            let text = ScalarText(line.text)
            let local = { (s: Span) in Span(s.start - line.start, s.end - line.start) }
            let drugs = (drugsBySentence[index] ?? [:]).map { span, ades in
                let drugSpan = local(span)
                let covered = text[drugSpan]
                return ImportBatch.Drug(span: drugSpan, text: covered, normalized: FormatSupport.normalizedDrugName(covered),
                                        ades: ades.sorted().map { ImportBatch.ADE(span: local($0), text: text[local($0)]) })
            }
            sentences.append(ImportBatch.Sentence(documentKey: key, pmid: pmid, file: nil, text: line.text,
                                                  docOffset: line.start, drugs: drugs.sorted { $0.span < $1.span }))
        }
        return (sentences, "\(txt.sha256) \(annFile.sha256)")
    }

    /// The index of the sentence line holding document offset `offset`, by binary search.
    private static func line(containing offset: Int, in lines: [Line]) -> Int? {
        var low = 0, high = lines.count
        while low < high {
            let mid = (low + high) / 2
            if lines[mid].end <= offset { low = mid + 1 } else { high = mid }
        }
        return low < lines.count && lines[low].start <= offset ? low : nil
    }

    // MARK: Writing

    /// Writes `sentences` as a brat collection in `directory`: per document a `.txt` (its
    /// sentences in order, one per line, ending with a line break) and a `.ann` (`T` lines
    /// for every Drug and distinct ADE span, then one `R…\tCauses Arg1:<Drug> Arg2:<ADE>` per
    /// pair), plus `annotation.conf`.
    ///
    /// The folder is built next to `directory` and moved into place; an existing non-empty
    /// `directory` is replaced only when it is a previous Vigil export (its manifest lists
    /// every file in it); `force` writes into any folder, keeping the files the export does
    /// not write. A sentence with a line break or no visible text cannot be written; the
    /// error names it and nothing is written.
    public static func write(_ sentences: [SentenceView], to directory: String) throws {
        try write(sentences, to: directory, force: false)
    }

    /// `write(_:to:)`, with `force` to write into a folder that is not a previous export.
    public static func write(_ sentences: [SentenceView], to directory: String, force: Bool) throws {
        var files: [(name: String, data: Data)] = [("annotation.conf", Data(annotationConf.utf8))]
        for (key, docSentences) in FormatSupport.documents(sentences) {
            let stem = encodeFileName(key)
            guard stem.utf8.count <= 250 else {
                throw ExportError(path: directory, "document '\(key)': the key is too long for a file name")
            }
            var txt = ""
            var entities: [String] = []
            var relations: [String] = []
            var offset = 0
            for s in docSentences {
                if FormatSupport.hasLineBreak(s.text) || s.text.allSatisfy(\.isWhitespace) {
                    throw ExportError(path: directory, """
                        sentence \(s.id): its text has a line break or no visible character, which brat's one-sentence-per-line .txt cannot hold
                        """)
                }
                let text = ScalarText(s.text)
                // One T per drug mention and per distinct ADE span, in text order.
                var adeIDs: [Span: String] = [:]
                var items: [(span: Span, isDrug: Bool, drug: Int)] = []
                for (i, d) in s.drugs.enumerated() { items.append((d.span, true, i)) }
                for span in Set(s.drugs.flatMap(\.ades)) { items.append((span, false, -1)) }
                items.sort { ($0.span, $0.isDrug ? 0 : 1, $0.drug) < ($1.span, $1.isDrug ? 0 : 1, $1.drug) }
                var drugIDs: [Int: String] = [:]
                for item in items {
                    guard let covered = text.text(at: item.span) else {
                        throw ExportError(path: directory, "sentence \(s.id): span \(item.span) is outside the sentence")
                    }
                    let id = "T\(entities.count + 1)"
                    if item.isDrug { drugIDs[item.drug] = id } else { adeIDs[item.span] = id }
                    entities.append("\(id)\t\(item.isDrug ? "Drug" : "ADE") \(offset + item.span.start) \(offset + item.span.end)\t\(covered)")
                }
                for (i, d) in s.drugs.enumerated() {
                    for ade in d.ades {
                        relations.append("R\(relations.count + 1)\tCauses Arg1:\(drugIDs[i]!) Arg2:\(adeIDs[ade]!)")
                    }
                }
                txt += s.text + "\n"
                offset += text.count + 1
            }
            let ann = (entities + relations).map { $0 + "\n" }.joined()
            files.append(("\(stem).txt", Data(txt.utf8)))
            files.append(("\(stem).ann", Data(ann.utf8)))
        }
        try AtomicWrite.directory(files, to: directory, format: "brat", force: force)
    }

    /// The brat configuration for the two entity types and the relation written.
    static let annotationConf = """
        [entities]
        Drug
        ADE

        [relations]
        Causes\tArg1:Drug, Arg2:ADE

        [events]

        [attributes]

        """

    // MARK: File names

    /// A document key as a file stem: every byte of a character outside `[A-Za-z0-9._-]`,
    /// and a leading `.`, as `%XX`.
    static func encodeFileName(_ key: String) -> String {
        var out = ""
        for (i, c) in key.unicodeScalars.enumerated() {
            let v = c.value
            let safe = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
                || ((c == "." && i > 0) || c == "_" || c == "-")
            if safe {
                out.unicodeScalars.append(c)
            } else {
                for byte in String(c).utf8 { out += String(format: "%%%02X", byte) }
            }
        }
        return out
    }

    /// The document key a file stem encodes, or `nil` when a `%` escape is malformed or the
    /// bytes are not UTF-8. A stem without escapes is its own key.
    static func decodeFileName(_ stem: String) -> String? {
        var bytes: [UInt8] = []
        let utf8 = Array(stem.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%") {
                guard i + 2 < utf8.count, let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2]) else {
                    return nil
                }
                bytes.append(high << 4 | low)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
