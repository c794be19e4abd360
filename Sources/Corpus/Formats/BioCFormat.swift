import Core
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// BioC XML, the BioCreative interchange format, as BC5CDR's BioC release writes it:
///
/// ```xml
/// <collection><source>…</source><date>…</date><key>…</key>
///   <document><id>227508</id>
///     <passage><infon key="type">title</infon><offset>0</offset><text>Naloxone reverses …</text>
///       <annotation id="0"><infon key="type">Chemical</infon><infon key="MESH">D009270</infon>
///         <location offset="0" length="8"/><text>Naloxone</text></annotation>
///     </passage>
///     <relation id="R0"><infon key="relation">CID</infon>
///       <infon key="Chemical">D008750</infon><infon key="Disease">D007022</infon></relation>
///   </document>
/// </collection>
/// ```
///
/// Offsets (passage and location) are document offsets in Unicode scalars. A mention's
/// identifier is its `MESH` infon (also read: `identifier`, `Identifier`); a composite's
/// individual mentions are the `individual` infon. A relation's type is its `relation` (or
/// `type`) infon, its two identifiers the `Chemical` and `Disease` infons (or `arg1` and
/// `arg2` for other types). Not read, and refused rather than dropped: passages made of
/// `<sentence>` elements, annotations with several locations, relations between annotations
/// (`<node>`), and entity declarations. What the corpus makes of a document is
/// `AnnotatedCorpus`'s, as for PubTator.
public enum BioCFormat {
    // MARK: Reading

    /// Reads a BioC XML file into the corpus's sentences; `layer` as in `PubTatorFormat.read`.
    public static func read(path: String, layer: String = "gold") throws -> (ImportBatch, AnnotatedImportReport) {
        let data = try InputFile.contents(of: path)
        let documents = try parse(data, file: path)
        return try AnnotatedCorpus.batch(documents, format: "bioc", path: path, sha256: FormatSupport.sha256(data), layer: layer)
    }

    /// The documents of BioC XML bytes; `file` names the source in errors.
    static func parse(_ data: Data, file: String) throws -> [AnnotatedDocument] {
        if data.isEmpty { throw ImportError(file: file, line: 0, "the file is empty") }
        if let line = FormatSupport.invalidUTF8Line(data) {
            throw ImportError(file: file, line: line, "invalid UTF-8 (BioC XML is read as UTF-8)")
        }
        if let line = FormatSupport.emptyProcessingInstructionLine(data) {
            throw ImportError(file: file, line: line, "a processing instruction without data (<?NAME?>), which the XML parser cannot read")
        }
        if let line = entityDeclarationLine(data) {
            throw ImportError(file: file, line: line, "the file declares an XML entity (<!ENTITY …>), which is not read")
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let reader = Reader()
        parser.delegate = reader
        let parsed = parser.parse()
        if let problem = reader.problem { throw ImportError(file: file, line: problem.line, problem.message) }
        if let error = reader.parseError ?? parser.parserError.map({ ($0 as NSError, parser.lineNumber) }) {
            throw ImportError(file: file, line: max(error.1, 1), "malformed XML (parser error \(error.0.code))")
        }
        if !parsed { throw ImportError(file: file, line: max(parser.lineNumber, 1), "malformed XML") }
        if let open = reader.path.last {
            throw ImportError(file: file, line: max(parser.lineNumber, 1), "the file ends inside <\(open)> (truncated?)")
        }
        guard reader.sawCollection else { throw ImportError(file: file, line: 1, "not BioC XML: no <collection> element") }
        guard !reader.documents.isEmpty else { throw ImportError(file: file, line: 1, "no <document> in the collection") }
        return reader.documents
    }

    /// The line of the first `<!ENTITY` before the first `<document`, or `nil`.
    static func entityDeclarationLine(_ data: Data) -> Int? {
        let bytes = [UInt8](data)
        let declaration = Array("<!ENTITY".utf8), body = Array("<document".utf8)
        var line = 1
        for i in bytes.indices {
            if bytes[i] == 0x0A { line += 1 }
            if bytes[i] == UInt8(ascii: "<") {
                if bytes[i...].starts(with: declaration) { return line }
                if bytes[i...].starts(with: body) { return nil }
            }
        }
        return nil
    }

    /// The SAX delegate: the open elements, the document, passage, annotation or relation
    /// being read, and the text of the open leaf element.
    private final class Reader: NSObject, XMLParserDelegate {
        var documents: [AnnotatedDocument] = []
        var problem: (line: Int, message: String)?
        var parseError: (NSError, Int)?
        var path: [String] = []
        var sawCollection = false
        private var document: AnnotatedDocument?
        private var passage: (type: String, offset: Int?, text: String?, line: Int)?
        private var annotation: (infons: [String: String], locations: [(Int, Int)], text: String?, line: Int)?
        private var relation: (infons: [String: String], line: Int)?
        private var text = ""
        private var infonKey: String?

        private func fail(_ line: Int, _ message: String) {
            let prefix = document.map { "document \($0.id.isEmpty ? "?" : $0.id): " } ?? ""
            if problem == nil { problem = (line, prefix + message) }
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            let line = parser.lineNumber
            let parent = path.last
            path.append(name)
            text = ""
            switch name {
            case "collection": sawCollection = true
            case "document": document = AnnotatedDocument(id: "", line: line, passages: [])
            case "passage" where parent == "document": passage = ("", nil, nil, line)
            case "annotation" where parent == "passage" || parent == "document":
                annotation = ([:], [], nil, line)
            case "relation" where parent == "document" || parent == "passage": relation = ([:], line)
            case "infon": infonKey = attributes["key"]
            case "location" where parent == "annotation":
                guard let offset = attributes["offset"].flatMap({ Int($0) }), let length = attributes["length"].flatMap({ Int($0) }),
                      offset >= 0, length > 0 else {
                    fail(line, "a <location> needs integer offset >= 0 and length > 0, found offset '\(attributes["offset"] ?? "")' length '\(attributes["length"] ?? "")'")
                    return
                }
                annotation?.locations.append((offset, length))
            case "sentence" where parent == "passage":
                fail(line, "passages made of <sentence> elements are not read: give the passage's <text>")
            case "node":
                fail(line, "relations between annotations (<node>) are not read: give the two identifiers as infons")
            default: break
            }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred error: Error) {
            if parseError == nil { parseError = (error as NSError, parser.lineNumber) }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { text += String(decoding: CDATABlock, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let line = parser.lineNumber
            path.removeLast()
            let parent = path.last
            switch name {
            case "id" where parent == "document": document?.id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case "infon":
                guard let key = infonKey else { fail(line, "an <infon> without a key attribute"); break }
                if parent == "passage", key == "type" { passage?.type = text }
                if parent == "annotation" { annotation?.infons[key] = text }
                if parent == "relation" { relation?.infons[key] = text }
                infonKey = nil
            case "offset" where parent == "passage":
                guard let offset = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                    fail(line, "a passage <offset> must be an integer, found '\(text)'")
                    break
                }
                passage?.offset = offset
            case "text" where parent == "passage": passage?.text = text
            case "text" where parent == "annotation": annotation?.text = text
            case "passage" where parent == "document":
                guard let p = passage else { break }
                guard let offset = p.offset else { fail(p.line, "a passage without an <offset>"); break }
                document?.passages.append(.init(type: p.type, offset: offset, text: p.text ?? ""))
                passage = nil
            case "annotation":
                guard let a = annotation else { break }
                annotation = nil
                guard a.locations.count == 1 else {
                    fail(a.line, a.locations.isEmpty ? "an annotation without a <location>"
                                                     : "an annotation with \(a.locations.count) locations (discontinuous) is not read")
                    break
                }
                let (offset, length) = a.locations[0]
                guard offset <= Int.max - length else { fail(a.line, "the location's offset and length overflow"); break }
                let identifier = a.infons["MESH"] ?? a.infons["identifier"] ?? a.infons["Identifier"] ?? "-1"
                document?.mentions.append(.init(start: offset, end: offset + length, text: a.text ?? "", type: a.infons["type"] ?? "",
                                                identifier: identifier, individual: a.infons["individual"], line: a.line))
            case "relation":
                guard let r = relation else { break }
                relation = nil
                let type = r.infons["relation"] ?? r.infons["type"] ?? ""
                guard let first = r.infons["Chemical"] ?? r.infons["arg1"], let second = r.infons["Disease"] ?? r.infons["arg2"] else {
                    fail(r.line, "a relation needs its two identifiers as Chemical and Disease (or arg1 and arg2) infons")
                    break
                }
                document?.relations.append(.init(type: type, first: first, second: second, line: r.line))
            case "document":
                if let doc = document { documents.append(doc) }
                document = nil
            default: break
            }
            text = ""
        }
    }

    // MARK: Writing

    /// Writes `documents` as BioC XML through a temporary file: per document its passages
    /// (type infon, offset, text) with the mentions each holds, then its relations. A text
    /// with a character XML 1.0 cannot hold (controls other than tab and line breaks) is an
    /// error naming the document.
    public static func write(_ documents: [AnnotatedDocument], to path: String) throws {
        try AtomicWrite.file(Data(try render(documents, path: path).utf8), to: path)
    }

    static func render(_ documents: [AnnotatedDocument], path: String) throws -> String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE collection SYSTEM "BioC.dtd">
            <collection><source>Vigil</source><date></date><key>vigil.key</key>

            """
        for doc in documents {
            let fail = { (what: String) in ExportError(path: path, "document \(doc.id): \(what) holds a character XML cannot hold") }
            func x(_ s: String, _ what: String) throws -> String {
                guard let escaped = escape(s) else { throw fail(what) }
                return escaped
            }
            out += "<document><id>\(try x(doc.id, "its ID"))</id>\n"
            var remaining = doc.mentions
            var id = 0
            for (i, p) in doc.passages.enumerated() {
                let end = p.offset + p.text.scalarCount
                let last = i == doc.passages.count - 1
                // A mention goes with the passage it starts in (the last takes what is left).
                let mine = remaining.filter { last || $0.start < end }
                remaining.removeAll { last || $0.start < end }
                out += "<passage><infon key=\"type\">\(try x(p.type, "a passage type"))</infon><offset>\(p.offset)</offset>"
                out += "<text>\(try x(p.text, "its text"))</text>\n"
                for m in mine {
                    out += "<annotation id=\"\(id)\"><infon key=\"type\">\(try x(m.type, "a mention type"))</infon>"
                    out += "<infon key=\"MESH\">\(try x(m.identifier, "an identifier"))</infon>"
                    if let individual = m.individual { out += "<infon key=\"individual\">\(try x(individual, "a mention"))</infon>" }
                    out += "<location offset=\"\(m.start)\" length=\"\(m.end - m.start)\"/><text>\(try x(m.text, "a mention"))</text></annotation>\n"
                    id += 1
                }
                out += "</passage>\n"
            }
            for (i, r) in doc.relations.enumerated() {
                let keys = r.type == AnnotatedCorpus.causeType ? ("Chemical", "Disease") : ("arg1", "arg2")
                out += "<relation id=\"R\(i)\"><infon key=\"relation\">\(try x(r.type, "a relation type"))</infon>"
                out += "<infon key=\"\(keys.0)\">\(try x(r.first, "an identifier"))</infon><infon key=\"\(keys.1)\">\(try x(r.second, "an identifier"))</infon></relation>\n"
            }
            out += "</document>\n"
        }
        return out + "</collection>\n"
    }

    /// `text` with `&`, `<`, `>` and `"` escaped, or `nil` when it holds a character XML 1.0
    /// cannot hold. A carriage return is written as `&#13;`, since a parser turns a literal one
    /// into a line feed.
    static func escape(_ text: String) -> String? {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(c)
            default:
                if c.value < 0x20 || c.value == 0xFFFE || c.value == 0xFFFF { return nil }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
