import Core
import Foundation
import XCTest
@testable import Corpus

/// Import and export formats: every writer's output reads back to the same annotations,
/// every reader names `file:line` for bad input and imports nothing, and exports are atomic.
final class FormatTests: XCTestCase {
    // MARK: Fixtures

    /// A small gold corpus with the cases formats get wrong: non-ASCII text (NFD accent,
    /// a character outside the BMP), two drugs in one sentence, an ADE caused by two drugs,
    /// a drug inside its ADE span, drugs without an ADE, the same drug string twice, a
    /// sentence without drugs, and a document key that is not a safe file name.
    static let corpus = """
        {"id": 7, "doc": "pmid:111", "pmid": "111", "doc_offset": 0, "text": "Heparin-induced thrombocytopenia developed after heparin and aspirin.", "drugs": [{"start": 0, "end": 7, "text": "Heparin", "ades": [{"start": 0, "end": 32, "text": "Heparin-induced thrombocytopenia"}]}, {"start": 49, "end": 56, "text": "heparin", "ades": [{"start": 0, "end": 32, "text": "Heparin-induced thrombocytopenia"}]}, {"start": 61, "end": 68, "text": "aspirin", "ades": [], "review": "no-ade"}]}
        {"doc": "pmid:111", "pmid": "111", "doc_offset": 70, "text": "Rash appeared after amoxicillin; a second rash and fever followed amoxicillin again.", "drugs": [{"start": 20, "end": 31, "text": "amoxicillin", "ades": [{"start": 0, "end": 4, "text": "Rash"}]}, {"start": 66, "end": 77, "text": "amoxicillin", "ades": [{"start": 42, "end": 46, "text": "rash"}, {"start": 51, "end": 56, "text": "fever"}]}]}

        {"doc": "sample:ünïcode case/1", "text": "Après 5 µg/kg de fentanyl et midazolam, une dépression respiratoire sévère est survenue (SpO₂ 82 %).", "drugs": [{"start": 17, "end": 25, "text": "fentanyl", "ades": [{"start": 44, "end": 74, "text": "dépression respiratoire sévère"}]}, {"start": 29, "end": 38, "text": "midazolam", "ades": [{"start": 44, "end": 74, "text": "dépression respiratoire sévère"}]}]}
        {"doc": "sample:ünïcode case/1", "text": "Le patient traite\u{301} par 𝛼-interféron a présenté une fièvre.", "drugs": [{"start": 25, "end": 35, "text": "interféron", "name": "interferon  Alfa", "ades": [{"start": 51, "end": 57, "text": "fièvre"}]}]}
        {"doc": "sample:ünïcode case/1", "text": "Il a guéri.", "drugs": []}

        """

    /// A store holding `corpus` (or `jsonl`) as its gold layer.
    private func goldStore(_ jsonl: String = FormatTests.corpus) throws -> CorpusStore {
        let store = try temporaryStore(self)
        let path = try write(jsonl, to: "gold.jsonl", in: try temporaryDirectory(self))
        _ = try store.ingest(try JSONLFormat.read(path: path), into: .gold)
        return store
    }

    /// Everything an import can change, to compare before and after.
    private func fingerprint(_ store: CorpusStore) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let layers = try store.layers().map(\.description).joined(separator: ",")
        return String(decoding: try encoder.encode(store.stats()), as: UTF8.self) + " layers: " + layers
    }

    /// Exports the gold layer with `write`, reads it back with `read` into a new teacher
    /// layer, and checks that the teacher layer equals gold and nothing else was created.
    private func assertRoundTrip(_ store: CorpusStore, target name: String,
                                 write: ([SentenceView], String) throws -> Void,
                                 read: (String) throws -> ImportBatch,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let gold = try store.layer(.gold)
        let target = (try temporaryDirectory(self) as NSString).appendingPathComponent(name)
        try write(try store.sentenceViews(layer: gold), target)
        let before = try store.stats()
        let summary = try store.ingest(try read(target), into: LayerRef(.teacher))
        let after = try store.stats()
        XCTAssertEqual(summary.sentences, 0, "no new sentence", file: file, line: line)
        XCTAssertEqual(summary.drugMentions, 0, "no new drug mention", file: file, line: line)
        XCTAssertEqual(after.sentences, before.sentences, file: file, line: line)
        XCTAssertEqual(after.drugMentions, before.drugMentions, file: file, line: line)
        XCTAssertEqual(after.documents, before.documents, file: file, line: line)

        let teacher = try store.layer(LayerRef(.teacher))
        let goldPairs = try store.pairs(in: gold)
        XCTAssertFalse(goldPairs.isEmpty, file: file, line: line)
        let evaluation = Evaluation(predicted: try store.pairs(in: teacher), gold: goldPairs)
        for criterion in Evaluation.Criterion.allCases {
            let score = evaluation.score(criterion)
            XCTAssertEqual(score.precision, 1, "\(criterion) precision", file: file, line: line)
            XCTAssertEqual(score.recall, 1, "\(criterion) recall", file: file, line: line)
            XCTAssertEqual(score.f1, 1, "\(criterion) F1", file: file, line: line)
        }
        XCTAssertEqual(evaluation.predictedPairs, goldPairs.count, file: file, line: line)
    }

    /// Runs `read` on `contents` written to `name` and checks that it fails with an error
    /// starting `<path>:<line>: <message>` and that importing changed nothing in `store`.
    private func assertImportFails(_ store: CorpusStore, _ contents: [String: String], read name: String,
                                   with reader: (String) throws -> ImportBatch, line: Int, _ message: String,
                                   file: StaticString = #filePath, sourceLine: UInt = #line) throws {
        let dir = try temporaryDirectory(self)
        for (fileName, text) in contents { try write(text, to: fileName, in: dir) }
        try assertImportFails(store, path: (dir as NSString).appendingPathComponent(name), errorFile: nil,
                              with: reader, line: line, message, file: file, sourceLine: sourceLine)
    }

    private func assertImportFails(_ store: CorpusStore, path: String, errorFile: String?,
                                   with reader: (String) throws -> ImportBatch, line: Int, _ message: String,
                                   file: StaticString = #filePath, sourceLine: UInt = #line) throws {
        let before = try fingerprint(store)
        XCTAssertThrowsError(try store.ingest(try reader(path), into: LayerRef(.teacher)), file: file, line: sourceLine) { error in
            let expected = line > 0 ? "\(errorFile ?? path):\(line): \(message)" : "\(errorFile ?? path): \(message)"
            XCTAssertTrue(error is ImportError, "\(type(of: error)): \(error)", file: file, line: sourceLine)
            XCTAssertTrue("\(error)".hasPrefix(expected), "got: \(error)\nexpected prefix: \(expected)",
                          file: file, line: sourceLine)
        }
        XCTAssertEqual(try fingerprint(store), before, "a failed import changes nothing", file: file, line: sourceLine)
    }

    /// A folder's entries, hidden ones included (temporary files would show here).
    private func entries(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    // MARK: JSONL

    func testJSONLReadsSpansNamesAndDocumentFields() throws {
        let path = try write(Self.corpus, to: "c.jsonl", in: try temporaryDirectory(self))
        let batch = try JSONLFormat.read(path: path)
        XCTAssertEqual(batch.format, "jsonl")
        XCTAssertEqual(batch.sentences.count, 5, "blank lines are skipped")
        let first = batch.sentences[0]
        XCTAssertEqual(first.documentKey, "pmid:111")
        XCTAssertEqual(first.pmid, "111")
        XCTAssertEqual(batch.sentences[1].docOffset, 70)
        XCTAssertEqual(first.drugs.map(\.normalized), ["heparin", "heparin", "aspirin"], "name defaults to the lower-cased text")
        XCTAssertEqual(first.drugs[0].ades, [ImportBatch.ADE(span: Span(0, 32), text: "Heparin-induced thrombocytopenia")])
        XCTAssertEqual(first.drugs[2].ades, [], "an empty list is 'no ADE'")
        let interferon = batch.sentences[3].drugs[0]
        XCTAssertEqual(interferon.normalized, "interferon Alfa", "a given name keeps its case, whitespace collapsed")
        XCTAssertEqual(interferon.span, Span(25, 35), "offsets count scalars: the NFD accent and 𝛼 are one each")
        XCTAssertEqual(batch.sentences[4].drugs, [])
    }

    func testJSONLRoundTrip() throws {
        try assertRoundTrip(try goldStore(), target: "export.jsonl", write: JSONLFormat.write, read: JSONLFormat.read)
    }

    func testJSONLWriterUsesStableKeyOrderAndRawUTF8() throws {
        let store = try goldStore()
        let path = (try temporaryDirectory(self) as NSString).appendingPathComponent("out.jsonl")
        try JSONLFormat.write(try store.sentenceViews(layer: try store.layer(.gold)), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 6, "five sentences, each ending with a line break")
        XCTAssertTrue(lines[0].hasPrefix(#"{"id": "#), String(lines[0]))
        XCTAssertTrue(lines[0].contains(#", "doc": "pmid:111", "pmid": "111", "doc_offset": 0, "text": "Heparin-induced"#))
        XCTAssertTrue(lines[0].range(of: #"\{"mention": \d+, "start": 61, "end": 68, "text": "aspirin", "name": "aspirin", "ades": \[\], "review": "pending"\}"#,
                                     options: .regularExpression) != nil, String(lines[0]))
        XCTAssertTrue(lines[2].contains("dépression respiratoire sévère"), "non-ASCII is written as is")
        XCTAssertFalse(text.contains("\\u"), "no \\u escapes")
        XCTAssertFalse(lines[2].contains("\"pmid\""), "unknown fields are left out")
        XCTAssertEqual(try entries((path as NSString).deletingLastPathComponent), ["out.jsonl"], "no temporary file left")
    }

    func testJSONLErrorsNameFileAndLine() throws {
        let store = try goldStore()
        let good = #"{"doc": "d", "text": "Rash after aspirin.", "drugs": [{"start": 11, "end": 18, "ades": [{"start": 0, "end": 4}]}]}"#
        let cases: [(String, Int, String)] = [
            (good + "\n{\"doc\": \"d\", \"text\": \n", 2, "invalid JSON"),
            (good + "\n\n[1, 2]\n", 3, "expected a JSON object, found an array"),
            (#"{"doc": "d"}"#, 1, #"missing key "text""#),
            (#"{"text": "Rash."}"#, 1, #"missing key "doc""#),
            (#"{"doc": "d", "text": 5}"#, 1, #""text" must be a string, found an integer"#),
            (#"{"doc": "d", "text": "Rash.", "drugs": {}}"#, 1, #""drugs" must be an array, found an object"#),
            (#"{"doc": "d", "text": "Rash.", "drugs": [{"end": 4}]}"#, 1, #"drugs[0]: missing key "start""#),
            (#"{"doc": "d", "text": "Rash.", "drugs": [{"start": "0", "end": 4}]}"#, 1,
             #"drugs[0]: "start" must be an integer, found a string"#),
            (#"{"doc": "d", "text": "Rash.", "drugs": [{"start": 0.5, "end": 4}]}"#, 1,
             #"drugs[0]: "start" must be an integer, found a number with a fraction"#),
            (#"{"doc": "d", "text": "Rash.", "drugs": [{"start": 2, "end": 9}]}"#, 1,
             "drugs[0]: span [2,9) is empty or outside the text (5 characters)"),
            (#"{"doc": "d", "text": "Rash.", "drugs": [{"start": 3, "end": 3}]}"#, 1,
             "drugs[0]: span [3,3) is empty or outside the text"),
            (#"{"doc": "d", "text": "Rash.", "drugs": [{"start": 0, "end": 4, "text": "rash"}]}"#, 1,
             #"drugs[0]: span [0,4) covers "Rash", not "rash""#),
            (good + "\n" + #"{"doc": "d", "text": "Rash.", "drugs": [{"start": 0, "end": 4, "ades": [{"start": 0, "end": 6}]}]}"#, 2,
             "drugs[0].ades[0]: span [0,6) is empty or outside the text"),
            (#"{"doc": "d", "text": "Rash.", "drugs": [{"start": 0, "end": 4}, {"start": 1, "end": 2}, {"start": 0, "end": 4}]}"#, 1,
             "drugs[2] repeats the drug span [0,4) of drugs[0]"),
            (#"{"doc": "", "text": "Rash."}"#, 1, #""doc" is empty"#),
            (#"{"doc": "d", "text": "Rash.", "doc_offset": -1}"#, 1, #""doc_offset" must not be negative"#),
            ("\n\n", 0, "the file has no sentences"),
            ("", 0, "the file is empty"),
        ]
        for (contents, line, message) in cases {
            try assertImportFails(store, ["bad.jsonl": contents], read: "bad.jsonl", with: JSONLFormat.read, line: line, message)
        }
    }

    func testJSONLRejectsInvalidUTF8WithItsLine() throws {
        let store = try goldStore()
        let dir = try temporaryDirectory(self)
        let path = (dir as NSString).appendingPathComponent("bad.jsonl")
        var data = Data(#"{"doc": "d", "text": "ok."}"#.utf8 + [0x0A])
        data.append(contentsOf: [0x7B, 0xFF, 0x7D, 0x0A])
        try data.write(to: URL(fileURLWithPath: path))
        try assertImportFails(store, path: path, errorFile: nil, with: JSONLFormat.read, line: 2, "invalid UTF-8")
    }

    // MARK: brat

    func testBratRoundTrip() throws {
        try assertRoundTrip(try goldStore(), target: "brat", write: BratFormat.write, read: BratFormat.read)
    }

    func testBratWritesOneSentencePerLineWithDocumentOffsetsAndOneTPerADESpan() throws {
        let store = try goldStore()
        let dir = (try temporaryDirectory(self) as NSString).appendingPathComponent("brat")
        try BratFormat.write(try store.sentenceViews(layer: try store.layer(.gold)), to: dir)
        XCTAssertEqual(try entries(dir), ["annotation.conf", "pmid%3A111.ann", "pmid%3A111.txt",
                                          "sample%3A%C3%BCn%C3%AFcode%20case%2F1.ann", "sample%3A%C3%BCn%C3%AFcode%20case%2F1.txt",
                                          "vigil-export.json"])
        let txt = try String(contentsOfFile: (dir as NSString).appendingPathComponent("pmid%3A111.txt"), encoding: .utf8)
        XCTAssertEqual(txt, """
            Heparin-induced thrombocytopenia developed after heparin and aspirin.
            Rash appeared after amoxicillin; a second rash and fever followed amoxicillin again.

            """)
        let ann = try String(contentsOfFile: (dir as NSString).appendingPathComponent("pmid%3A111.ann"), encoding: .utf8)
        XCTAssertEqual(ann, """
            T1\tDrug 0 7\tHeparin
            T2\tADE 0 32\tHeparin-induced thrombocytopenia
            T3\tDrug 49 56\theparin
            T4\tDrug 61 68\taspirin
            T5\tADE 70 74\tRash
            T6\tDrug 90 101\tamoxicillin
            T7\tADE 112 116\trash
            T8\tADE 121 126\tfever
            T9\tDrug 136 147\tamoxicillin
            R1\tCauses Arg1:T1 Arg2:T2
            R2\tCauses Arg1:T3 Arg2:T2
            R3\tCauses Arg1:T6 Arg2:T5
            R4\tCauses Arg1:T9 Arg2:T7
            R5\tCauses Arg1:T9 Arg2:T8

            """)
        let unicode = try BratFormat.read(path: (dir as NSString).appendingPathComponent("sample%3A%C3%BCn%C3%AFcode%20case%2F1.ann"))
        XCTAssertEqual(unicode.sentences.map(\.documentKey), Array(repeating: "sample:ünïcode case/1", count: 3),
                       "the file stem decodes back to the document key")
        XCTAssertEqual(unicode.sentences[2].drugs, [], "a sentence without drugs is kept")
    }

    func testBratFileNamesEncodeReversibly() {
        for key in ["pmid:10030778", "sample:case-01", "a/b c%d", ".hidden", "ünï", "sha256:ab.cd_ef-1", "x%41"] {
            let stem = BratFormat.encodeFileName(key)
            XCTAssertTrue(stem.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || "0123456789._-%".unicodeScalars.contains($0)) }, stem)
            XCTAssertFalse(stem.hasPrefix("."), "no hidden files: \(stem)")
            XCTAssertEqual(BratFormat.decodeFileName(stem), key)
        }
        XCTAssertEqual(BratFormat.encodeFileName("pmid:10030778"), "pmid%3A10030778")
        XCTAssertNil(BratFormat.decodeFileName("bad%4"))
        XCTAssertNil(BratFormat.decodeFileName("bad%zz"))
        XCTAssertNil(BratFormat.decodeFileName("bad%FF"), "not UTF-8")
    }

    func testBratReadsOtherToolsConventions() throws {
        let dir = try temporaryDirectory(self)
        try write("Aspirin caused tinnitus.\n\nNo drug here.\r\n", to: "doc1.txt", in: dir)
        try write("""
            #1\tAnnotatorNotes T1\tchecked
            R1\tAdverse-drug-event Arg1:T2 Arg2:T1\t
            T1\tAdverse-Effect 15 23\ttinnitus
            T2\tDrug 0 7\tAspirin
            A1\tNegated T2
            N1\tReference T2 RxNorm:1191\tAspirin

            """, to: "doc1.ann", in: dir)
        let batch = try BratFormat.read(path: dir)
        XCTAssertEqual(batch.sentences.map(\.text), ["Aspirin caused tinnitus.", "No drug here."])
        XCTAssertEqual(batch.sentences.map(\.documentKey), ["doc1", "doc1"])
        XCTAssertEqual(batch.sentences[1].docOffset, 26)
        XCTAssertEqual(batch.sentences[0].drugs, [ImportBatch.Drug(
            span: Span(0, 7), text: "Aspirin", normalized: "aspirin",
            ades: [ImportBatch.ADE(span: Span(15, 23), text: "tinnitus")])], "relation in either order, defined before its entities")
    }

    func testBratErrorsNameTheAnnFileAndLine() throws {
        let store = try goldStore()
        let txt = "Aspirin caused tinnitus.\nHeparin was given.\n"
        let drug = "T1\tDrug 0 7\tAspirin\n"
        let ade = "T2\tADE 15 23\ttinnitus\n"
        let rel = "R1\tCauses Arg1:T1 Arg2:T2\n"
        let cases: [(String, Int, String)] = [
            (drug + "T2\tADE 15 23;24 26\ttinnitus\n", 2, "T2: discontinuous span '15 23;24 26' is not supported"),
            (drug + "T2\tADE 15 23\ttinnitis\n" + rel, 2, "T2: the text 'tinnitis' differs from the .txt at [15,23), which reads 'tinnitus'"),
            (drug + "T2\tADE 15 30\ttinnitus. Hepar\n", 2, "T2: span [15,30) does not lie within one line"),
            (drug + "T2\tADE 15 80\tx\n", 2, "T2: span [15,80) is empty or outside the text (44 characters)"),
            (drug + ade + "R1\tCauses Arg1:T1 Arg2:T9\n", 3, "unknown entity T9"),
            (drug + "T2\tDisease 15 23\ttinnitus\n", 2, "T2: unknown entity type 'Disease'"),
            (drug + "T2\tDrug 25 32\tHeparin\nR1\tCauses Arg1:T1 Arg2:T2\n", 3, "T1 and T2 are both Drug entities"),
            (drug + "T3\tADE 15 23\ttinnitus\n", 2, "T3: an ADE needs a relation to the Drug that causes it"),
            (drug + "T2\tADE 15 23\n", 2, "expected 'T<id><TAB><type> <start> <end><TAB><text>', found 2"),
            (drug + "T2\tADE fifteen 23\ttinnitus\n", 2, "T2: expected two integer offsets"),
            (drug + ade + "R1\tCauses T1 T2\n", 3, "R1: expected '<role>:<T id>', found 'T1'"),
            (drug + ade + "Q1\twhat\n", 3, "unknown annotation line"),
            (drug + "T1\tDrug 0 7\tAspirin\n", 2, "T1 is defined twice"),
            ("T1\tDrug 25 32\tHeparin\n" + ade + rel, 3, "T1 and T2 lie on different lines"),
        ]
        for (annText, line, message) in cases {
            try assertImportFails(store, ["doc.txt": txt, "doc.ann": annText], read: "doc.ann",
                                  with: BratFormat.read, line: line, message)
        }
        // A folder: the error names the .ann inside it.
        let dir = try temporaryDirectory(self)
        try write(txt, to: "doc.txt", in: dir)
        let ann = try write(drug + "T2\tAE 15 23\ttinnitus\n", to: "doc.ann", in: dir)
        try assertImportFails(store, path: dir, errorFile: ann, with: BratFormat.read, line: 2,
                              "T2: an ADE needs a relation")
        try assertImportFails(store, ["doc.ann": drug], read: "doc.ann", with: BratFormat.read, line: 0, "no doc.txt beside it")
        try assertImportFails(store, ["notes.md": "x"], read: "", with: BratFormat.read, line: 0, "no .ann files in this folder")
    }

    func testBratExportRefusesAForeignFolderAndReplacesAPreviousExport() throws {
        let store = try goldStore()
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        let parent = try temporaryDirectory(self)
        // The issue's folder: a user's .txt files, which look like brat texts by name.
        let notes = (parent as NSString).appendingPathComponent("notes")
        try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: false)
        try write("dear diary", to: "diary.txt", in: notes)
        try write("buy milk", to: "todo.txt", in: notes)
        XCTAssertThrowsError(try BratFormat.write(views, to: notes)) { error in
            XCTAssertTrue(error is ExportError, "\(error)")
            XCTAssertTrue("\(error)".contains("has no vigil-export.json, so it is not a previous Vigil export"), "\(error)")
            XCTAssertTrue("\(error)".contains("--force"), "\(error)")
        }
        XCTAssertEqual(try entries(notes), ["diary.txt", "todo.txt"])
        XCTAssertEqual(try String(contentsOfFile: (notes as NSString).appendingPathComponent("diary.txt"), encoding: .utf8),
                       "dear diary")
        XCTAssertEqual(try entries(parent), ["notes"], "no temporary folder left")

        let export = (parent as NSString).appendingPathComponent("export")
        try BratFormat.write(views, to: export)
        XCTAssertEqual(try entries(export), ["annotation.conf", "pmid%3A111.ann", "pmid%3A111.txt",
                                             "sample%3A%C3%BCn%C3%AFcode%20case%2F1.ann",
                                             "sample%3A%C3%BCn%C3%AFcode%20case%2F1.txt", "vigil-export.json"])
        let manifest = try XCTUnwrap(ExportManifest.read(in: URL(fileURLWithPath: export)))
        XCTAssertEqual(manifest.format, "brat")
        XCTAssertEqual(Set(manifest.files), Set(try entries(export)).subtracting(["vigil-export.json"]))
        try BratFormat.write(Array(views.prefix(2)), to: export)
        XCTAssertEqual(try entries(export), ["annotation.conf", "pmid%3A111.ann", "pmid%3A111.txt", "vigil-export.json"],
                       "a previous export is replaced, not merged")
        XCTAssertEqual(try entries(parent), ["export", "notes"], "no temporary or old folder left")

        // A file the user put into an export folder belongs to the user.
        try write("my notes", to: "review.txt", in: export)
        XCTAssertThrowsError(try BratFormat.write(views, to: export)) { error in
            XCTAssertTrue("\(error)".contains("'review.txt' is not a file of the previous Vigil export"), "\(error)")
        }
        XCTAssertEqual(try entries(export), ["annotation.conf", "pmid%3A111.ann", "pmid%3A111.txt", "review.txt",
                                             "vigil-export.json"])

        // --force writes into the folder and keeps what it does not write; files of the
        // previous export that the new one does not write go.
        try write("old", to: "sample%3A%C3%BCn%C3%AFcode%20case%2F1.ann", in: notes)
        try BratFormat.write(views, to: notes, force: true)
        XCTAssertEqual(try entries(notes), ["annotation.conf", "diary.txt", "pmid%3A111.ann", "pmid%3A111.txt",
                                            "sample%3A%C3%BCn%C3%AFcode%20case%2F1.ann",
                                            "sample%3A%C3%BCn%C3%AFcode%20case%2F1.txt", "todo.txt", "vigil-export.json"])
        XCTAssertEqual(try String(contentsOfFile: (notes as NSString).appendingPathComponent("todo.txt"), encoding: .utf8),
                       "buy milk")
        try BratFormat.write(Array(views.prefix(2)), to: notes, force: true)
        XCTAssertEqual(try entries(notes), ["annotation.conf", "diary.txt", "pmid%3A111.ann", "pmid%3A111.txt",
                                            "todo.txt", "vigil-export.json"])
        XCTAssertEqual(try entries(parent), ["export", "notes"])
    }

    func testBratExportRefusesAFileAndAForgedManifest() throws {
        let store = try goldStore()
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        let parent = try temporaryDirectory(self)
        let file = try write("x", to: "plain", in: parent)
        XCTAssertThrowsError(try BratFormat.write(views, to: file)) { error in
            XCTAssertEqual("\(error)", "\(file): exists and is not a folder")
        }
        // A manifest that lists a path outside the folder is not a Vigil manifest.
        let folder = (parent as NSString).appendingPathComponent("f")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try write(#"{"vigil_export": 1, "format": "brat", "files": ["../plain", "a.txt"]}"#, to: "vigil-export.json", in: folder)
        try write("mine", to: "a.txt", in: folder)
        XCTAssertThrowsError(try BratFormat.write(views, to: folder))
        XCTAssertEqual(try entries(folder), ["a.txt", "vigil-export.json"])
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "x")
    }

    // MARK: CoNLL

    func testConllRoundTrip() throws {
        try assertRoundTrip(try goldStore(), target: "export.conll", write: ConllFormat.write, read: ConllFormat.read)
    }

    func testConllBlockCutsTokensAtSpanBoundaries() throws {
        let store = try goldStore()
        let path = (try temporaryDirectory(self) as NSString).appendingPathComponent("out.conll")
        try ConllFormat.write(try store.sentenceViews(layer: try store.layer(.gold)), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let blocks = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(blocks.count, 8, "one block per drug mention; the drug-less sentence has none")
        XCTAssertEqual(blocks[0], """
            # doc = pmid:111
            # text = Heparin-induced thrombocytopenia developed after heparin and aspirin.
            # drug = 0 7 Heparin
            # name = heparin
            # pmid = 111
            # doc_offset = 0
            Heparin\t0\t7\tB-DRUG\tB-ADE
            -\t7\t8\tO\tI-ADE
            induced\t8\t15\tO\tI-ADE
            thrombocytopenia\t16\t32\tO\tI-ADE
            developed\t33\t42\tO\tO
            after\t43\t48\tO\tO
            heparin\t49\t56\tO\tO
            and\t57\t60\tO\tO
            aspirin\t61\t68\tO\tO
            .\t68\t69\tO\tO
            """)
        XCTAssertTrue(blocks[7].contains("traite\u{301}\t11\t18\tO\tO\npar\t19\t22\tO\tO\n𝛼\t23\t24\tO\tO\n-\t24\t25\tO\tO\ninterféron\t25\t35\tB-DRUG\tO"),
                      "a combining accent stays in its word; offsets are scalars:\n\(blocks[7])")
        XCTAssertEqual(ConllFormat.tokenize(ScalarText("ab12-cd e"), cuts: [1, 3]),
                       [Span(0, 1), Span(1, 3), Span(3, 4), Span(4, 5), Span(5, 7), Span(8, 9)])
    }

    func testConllErrorsNameFileAndLine() throws {
        let store = try goldStore()
        let head = "# doc = d\n# text = Aspirin caused tinnitus.\n# drug = 0 7 Aspirin\n"
        let tokens = "Aspirin\t0\t7\tB-DRUG\tO\ncaused\t8\t14\tO\tO\ntinnitus\t15\t23\tO\tB-ADE\n.\t23\t24\tO\tO\n"
        let cases: [(String, Int, String)] = [
            (head + "Aspirin\t0\t7\tB-DRUG\tO\ncaused\t8\t15\tO\tO\n", 5, "token 'caused': span [8,15) covers \"caused \", not \"caused\""),
            (head + "Aspirin\t0\t7\tB-DRUG\tO\ntinnitus\t15\t40\tO\tB-ADE\n", 5, "token 'tinnitus': span [15,40) is empty or outside the text"),
            (head + "Aspirin\t0\t7\tB-DRUG\tO\ncaused\tx\t14\tO\tO\n", 5, "token offsets 'x' and '14' must be integers"),
            (head + "Aspirin\t0\t7\tB-DRUG\n", 4, "expected 5 tab-separated columns"),
            (head + "Aspirin\t0\t7\tB-DRUG\tO\ntinnitus\t15\t23\tO\tB-AE\n", 5, "unknown tag 'B-AE'"),
            (head + "Aspirin\t0\t7\tB-DRUG\tO\ntinnitus\t15\t23\tO\tI-ADE\n", 5, "I-ADE does not continue a B-ADE or I-ADE token"),
            ("# doc = d\n" + tokens, 1, "the block has no '# text = ' line"),
            (tokens + "\n" + head + tokens, 1, "the block has no '# doc = ' line"),
            (head + tokens + "\n" + head + tokens, 9, "the drug [0,7) of this sentence already has a block (line 1)"),
            ("# doc = d\n# text = Aspirin caused tinnitus.\n# drug = 0 7 aspirin\n" + tokens, 3, #"drug: span [0,7) covers "Aspirin", not "aspirin""#),
            ("# doc = d\n# text = Aspirin caused tinnitus.\n# drug = 15 23 tinnitus\n" + tokens, 3,
             "the DRUG column marks [0,7), not the declared drug [15,23)"),
            (head + tokens + "# name = late\n", 8, "a comment line after the token lines"),
            (head + "caused\t8\t14\tO\tO\nAspirin\t0\t7\tB-DRUG\tO\n", 5, "token [0,7) overlaps or precedes the token before it"),
            ("\n\n", 0, "the file has no blocks"),
        ]
        for (contents, line, message) in cases {
            try assertImportFails(store, ["bad.conll": contents], read: "bad.conll", with: ConllFormat.read, line: line, message)
        }
    }

    func testConllReadsBlocksWithoutOptionalLines() throws {
        let path = try write("""
            # doc = pmid:5
            # text = Aspirin and heparin caused rash.
            Aspirin\t0\t7\tB-DRUG\tO
            rash\t27\t31\tO\tB-ADE

            # doc = pmid:5
            # text = Aspirin and heparin caused rash.
            # drug = 12 19 heparin
            # name = Heparin  Sodium
            heparin\t12\t19\tB-DRUG\tO
            """, to: "x.conll", in: try temporaryDirectory(self))
        let batch = try ConllFormat.read(path: path)
        XCTAssertEqual(batch.sentences.count, 1, "blocks of one sentence are merged")
        let s = batch.sentences[0]
        XCTAssertEqual(s.pmid, "5", "the PMID comes from a pmid: document key")
        XCTAssertEqual(s.drugs.map(\.span), [Span(0, 7), Span(12, 19)])
        XCTAssertEqual(s.drugs.map(\.normalized), ["aspirin", "Heparin Sodium"])
        XCTAssertEqual(s.drugs[0].ades.map(\.span), [Span(27, 31)])
        XCTAssertEqual(s.drugs[1].ades, [])
    }

    func testConllWriterRejectsWhatBIOCannotHold() throws {
        func view(_ text: String, drug: Span, ades: [Span]) -> SentenceView {
            SentenceView(id: 42, documentKey: "d", pmid: nil, docOffset: nil, text: text, drugs: [
                SentenceView.Drug(mentionID: 1, span: drug, text: ScalarText(text)[drug], normalized: "x", ades: ades, review: .pending)])
        }
        let dir = try temporaryDirectory(self)
        let path = (dir as NSString).appendingPathComponent("out.conll")
        let cases: [(SentenceView, String)] = [
            (view("Aspirin caused rash.", drug: Span(0, 7), ades: [Span(14, 19)]), "sentence 42: span [14,19) \" rash\" starts or ends with whitespace"),
            (view("Aspirin caused skin rash.", drug: Span(0, 7), ades: [Span(15, 24), Span(20, 24)]),
             "sentence 42: drug [0,7) \"Aspirin\" has overlapping ADE spans [15,24) and [20,24)"),
            (view("Aspirin\ncaused rash.", drug: Span(0, 7), ades: []), "sentence 42: its text or document key has a line break"),
        ]
        for (bad, message) in cases {
            XCTAssertThrowsError(try ConllFormat.write([bad], to: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path): \(message)"), "\(error)")
            }
            XCTAssertEqual(try entries(dir), [], "a failed export writes nothing")
        }
    }

    // MARK: ADE corpus (.rel)

    func testRelRoundTrip() throws {
        try assertRoundTrip(try goldStore(), target: "DRUG-AE.rel", write: ADECorpusFormat.write, read: ADECorpusFormat.read)
    }

    func testRelWriterUsesDocumentOffsetsAndThePMID() throws {
        let store = try goldStore()
        let path = (try temporaryDirectory(self) as NSString).appendingPathComponent("DRUG-AE.rel")
        try ADECorpusFormat.write(try store.sentenceViews(layer: try store.layer(.gold)), to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 8, "one line per (drug, ADE) pair")
        XCTAssertTrue(lines.contains("111|Rash appeared after amoxicillin; a second rash and fever followed amoxicillin again.|rash|112|116|amoxicillin|136|147"),
                      lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("sample:ünïcode case/1|Le patient traite\u{301} par 𝛼-interféron a présenté une fièvre.|fièvre|51|57|interféron|25|35") },
                      "without a PMID the document key is written; without a doc offset, sentence offsets")
    }

    func testRelWriterRejectsAPipeAndWritesNothing() throws {
        let store = try goldStore("""
            {"doc": "pmid:9", "text": "Aspirin | caused rash.", "drugs": [{"start": 0, "end": 7, "ades": [{"start": 17, "end": 21}]}]}
            """)
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        let dir = try temporaryDirectory(self)
        let path = (dir as NSString).appendingPathComponent("DRUG-AE.rel")
        XCTAssertThrowsError(try ADECorpusFormat.write(views, to: path)) { error in
            XCTAssertEqual("\(error)", "\(path): sentence \(views[0].id): its text contains '|' or a line break, which the .rel format cannot hold")
        }
        XCTAssertEqual(try entries(dir), [], "no partial or temporary file")
    }

    // MARK: Plain text

    func testTextImportSplitsParagraphsIntoContentAddressedDocuments() throws {
        let dir = try temporaryDirectory(self)
        let lexiconPath = try write("# drugs\nAspirin\nwarfarin\tWarfarin Sodium\n", to: "lex.tsv", in: dir)
        let text = try write("Aspirin caused rash. The weather was fine.\nWarfarin was\nstopped.\n\n\n  \nNo drug here. Nor here.\n",
                             to: "a.txt", in: dir)
        let lexicon = try TextFormat.loadLexicon(path: lexiconPath)
        let batch = try TextFormat.read(paths: [text], lexicon: lexicon)
        XCTAssertEqual(batch.format, "text")
        XCTAssertFalse(batch.isLabeled, "lexicon drugs are unjudged, not 'no ADE'")
        XCTAssertEqual(batch.sentences.map(\.text), ["Aspirin caused rash.", "Warfarin was stopped."],
                       "drug-less sentences dropped; a line break inside a sentence reads as a space")
        let paragraph = "Aspirin caused rash. The weather was fine.\nWarfarin was\nstopped."
        XCTAssertEqual(batch.sentences[0].documentKey, "sha256:\(FormatSupport.sha256(paragraph))")
        XCTAssertEqual(batch.sentences.map(\.docOffset), [0, 43])
        XCTAssertEqual(batch.sentences.map(\.documentPosition), [0, 0])
        XCTAssertEqual(batch.sentences[0].file, text)
        XCTAssertEqual(batch.sentences[1].drugs, [ImportBatch.Drug(span: Span(0, 8), text: "Warfarin", normalized: "Warfarin Sodium",
                                                                   origin: "lexicon")])
        let all = try TextFormat.read(paths: [text], lexicon: lexicon, keepDrugless: true)
        XCTAssertEqual(all.sentences.count, 5)
        XCTAssertEqual(all.sentences.last?.documentPosition, 1)
        XCTAssertNotEqual(all.sha256, batch.sha256, "keepDrugless is a different import")
    }

    func testTextImportErrorsNameFileAndLine() throws {
        let store = try goldStore()
        let dir = try temporaryDirectory(self)
        let lexiconPath = try write("Aspirin\n\nwarfarin\tWarfarin\textra\n", to: "lex.tsv", in: dir)
        XCTAssertThrowsError(try TextFormat.readLexicon(path: lexiconPath)) { error in
            XCTAssertEqual(error as? ImportError, ImportError(file: lexiconPath, line: 3,
                "expected `name` or `name<TAB>normalized name`, found 3 tab-separated fields"))
        }
        let badLexicon = (dir as NSString).appendingPathComponent("bad-lex.tsv")
        try Data([0x61, 0x0A, 0x62, 0xC3, 0x0A]).write(to: URL(fileURLWithPath: badLexicon))
        XCTAssertThrowsError(try TextFormat.readLexicon(path: badLexicon)) { error in
            XCTAssertEqual("\(error)", "\(badLexicon):2: invalid UTF-8")
        }

        var lexicon = DrugLexicon()
        lexicon.add("aspirin")
        let textPath = (dir as NSString).appendingPathComponent("bad.txt")
        try Data("Aspirin helps.\n\nIt was".utf8 + [0xE2, 0x82] + Data(" fine.\n".utf8)).write(to: URL(fileURLWithPath: textPath))
        try assertImportFails(store, path: textPath, errorFile: nil,
                              with: { try TextFormat.read(paths: [$0], lexicon: lexicon, lexiconHash: "x") },
                              line: 3, "invalid UTF-8")
    }

    // MARK: Sample data

    /// A file of SampleData/, or a skip naming it.
    private func sample(_ name: String) throws -> String {
        let path = ((packageRoot as NSString).appendingPathComponent("SampleData") as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("SKIPPED: \(path) is missing") }
        return path
    }

    func testSampleGoldImportsCleanlyAndRoundTripsThroughEveryFormat() throws {
        let path = try sample("gold.jsonl")
        // Counted independently of the reader.
        var sentences = 0, mentions = 0, pairs = 0
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let drugs = object["drugs"] as! [[String: Any]]
            sentences += 1
            mentions += drugs.count
            pairs += drugs.reduce(0) { $0 + ($1["ades"] as! [Any]).count }
        }
        let store = try temporaryStore(self)
        let summary = try store.ingest(try JSONLFormat.read(path: path), into: .gold)
        XCTAssertEqual(summary.sentences, sentences)
        XCTAssertEqual(summary.drugMentions, mentions)
        XCTAssertEqual(summary.ades, pairs)

        try assertRoundTrip(store, target: "g.jsonl", write: JSONLFormat.write, read: JSONLFormat.read)
        try assertRoundTrip(store, target: "brat", write: BratFormat.write, read: BratFormat.read)
        try assertRoundTrip(store, target: "g.conll", write: ConllFormat.write, read: ConllFormat.read)
        try assertRoundTrip(store, target: "DRUG-AE.rel", write: ADECorpusFormat.write, read: ADECorpusFormat.read)
    }

    func testSampleLexiconReads() throws {
        let lexicon = try TextFormat.readLexicon(path: try sample("lexicon.tsv"))
        XCTAssertGreaterThan(lexicon.count, 0)
        XCTAssertNotNil(lexicon.normalized(for: "amiodarone"))
    }

    func testSampleAbstractsImportDropsDruglessSentencesAndIsIdempotent() throws {
        let abstracts = try sample("abstracts.txt")
        let lexicon = try TextFormat.loadLexicon(path: try sample("lexicon.tsv"))
        let store = try temporaryStore(self)

        let batch = try TextFormat.read(paths: [abstracts], lexicon: lexicon)
        XCTAssertFalse(batch.sentences.isEmpty)
        XCTAssertTrue(batch.sentences.allSatisfy { !$0.drugs.isEmpty }, "drug-less sentences are dropped")
        XCTAssertTrue(batch.sentences.allSatisfy { $0.drugs.allSatisfy { $0.origin == "lexicon" && $0.ades.isEmpty } })
        XCTAssertEqual(Set(batch.sentences.map(\.documentKey)).count, 6, "six abstracts, six documents")
        let first = try store.ingest(batch, into: .gold)
        XCTAssertEqual(first.sentences, batch.sentences.count)
        let afterFirst = try fingerprint(store)

        let again = try store.ingest(try TextFormat.read(paths: [abstracts], lexicon: lexicon), into: .gold)
        XCTAssertEqual(again.sentences + again.drugMentions + again.documents, 0, "a second import adds nothing")
        XCTAssertEqual(try fingerprint(store), afterFirst)

        let all = try TextFormat.read(paths: [abstracts], lexicon: lexicon, keepDrugless: true)
        XCTAssertGreaterThan(all.sentences.count, batch.sentences.count, "keepDrugless keeps the drug-less sentences")
        XCTAssertTrue(all.sentences.contains { $0.drugs.isEmpty })
        let kept = try store.ingest(all, into: .gold)
        XCTAssertEqual(kept.sentences, all.sentences.count - batch.sentences.count, "only the drug-less sentences are new")
        XCTAssertEqual(kept.drugMentions, 0)
        XCTAssertEqual(kept.documents, 0, "the same paragraphs are the same documents")

        if let expected = try? String(contentsOfFile: try sample("abstracts.expected.tsv"), encoding: .utf8) {
            let rows = expected.split(separator: "\n").filter { !$0.hasPrefix("#") }
            XCTAssertEqual(all.sentences.map(\.text), rows.map { String($0.split(separator: "\t", maxSplits: 1)[1]) },
                           "sentences as the splitter's ground truth has them")
        }
    }
}
