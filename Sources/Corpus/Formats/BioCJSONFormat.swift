import Core
import Foundation

/// BioC JSON, as the `bioc` Python package writes it: the BioC XML structure (`BioCFormat`)
/// as objects.
///
/// ```json
/// {"source": "Vigil", "date": "", "key": "vigil.key", "infons": {}, "documents": [
///  {"id": "227508", "infons": {}, "passages": [
///   {"offset": 0, "infons": {"type": "title"}, "text": "Naloxone reverses …", "sentences": [], "annotations": [
///    {"id": "0", "infons": {"type": "Chemical", "MESH": "D009270"}, "text": "Naloxone",
///     "locations": [{"offset": 0, "length": 8}]}], "relations": []}],
///   "relations": [{"id": "R0", "infons": {"relation": "CID", "Chemical": "D008750", "Disease": "D007022"}, "nodes": []}]}]}
/// ```
///
/// Infons are read as in BioC XML; what BioC XML refuses (sentences, several locations,
/// nodes) this refuses too. A whole-file JSON value has no line per annotation: a structural
/// problem names its place (`documents[3].passages[1].annotations[0]`), a mention that does
/// not match its text the document and the mention.
public enum BioCJSONFormat {
    // MARK: Reading

    public static func read(path: String, layer: String = "gold") throws -> (ImportBatch, AnnotatedImportReport) {
        let data = try InputFile.contents(of: path)
        let documents = try parse(data, file: path)
        return try AnnotatedCorpus.batch(documents, format: "bioc-json", path: path, sha256: FormatSupport.sha256(data), layer: layer)
    }

    /// A problem at a place in the JSON value.
    private struct Problem: Error {
        var place: String
        var message: String
    }

    static func parse(_ data: Data, file: String) throws -> [AnnotatedDocument] {
        if data.isEmpty { throw ImportError(file: file, line: 0, "the file is empty") }
        guard let text = String(data: data, encoding: .utf8) else { throw ImportError(file: file, line: 0, "invalid UTF-8") }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw ImportError(file: file, line: 0, "invalid JSON: \(error.detail)")
        }
        do {
            let root = try object(value, "the file")
            let documents = try array(root["documents"], "documents")
            guard !documents.isEmpty else { throw Problem(place: "documents", message: "no document in the collection") }
            return try documents.enumerated().map { try document($1, "documents[\($0)]") }
        } catch let problem as Problem {
            throw ImportError(file: file, line: 0, "\(problem.place): \(problem.message)")
        }
    }

    private static func document(_ value: JSONValue, _ place: String) throws -> AnnotatedDocument {
        let o = try object(value, place)
        let id = try string(o["id"], place + ".id")
        var doc = AnnotatedDocument(id: id, passages: [])
        let where_ = "\(place) (document \(id))"
        for (i, p) in try array(o["passages"], where_ + ".passages").enumerated() {
            let here = "\(where_).passages[\(i)]"
            let passage = try object(p, here)
            if let sentences = passage["sentences"], case .array(let items) = sentences, !items.isEmpty {
                throw Problem(place: here, message: "passages made of sentences are not read: give the passage's text")
            }
            let infons = try stringMap(passage["infons"], here + ".infons")
            let offset = try int(passage["offset"], here + ".offset")
            let text = passage["text"] == nil ? "" : try string(passage["text"], here + ".text")
            doc.passages.append(.init(type: infons["type"] ?? "", offset: offset, text: text))
            for (j, a) in try array(passage["annotations"] ?? .array([]), here + ".annotations").enumerated() {
                doc.mentions.append(try mention(a, "\(here).annotations[\(j)]"))
            }
            for (j, r) in try array(passage["relations"] ?? .array([]), here + ".relations").enumerated() {
                doc.relations.append(try relation(r, "\(here).relations[\(j)]"))
            }
        }
        for (j, a) in try array(o["annotations"] ?? .array([]), where_ + ".annotations").enumerated() {
            doc.mentions.append(try mention(a, "\(where_).annotations[\(j)]"))
        }
        for (j, r) in try array(o["relations"] ?? .array([]), where_ + ".relations").enumerated() {
            doc.relations.append(try relation(r, "\(where_).relations[\(j)]"))
        }
        return doc
    }

    private static func mention(_ value: JSONValue, _ place: String) throws -> AnnotatedDocument.Mention {
        let o = try object(value, place)
        let infons = try stringMap(o["infons"], place + ".infons")
        let locations = try array(o["locations"], place + ".locations")
        guard locations.count == 1 else {
            throw Problem(place: place, message: locations.isEmpty ? "an annotation without a location"
                                                                    : "an annotation with \(locations.count) locations (discontinuous) is not read")
        }
        let location = try object(locations[0], place + ".locations[0]")
        let offset = try int(location["offset"], place + ".locations[0].offset")
        let length = try int(location["length"], place + ".locations[0].length")
        guard offset >= 0, length > 0, offset <= Int.max - length else {
            throw Problem(place: place + ".locations[0]", message: "needs offset >= 0 and length > 0, found \(offset) and \(length)")
        }
        return .init(start: offset, end: offset + length, text: try string(o["text"], place + ".text"), type: infons["type"] ?? "",
                     identifier: infons["MESH"] ?? infons["identifier"] ?? infons["Identifier"] ?? "-1",
                     individual: infons["individual"])
    }

    private static func relation(_ value: JSONValue, _ place: String) throws -> AnnotatedDocument.Relation {
        let o = try object(value, place)
        if case .array(let nodes)? = o["nodes"], !nodes.isEmpty {
            throw Problem(place: place, message: "relations between annotations (nodes) are not read: give the two identifiers as infons")
        }
        let infons = try stringMap(o["infons"], place + ".infons")
        guard let first = infons["Chemical"] ?? infons["arg1"], let second = infons["Disease"] ?? infons["arg2"] else {
            throw Problem(place: place, message: "a relation needs its two identifiers as Chemical and Disease (or arg1 and arg2) infons")
        }
        return .init(type: infons["relation"] ?? infons["type"] ?? "", first: first, second: second)
    }

    private static func object(_ value: JSONValue?, _ place: String) throws -> [String: JSONValue] {
        guard case .object(let o)? = value else { throw Problem(place: place, message: "expected an object, found \(value?.typeName ?? "nothing")") }
        return o
    }

    private static func array(_ value: JSONValue?, _ place: String) throws -> [JSONValue] {
        guard case .array(let a)? = value else { throw Problem(place: place, message: "expected an array, found \(value?.typeName ?? "nothing")") }
        return a
    }

    private static func string(_ value: JSONValue?, _ place: String) throws -> String {
        guard case .string(let s)? = value else { throw Problem(place: place, message: "expected a string, found \(value?.typeName ?? "nothing")") }
        return s
    }

    private static func int(_ value: JSONValue?, _ place: String) throws -> Int {
        guard case .int(let i)? = value else { throw Problem(place: place, message: "expected an integer, found \(value?.typeName ?? "nothing")") }
        return i
    }

    /// An infons object: every value a string (absent is empty).
    private static func stringMap(_ value: JSONValue?, _ place: String) throws -> [String: String] {
        guard let value else { return [:] }
        var out: [String: String] = [:]
        for (key, v) in try object(value, place) { out[key] = try string(v, "\(place).\(key)") }
        return out
    }

    // MARK: Writing

    /// Writes `documents` as BioC JSON through a temporary file, one line per passage,
    /// annotation and relation, mentions in the passage they start in (as `BioCFormat`).
    public static func write(_ documents: [AnnotatedDocument], to path: String) throws {
        try AtomicWrite.file(Data(render(documents).utf8), to: path)
    }

    static func render(_ documents: [AnnotatedDocument]) -> String {
        let q = JSONWriter.quoted
        func infons(_ pairs: [(String, String)]) -> String { JSONWriter.object(pairs.map { ($0.0, q($0.1)) }) }
        var docs: [String] = []
        for doc in documents {
            var remaining = doc.mentions
            var id = 0
            var passages: [String] = []
            for (i, p) in doc.passages.enumerated() {
                let end = p.offset + p.text.scalarCount
                let last = i == doc.passages.count - 1
                let mine = remaining.filter { last || $0.start < end }
                remaining.removeAll { last || $0.start < end }
                let annotations = mine.map { m -> String in
                    defer { id += 1 }
                    return JSONWriter.object([
                        ("id", q(String(id))),
                        ("infons", infons([("type", m.type), ("MESH", m.identifier)] + (m.individual.map { [("individual", $0)] } ?? []))),
                        ("text", q(m.text)),
                        ("locations", JSONWriter.array([JSONWriter.object([("offset", String(m.start)), ("length", String(m.end - m.start))])])),
                    ])
                }
                passages.append(JSONWriter.object([
                    ("offset", String(p.offset)), ("infons", infons([("type", p.type)])), ("text", q(p.text)),
                    ("sentences", "[]"), ("annotations", "[\n" + annotations.joined(separator: ",\n") + "]"), ("relations", "[]"),
                ]))
            }
            let relations = doc.relations.enumerated().map { i, r in
                let keys = r.type == AnnotatedCorpus.causeType ? ("Chemical", "Disease") : ("arg1", "arg2")
                return JSONWriter.object([("id", q("R\(i)")), ("infons", infons([("relation", r.type), (keys.0, r.first), (keys.1, r.second)])),
                                          ("nodes", "[]")])
            }
            docs.append(JSONWriter.object([
                ("id", q(doc.id)), ("infons", "{}"),
                ("passages", "[\n" + passages.joined(separator: ",\n") + "]"),
                ("relations", "[\n" + relations.joined(separator: ",\n") + "]"),
            ]))
        }
        return JSONWriter.object([
            ("source", q("Vigil")), ("date", q("")), ("key", q("vigil.key")), ("infons", "{}"),
            ("documents", "[\n" + docs.joined(separator: ",\n") + "]"),
        ]) + "\n"
    }
}
