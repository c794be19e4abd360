import Core
import Foundation
import GRDB
import XCTest
@testable import Corpus

/// PubTator and BioC XML: what an import makes of title, abstract, mentions and CID pairs;
/// errors that name file, line and document; and round trips (import, export, import gives
/// the same corpus), on a hand-written fixture and on BC5CDR's training set when present.
final class PubTatorFormatTests: XCTestCase {
    /// Two documents with what the mapping must handle: a CID pair held by the title and by
    /// an abstract sentence, a `-1` chemical, a composite disease (`D1|D2`, with its individual
    /// mentions) whose second part is in a CID pair, a disease mention that crosses the
    /// splitter's boundary (`pain. Headache`), a CID pair no sentence holds, and an empty
    /// abstract.
    static let fixture = """
        100|t|Lithium-induced tremor.
        100|a|Tremor developed after lithium and haloperidol. Cisplatin was given for lung cancer; ototoxicity and nephrotoxicity followed. She had pain. Headache came later.
        100\t0\t7\tLithium\tChemical\tD008094
        100\t16\t22\ttremor\tDisease\tD014202
        100\t24\t30\tTremor\tDisease\tD014202
        100\t47\t54\tlithium\tChemical\tD008094
        100\t59\t70\thaloperidol\tChemical\t-1
        100\t72\t81\tCisplatin\tChemical\tD002945
        100\t96\t107\tlung cancer\tDisease\tD008175
        100\t109\t139\tototoxicity and nephrotoxicity\tDisease\tD006311|D007674\tototoxicity|nephrotoxicity
        100\t158\t172\tpain. Headache\tDisease\tD010146
        100\tCID\tD008094\tD014202
        100\tCID\tD002945\tD007674
        100\tCID\tD002945\tD010146

        200|t|Aspirin and rash.
        200|a|
        200\t0\t7\tAspirin\tChemical\tD001241
        200\t12\t16\trash\tDisease\tD005076
        200\tCID\tD001241\tD005076


        """

    private func fixturePath(_ text: String = PubTatorFormatTests.fixture) throws -> String {
        try write(text, to: "fixture.pubtator", in: try temporaryDirectory(self))
    }

    /// Everything the corpus holds of its documents: keys, meta, sentences with offsets, drug
    /// mentions with names and identifiers, the gold layer's ADEs and coverage.
    private func dump(_ store: CorpusStore) throws -> String {
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        let meta = try store.documentMeta(keys: Set(views.map(\.documentKey)))
        var lines: [String] = []
        for key in meta.keys.sorted() { lines.append("meta \(key) \(meta[key]!)") }
        for v in views {
            lines.append("sentence \(v.documentKey) \(v.pmid ?? "-") \(v.docOffset ?? -1) \(v.text)")
            for d in v.drugs {
                lines.append("  drug \(d.span) \(d.text) \(d.normalized) \(d.concept ?? "nil") ades \(d.ades)")
            }
        }
        let stats = try store.stats()
        lines.append("stats \(stats.documents) \(stats.sentences) \(stats.drugMentions)")
        return lines.joined(separator: "\n")
    }

    // MARK: Reading

    func testImportMapsChemicalsToDrugsAndCIDPairsInASentenceToADEs() throws {
        let (batch, report) = try PubTatorFormat.read(path: try fixturePath())
        XCTAssertEqual(report.documents, 2)
        XCTAssertEqual(report.sentences, 5, "title, three abstract sentences (two merged), and the second title")
        XCTAssertEqual(report.chemicalMentions, 5)
        XCTAssertEqual(report.diseaseMentions, 6)
        XCTAssertEqual(report.compositeMentions, 1)
        XCTAssertEqual(report.unnormalizedMentions, 1)
        XCTAssertEqual(report.crossingMentions, 1)
        XCTAssertEqual(report.mergedBoundaries, 1)
        XCTAssertEqual(report.cidPairs, 4)
        XCTAssertEqual(report.cidPlaced, 3)
        XCTAssertEqual(report.cidUnplaced, 1, "cisplatin and pain share no sentence")
        XCTAssertEqual(report.adePairs, 4)

        XCTAssertEqual(batch.sentences.map(\.text), [
            "Lithium-induced tremor.",
            "Tremor developed after lithium and haloperidol.",
            "Cisplatin was given for lung cancer; ototoxicity and nephrotoxicity followed.",
            "She had pain. Headache came later.",
            "Aspirin and rash.",
        ])
        XCTAssertEqual(batch.sentences.map(\.docOffset), [0, 24, 72, 150, 0], "PubTator's offsets: title + \" \" + abstract")
        XCTAssertEqual(batch.sentences.map(\.documentKey), ["pmid:100", "pmid:100", "pmid:100", "pmid:100", "pmid:200"])
        let title = batch.sentences[0].drugs
        XCTAssertEqual(title.map(\.concept), ["D008094"])
        XCTAssertEqual(title[0].ades.map(\.text), ["tremor"])
        let first = batch.sentences[1].drugs
        XCTAssertEqual(first.map(\.text), ["lithium", "haloperidol"])
        XCTAssertEqual(first.map(\.concept), ["D008094", nil], "-1 is no identifier")
        XCTAssertEqual(first[0].ades.map(\.text), ["Tremor"])
        XCTAssertEqual(first[1].ades, [], "a drug without identifier has no CID pair")
        let cisplatin = batch.sentences[2].drugs
        XCTAssertEqual(cisplatin[0].ades.map(\.text), ["ototoxicity and nephrotoxicity"], "a composite matches by any part")
        XCTAssertEqual(cisplatin[0].ades[0].span, Span(37, 67), "sentence offsets")
        XCTAssertEqual(batch.sentences[3].drugs, [], "the crossing mention is kept in one sentence")
    }

    func testImportStoresIdentifiersAndIsIdempotent() throws {
        let store = try temporaryStore(self)
        let path = try fixturePath()
        let summary = try store.ingest(try PubTatorFormat.read(path: path).0, into: .gold)
        XCTAssertEqual(summary.documents, 2)
        XCTAssertEqual(summary.sentences, 5)
        XCTAssertEqual(summary.drugMentions, 5)
        XCTAssertEqual(summary.ades, 4)
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        XCTAssertEqual(views.flatMap(\.drugs).map(\.concept), ["D008094", "D008094", nil, "D002945", "D001241"])
        XCTAssertTrue(try store.ingest(try PubTatorFormat.read(path: path).0, into: .gold).alreadyImported)
    }

    /// `v9-concepts`: a corpus from before keeps its mentions, without identifiers; an empty
    /// identifier is refused (none is NULL).
    func testAVersion8CorpusGetsMentionIdentifiers() throws {
        let path = try temporaryDirectory(self) + "/old.sqlite"
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "v8-answer-spans")
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO document(id, key, created_at) VALUES (1, 'doc:1', '2026-01-01 00:00:00');
                    INSERT INTO sentence(id, document_id, position, text) VALUES (1, 1, 0, 'Rash after aspirin.');
                    INSERT INTO drug_mention(id, sentence_id, start, "end", text, normalized, origin, created_at)
                    VALUES (1, 1, 11, 18, 'aspirin', 'aspirin', 'import', '2026-01-01 00:00:00');
                    """)
            }
        }
        let store = try CorpusStore(path: path)
        XCTAssertEqual(try store.appliedMigrations().last, "v9-concepts")
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        XCTAssertEqual(views.flatMap(\.drugs).map(\.concept), [nil])
        XCTAssertThrowsError(try DatabasePool(path: path).write { try $0.execute(sql: "UPDATE drug_mention SET concept = ''") })
        // A later import of the same mention with an identifier fills it in.
        var batch = ImportBatch(format: "test", path: "x", sha256: "y")
        batch.sentences = [.init(documentKey: "doc:1", text: "Rash after aspirin.",
                                 drugs: [.init(span: Span(11, 18), text: "aspirin", normalized: "aspirin", concept: "D001241")])]
        _ = try store.ingest(batch, into: .gold)
        XCTAssertEqual(try store.sentenceViews(layer: try store.layer(.gold)).flatMap(\.drugs).map(\.concept), ["D001241"])
    }

    // MARK: Errors

    /// Each malformed input is an error naming the file, the line and the document.
    func testMalformedInputNamesFileLineAndDocument() throws {
        let lines = Self.fixture.components(separatedBy: "\n")
        func broken(_ line: Int, _ replacement: String) -> String {
            var copy = lines
            copy[line - 1] = replacement
            return copy.joined(separator: "\n")
        }
        let cases: [(String, Int, String)] = [
            (broken(3, "100\t0\t7\tLithium\tChemical"), 3, "6 or 7 tab-separated fields"),
            (broken(4, "100\t16\t22\ttremor\tDisease\tD014202\tx\ty"), 4, "found 8"),
            (broken(12, "100\tCID\tD008094"), 12, "4 tab-separated fields"),
            (broken(11, "100\t158\t999\tpain. Headache\tDisease\tD010146"), 11, "outside the text"),
            (broken(5, "100\t24\t30\tTremors\tDisease\tD014202"), 5, "differs from the text"),
            (broken(6, "100\tx\t54\tlithium\tChemical\tD008094"), 6, "must be integers"),
            (broken(6, "101\t47\t54\tlithium\tChemical\tD008094"), 6, "is for document '101'"),
            (broken(2, "100\t0\t7\tLithium\tChemical\tD008094"), 2, "followed by the abstract line"),
            (Self.fixture + "200|t|Aspirin and rash.\n200|a|\n", 22, "appears twice"),
        ]
        for (text, line, fragment) in cases {
            let path = try fixturePath(text)
            XCTAssertThrowsError(try PubTatorFormat.read(path: path), fragment) { error in
                guard let error = error as? ImportError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.file, path)
                XCTAssertEqual(error.line, line, "\(fragment): \(error)")
                XCTAssertTrue(error.message.contains(fragment), "\(error)")
                XCTAssertTrue(error.message.hasPrefix("document 10") || error.message.hasPrefix("document 20"), "\(error)")
            }
        }
    }

    /// Hostile or odd PubTator: an offset too large for an integer, an empty document ID, a
    /// whitespace mention are errors; a byte-order mark and CRLF line ends are read.
    func testHostilePubTator() throws {
        let dir = try temporaryDirectory(self)
        let cases: [(String, Int, String)] = [
            ("1|t|x\n1|a|y\n1\t0\t99999999999999999999999\tx\tChemical\tD1\n", 3, "must be integers"),
            ("1|t|x\n1|a|y\n1\t-1\t1\tx\tChemical\tD1\n", 3, "0 <= start < end"),
            ("|t|x\n|a|y\n", 1, "empty document ID"),
            ("1|t|x y\n1|a|z\n1\t1\t2\t \tChemical\tD1\n", 3, "only whitespace"),
            ("1\t0\t1\tx\tChemical\tD1\n", 1, "before any document's title line"),
            ("1|t|x\n", 1, "without the abstract line"),
            ("hello\n", 1, "expected a title"),
        ]
        for (i, (text, line, fragment)) in cases.enumerated() {
            let path = try write(text, to: "h\(i).txt", in: dir)
            XCTAssertThrowsError(try PubTatorFormat.read(path: path), fragment) { error in
                guard let error = error as? ImportError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.line, line, "\(fragment): \(error)")
                XCTAssertTrue(error.message.contains(fragment), "\(error)")
            }
        }
        let crlf = "\u{FEFF}" + Self.fixture.replacingOccurrences(of: "\n", with: "\r\n")
        let (batch, report) = try PubTatorFormat.read(path: try write(crlf, to: "crlf.txt", in: dir))
        XCTAssertEqual(report.cidPlaced, 3)
        XCTAssertEqual(batch.sentences.count, 5)
    }

    /// BioC: a problem names the file, the line of the element and the document; what is
    /// not read (entities, <node> relations, several locations) is refused, not dropped.
    func testBioCErrorsNameLineAndDocument() throws {
        let good = """
            <?xml version="1.0" encoding="UTF-8"?>
            <collection><source>x</source>
            <document><id>7</id>
            <passage><infon key="type">title</infon><offset>0</offset><text>Rash after aspirin.</text>
            <annotation id="1"><infon key="type">Chemical</infon><infon key="MESH">D001241</infon>
            <location offset="11" length="7"/><text>aspirin</text></annotation>
            </passage>
            <relation id="R0"><infon key="relation">CID</infon><infon key="Chemical">D001241</infon><infon key="Disease">D005076</infon></relation>
            </document>
            </collection>

            """
        let dir = try temporaryDirectory(self)
        let (batch, report) = try BioCFormat.read(path: try write(good, to: "good.xml", in: dir))
        XCTAssertEqual(batch.sentences.map(\.text), ["Rash after aspirin."])
        XCTAssertEqual(batch.sentences[0].drugs.map(\.concept), ["D001241"])
        XCTAssertEqual(report.cidUnplaced, 1)
        let cases: [(String, Int, String)] = [
            (good.replacingOccurrences(of: "<text>aspirin</text>", with: "<text>aspirine</text>"), 5, "document 7: mention 'aspirine' differs"),
            (good.replacingOccurrences(of: "length=\"7\"", with: "length=\"70\""), 5, "outside the text"),
            (good.replacingOccurrences(of: "<relation id=\"R0\">", with: "<relation id=\"R0\"><node refid=\"1\" role=\"x\"/>"), 8, "<node>"),
            (good.replacingOccurrences(of: "<collection>", with: "<!DOCTYPE c [<!ENTITY e \"x\">]>\n<collection>"), 2, "entity"),
            (String(good.prefix(200)), 5, "malformed XML"),
            (good.replacingOccurrences(of: "<offset>0</offset>", with: "<offset>zero</offset>"), 4, "must be an integer"),
        ]
        for (i, (text, line, fragment)) in cases.enumerated() {
            let path = try write(text, to: "bad\(i).xml", in: dir)
            XCTAssertThrowsError(try BioCFormat.read(path: path), fragment) { error in
                guard let error = error as? ImportError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.file, path)
                XCTAssertEqual(error.line, line, "\(fragment): \(error)")
                XCTAssertTrue(error.message.contains(fragment), "\(error)")
            }
        }
    }

    // MARK: Round trips

    /// Import, export the gold layer, import into a new corpus: the same corpus; and the
    /// export is the source file itself, document-level pairs included.
    func testPubTatorRoundTripGivesTheSourceBack() throws {
        let first = try temporaryStore(self)
        _ = try first.ingest(try PubTatorFormat.read(path: try fixturePath()).0, into: .gold)
        let out = (try temporaryDirectory(self) as NSString).appendingPathComponent("out.pubtator")
        try exportGold(first, pubtator: out)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), Self.fixture.trimmingTrailingNewlines + "\n\n")
        let second = try temporaryStore(self)
        _ = try second.ingest(try PubTatorFormat.read(path: out).0, into: .gold)
        XCTAssertEqual(try dump(second), try dump(first))
    }

    func testBioCRoundTripAndCrossFormat() throws {
        let first = try temporaryStore(self)
        _ = try first.ingest(try PubTatorFormat.read(path: try fixturePath()).0, into: .gold)
        let dir = try temporaryDirectory(self)
        let xml = (dir as NSString).appendingPathComponent("out.xml")
        try exportGold(first, bioc: xml)
        let second = try temporaryStore(self)
        let (batch, report) = try BioCFormat.read(path: xml)
        XCTAssertEqual(report.cidPlaced, 3)
        XCTAssertEqual(report.cidUnplaced, 1)
        _ = try second.ingest(batch, into: .gold)
        // The same corpus, but for the format each document's record names.
        XCTAssertEqual(try dump(second), try dump(first).replacingOccurrences(of: "\"format\":\"pubtator\"", with: "\"format\":\"bioc\""))
        // BioC back to PubTator gives the source file; BioC to BioC the same XML.
        let pubtator = (dir as NSString).appendingPathComponent("again.pubtator")
        try exportGold(second, pubtator: pubtator)
        XCTAssertEqual(try String(contentsOfFile: pubtator, encoding: .utf8), Self.fixture.trimmingTrailingNewlines + "\n\n")
        let xml2 = (dir as NSString).appendingPathComponent("again.xml")
        try exportGold(second, bioc: xml2)
        XCTAssertEqual(try String(contentsOfFile: xml2, encoding: .utf8), try String(contentsOfFile: xml, encoding: .utf8))
    }

    /// BioC JSON: the same corpus back, and PubTator from it gives the source file.
    func testBioCJSONRoundTrip() throws {
        let first = try temporaryStore(self)
        _ = try first.ingest(try PubTatorFormat.read(path: try fixturePath()).0, into: .gold)
        let dir = try temporaryDirectory(self)
        let json = (dir as NSString).appendingPathComponent("out.json")
        try exportGold(first, biocJSON: json)
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        XCTAssertEqual((parsed?["documents"] as? [Any])?.count, 2, "valid JSON")
        let second = try temporaryStore(self)
        _ = try second.ingest(try BioCJSONFormat.read(path: json).0, into: .gold)
        XCTAssertEqual(try dump(second), try dump(first).replacingOccurrences(of: "\"format\":\"pubtator\"", with: "\"format\":\"bioc-json\""))
        let pubtator = (dir as NSString).appendingPathComponent("again.pubtator")
        try exportGold(second, pubtator: pubtator)
        XCTAssertEqual(try String(contentsOfFile: pubtator, encoding: .utf8), Self.fixture.trimmingTrailingNewlines + "\n\n")
    }

    /// BioC JSON errors name the place in the value (it has no line per annotation).
    func testBioCJSONErrorsNameThePlace() throws {
        let good = """
            {"documents": [{"id": "7", "passages": [{"offset": 0, "infons": {"type": "title"}, "text": "Rash after aspirin.",
             "annotations": [{"infons": {"type": "Chemical", "MESH": "D001241"}, "text": "aspirin", "locations": [{"offset": 11, "length": 7}]}]}],
             "relations": []}]}
            """
        let dir = try temporaryDirectory(self)
        XCTAssertEqual(try BioCJSONFormat.read(path: try write(good, to: "good.json", in: dir)).0.sentences.count, 1)
        let cases: [(String, String)] = [
            (good.replacingOccurrences(of: "\"length\": 7", with: "\"length\": \"7\""),
             "documents[0] (document 7).passages[0].annotations[0].locations[0].length: expected an integer, found a string"),
            (good.replacingOccurrences(of: "\"text\": \"aspirin\"", with: "\"text\": \"aspirine\""), "document 7: mention 'aspirine' differs"),
            (good.replacingOccurrences(of: "\"relations\": []", with: "\"relations\": [{\"nodes\": [{}]}]"), "nodes"),
            (String(good.dropLast()), "invalid JSON"),
            ("{\"documents\": []}", "documents: no document"),
        ]
        for (i, (text, fragment)) in cases.enumerated() {
            let path = try write(text, to: "bad\(i).json", in: dir)
            XCTAssertThrowsError(try BioCJSONFormat.read(path: path), fragment) { error in
                guard let error = error as? ImportError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.file, path)
                XCTAssertTrue(error.message.contains(fragment), "\(error)")
            }
        }
    }

    /// A layer's (drug, ADE) pairs are the CID relations written; document-level pairs come
    /// back only with the layer they were imported into.
    func testExportWritesTheLayersPairs() throws {
        let store = try temporaryStore(self)
        _ = try store.ingest(try PubTatorFormat.read(path: try fixturePath(), layer: "teacher").0, into: LayerRef(.teacher))
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        let meta = try store.documentMeta(keys: Set(views.map(\.documentKey)))
        let (docs, _) = AnnotatedCorpus.documents(views, meta: meta, layer: "gold")
        XCTAssertEqual(docs[0].relations, [], "gold has no ADE here, and the unplaced pair belongs to the teacher import")
        XCTAssertEqual(docs[0].mentions.count, 9, "mentions are the document's, whatever the layer")
    }

    /// A document not read from PubTator is written as a title (its first sentence) and an
    /// abstract; pairs without identifiers cannot be CID lines and are counted.
    func testExportOfOtherDocumentsLaysThemOut() throws {
        let views = [
            SentenceView(id: 1, documentKey: "sample:a", pmid: nil, docOffset: 0, text: "Rash after aspirin.",
                         drugs: [.init(mentionID: 1, span: Span(11, 18), text: "aspirin", normalized: "aspirin", ades: [Span(0, 4)], review: .pending)]),
            SentenceView(id: 2, documentKey: "sample:a", pmid: nil, docOffset: 40, text: "It resolved.", drugs: []),
        ]
        let (docs, report) = AnnotatedCorpus.documents(views, meta: [:], layer: "gold")
        XCTAssertEqual(report.laidOut, 1)
        XCTAssertEqual(report.pairsWithoutIdentifier, 1)
        let text = try PubTatorFormat.render(docs, path: "x")
        XCTAssertEqual(text, """
            sample:a|t|Rash after aspirin.
            sample:a|a|It resolved.
            sample:a\t0\t4\tRash\tDisease\t-1
            sample:a\t11\t18\taspirin\tChemical\t-1


            """)
    }

    /// BC5CDR's training file: the figures of its SOURCE.md, and a round trip that gives the
    /// official file back byte for byte.
    func testBC5CDRTrainingRoundTrip() throws {
        let path = (packageRoot as NSString).appendingPathComponent("../shared/data/bc5cdr/CDR_TrainingSet.PubTator.txt")
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("SKIPPED: BC5CDR's training file is not at \(path)")
        }
        let (batch, report) = try PubTatorFormat.read(path: path)
        XCTAssertEqual(report.documents, 500)
        XCTAssertEqual(report.chemicalMentions, 5203)
        XCTAssertEqual(report.diseaseMentions, 4182)
        XCTAssertEqual(report.cidPairs, 1038)
        XCTAssertEqual(report.cidPlaced + report.cidUnplaced, 1038)
        print("BC5CDR training: \(report)")
        let first = try temporaryStore(self)
        _ = try first.ingest(batch, into: .gold)
        let out = (try temporaryDirectory(self) as NSString).appendingPathComponent("out.pubtator")
        try exportGold(first, pubtator: out)
        let source = try String(contentsOfFile: path, encoding: .utf8)
        let exported = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertEqual(exported.trimmingTrailingNewlines, source.trimmingTrailingNewlines, "the export is the official file")
        let second = try temporaryStore(self)
        _ = try second.ingest(try PubTatorFormat.read(path: out).0, into: .gold)
        XCTAssertEqual(try dump(second), try dump(first))
    }

    private func exportGold(_ store: CorpusStore, pubtator: String? = nil, bioc: String? = nil, biocJSON: String? = nil) throws {
        let gold = try store.layer(.gold)
        let views = try store.sentenceViews(layer: gold)
        let meta = try store.documentMeta(keys: Set(views.map(\.documentKey)))
        let (docs, _) = AnnotatedCorpus.documents(views, meta: meta, layer: gold.description)
        if let pubtator { try PubTatorFormat.write(docs, to: pubtator) }
        if let bioc { try BioCFormat.write(docs, to: bioc) }
        if let biocJSON { try BioCJSONFormat.write(docs, to: biocJSON) }
    }
}

private extension String {
    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
