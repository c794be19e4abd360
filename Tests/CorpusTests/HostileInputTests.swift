import Core
import Foundation
import XCTest
@testable import Corpus

/// Input a hostile user or a broken tool would produce (issue 24, defects 4 and 9): every
/// reader answers with an `ImportError` naming the file and line, never a trap, a raw
/// SQLite or Cocoa message, or a silent loss; exports check their offset arithmetic.
final class HostileInputTests: XCTestCase {
    /// Reads `contents` as `name` with `reader` and checks the error starts with
    /// `<path>:<line>: <message>` (or `<path>: <message>` for line 0).
    private func assertReadFails(_ contents: String, as name: String, with reader: (String) throws -> ImportBatch,
                                 line: Int, _ message: String, file: StaticString = #filePath, sourceLine: UInt = #line) throws {
        let path = try write(contents, to: name, in: try temporaryDirectory(self))
        try assertReadFails(path: path, with: reader, line: line, message, file: file, sourceLine: sourceLine)
    }

    private func assertReadFails(path: String, errorFile: String? = nil, with reader: (String) throws -> ImportBatch,
                                 line: Int, _ message: String, file: StaticString = #filePath, sourceLine: UInt = #line) throws {
        XCTAssertThrowsError(try reader(path), file: file, line: sourceLine) { error in
            let where_ = errorFile ?? path
            let expected = line > 0 ? "\(where_):\(line): \(message)" : "\(where_): \(message)"
            XCTAssertTrue(error is ImportError, "\(type(of: error)): \(error)", file: file, line: sourceLine)
            XCTAssertTrue("\(error)".hasPrefix(expected), "got: \(error)\nexpected prefix: \(expected)",
                          file: file, line: sourceLine)
        }
    }

    // MARK: Offsets (defect 4)

    func testJSONLRejectsADocumentOffsetThatOverflows() throws {
        let good = #"{"doc": "d", "doc_offset": 3, "text": "Aspirin caused rash.", "drugs": [{"start": 0, "end": 7}]}"#
        let bad = #"{"doc": "d", "doc_offset": 9223372036854775807, "text": "Aspirin caused rash.", "drugs": [{"start": 0, "end": 7, "ades": [{"start": 15, "end": 19}]}]}"#
        try assertReadFails(good + "\n" + bad + "\n", as: "big.jsonl", with: JSONLFormat.read, line: 2,
                            #""doc_offset" 9223372036854775807 plus the sentence's 20 characters passes the largest document offset"#)
        let edge = #"{"doc": "d", "doc_offset": 2147483627, "text": "Aspirin caused rash.", "drugs": [{"start": 0, "end": 7}]}"#
        let path = try write(edge + "\n", to: "edge.jsonl", in: try temporaryDirectory(self))
        XCTAssertEqual(try JSONLFormat.read(path: path).sentences.first?.docOffset, 2_147_483_627,
                       "a sentence ending exactly at the largest document offset is accepted")
        try assertReadFails(edge.replacingOccurrences(of: "2147483627", with: "2147483628") + "\n", as: "edge.jsonl",
                            with: JSONLFormat.read, line: 1, #""doc_offset" 2147483628 plus"#)
    }

    func testConllAndRelRejectOffsetsPastTheLargestDocument() throws {
        let conll = """
            # doc = d
            # doc_offset = 9223372036854775800
            # text = Aspirin caused rash.
            Aspirin\t0\t7\tB-DRUG\tO
            rash\t15\t19\tO\tB-ADE

            """
        try assertReadFails(conll, as: "big.conll", with: ConllFormat.read, line: 2,
                            "'# doc_offset' 9223372036854775800 plus the sentence's 20 characters passes")
        let rel = "1|Aspirin caused rash.|rash|9223372036854775800|9223372036854775804|Aspirin|9223372036854775785|9223372036854775792\n"
        try assertReadFails(rel, as: "big.rel", with: ADECorpusFormat.read, line: 1,
                            "adverse effect offsets 9223372036854775800..9223372036854775804 are out of range")
    }

    func testRelExportOfAnOverflowingOffsetIsAnErrorNamingTheSentence() throws {
        let text = "Aspirin caused rash."
        let view = SentenceView(id: 17, documentKey: "pmid:1", pmid: "1", docOffset: Int.max - 10, text: text, drugs: [
            SentenceView.Drug(mentionID: 1, span: Span(0, 7), text: "Aspirin", normalized: "aspirin",
                              ades: [Span(15, 19)], review: .accepted)])
        let dir = try temporaryDirectory(self)
        let path = (dir as NSString).appendingPathComponent("out.rel")
        try write("previous export\n", to: "out.rel", in: dir)
        XCTAssertThrowsError(try ADECorpusFormat.write([view], to: path)) { error in
            XCTAssertTrue(error is ExportError, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("\(path): sentence 17: its document offset \(Int.max - 10) plus a span overflows"),
                          "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "previous export\n", "the old file is kept")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.rel"], "no temporary file left")
    }

    // MARK: Smaller defects (9)

    func testNULByteInARelSentenceIsAnErrorWithFileLineAndCharacter() throws {
        let rel = "1|Aspirin caused rash.|rash|15|19|Aspirin|0|7\n2|Aspirin\u{0} caused rash.|rash|16|20|Aspirin|0|7\n"
        try assertReadFails(rel, as: "nul.rel", with: ADECorpusFormat.read, line: 2, "a NUL byte (U+0000) at character 10")
        let jsonl = #"{"doc": "d", "text": "Aspirin\u0000 caused rash."}"# + "\n"
        try assertReadFails(jsonl, as: "nul.jsonl", with: JSONLFormat.read, line: 1, #""text" holds a NUL character"#)
    }

    func testAFolderGivenAsAFileIsAClearError() throws {
        let dir = try temporaryDirectory(self)
        let folder = (dir as NSString).appendingPathComponent("corpus.jsonl")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try assertReadFails(path: folder, with: JSONLFormat.read, line: 0, "is a folder, expected a file")
        try assertReadFails(path: folder, with: ConllFormat.read, line: 0, "is a folder, expected a file")
        XCTAssertThrowsError(try TextFormat.loadLexicon(path: folder)) { error in
            XCTAssertEqual("\(error)", "\(folder): is a folder, expected a file")
        }
        XCTAssertThrowsError(try PubMedXML.read(path: folder)) { error in
            XCTAssertEqual("\(error)", "\(folder): is a folder, expected a file")
        }
        let missing = (dir as NSString).appendingPathComponent("missing.jsonl")
        try assertReadFails(path: missing, with: JSONLFormat.read, line: 0, "no such file")
    }

    func testBratFolderWithAHiddenAnnFileReportsIt() throws {
        let dir = try temporaryDirectory(self)
        try write("Aspirin caused rash.\n", to: "doc.txt", in: dir)
        try write("T1\tDrug 0 7\tAspirin\n", to: "doc.ann", in: dir)
        // A key '../x' written without escaping its leading '.' (another tool's export).
        try write("Heparin caused bleeding.\n", to: "..%2Fx.txt", in: dir)
        try write("T1\tDrug 0 7\tHeparin\n", to: "..%2Fx.ann", in: dir)
        let hidden = (dir as NSString).appendingPathComponent("..%2Fx.ann")
        try assertReadFails(path: dir, errorFile: hidden, with: BratFormat.read, line: 0,
                            "a file name starting with '.' is hidden, not a document")
        try FileManager.default.removeItem(atPath: hidden)
        XCTAssertEqual(try BratFormat.read(path: dir).sentences.map(\.text), ["Aspirin caused rash."],
                       "a hidden .txt without an .ann is not a document")
    }

    func testLoneSurrogateInJSONLNamesFileAndLine() throws {
        let good = #"{"doc": "d", "text": "Aspirin \ud83d\ude00 caused rash \u00e9."}"#
        let bad = #"{"doc": "d", "text": "Aspirin caused \ud800 rash."}"#
        try assertReadFails(good + "\n" + bad + "\n", as: "s.jsonl", with: JSONLFormat.read, line: 2,
                            #"invalid JSON: the escape \ud800 at character 38 is a lone UTF-16 surrogate"#)
        let low = #"{"doc": "d", "text": "a\\\udc00"}"#
        try assertReadFails(low + "\n", as: "s.jsonl", with: JSONLFormat.read, line: 1,
                            #"invalid JSON: the escape \udc00 at character 26 is a lone UTF-16 surrogate"#)
        let path = try write(good + "\n", to: "ok.jsonl", in: try temporaryDirectory(self))
        XCTAssertEqual(try JSONLFormat.read(path: path).sentences.first?.text, "Aspirin 😀 caused rash é.",
                       "a surrogate pair is one character")
        XCTAssertNil(JSONValue.loneSurrogate(in: #"{"a": "\\ud800"}"#), "an escaped backslash is not an escape")
    }

    func testPubMedXMLWithAnEntityDeclarationIsRefusedAndTheEntityNotRead() throws {
        let dir = try temporaryDirectory(self)
        let secret = try write("TOPSECRET", to: "secret.txt", in: dir)
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE PubmedArticleSet [
              <!ENTITY ext SYSTEM "file://\(secret)">
            ]>
            <PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
            <ArticleTitle>Warfarin &ext; and then bleeding.</ArticleTitle></Article></MedlineCitation></PubmedArticle>
            </PubmedArticleSet>
            """
        XCTAssertThrowsError(try PubMedXML.parse(Data(xml.utf8), file: "ent.xml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("ent.xml:3: the file declares an XML entity"), "\(error)")
            XCTAssertFalse("\(error)".contains("TOPSECRET"))
        }
        let plain = xml.replacingOccurrences(of: "&ext; ", with: "")
            .replacingOccurrences(of: "<!ENTITY ext SYSTEM \"file://\(secret)\">", with: "")
        XCTAssertEqual(try PubMedXML.parse(Data(plain.utf8), file: "ok.xml").map(\.title), ["Warfarin and then bleeding."])
        XCTAssertNil(PubMedXML.entityDeclarationLine(Data("<PubmedArticleSet><PubmedArticle>&lt;!ENTITY".utf8)))
    }

    func testALineLongerThanTheLimitIsAnErrorNamingIt() throws {
        let long = #"{"doc": "d", "text": ""# + String(repeating: "a", count: InputFile.maxLineBytes) + #""}"#
        let good = #"{"doc": "d", "text": "Aspirin caused rash."}"#
        try assertReadFails(good + "\n" + long + "\n", as: "long.jsonl", with: JSONLFormat.read, line: 2,
                            "the line is longer than 1048576 bytes")
        let exact = String(repeating: "b", count: 10)
        let path = try write(exact + "\n" + exact, to: "ten.txt", in: try temporaryDirectory(self))
        XCTAssertEqual(try InputFile(path: path, maxLineBytes: 10).lines.count, 2, "a line of exactly the limit is read")
        XCTAssertThrowsError(try InputFile(path: path, maxLineBytes: 9)) { error in
            XCTAssertEqual("\(error)", "\(path):1: the line is longer than 9 bytes, the limit for one line (one sentence, record or name)")
        }
    }

    // MARK: Found by `make fuzz` (Fuzz/VigilFuzz, docs/testing.md)

    /// The fuzzer's reproducer (target pubmed): an element name with a byte that is not UTF-8
    /// (0xC7 before `S`) made FoundationXML trap inside the parser instead of reporting an error.
    func testPubMedXMLWithAnElementNameThatIsNotUTF8IsAnErrorNotATrap() throws {
        var bytes = Array(#"""
            <?xml version="1.0" encoding="UTF-8"?>
            <PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">990001</PMID>
            <Article><ArticleTitle>Rash after lamotrigine in a child.</ArticleTitle><Abstract><AbstractText Label="CASE">A rash.</AbstractText>

            """#.utf8)
        bytes += Array("<AbstractText".utf8) + [0xC7] + Array("Second &amp; <i>part</i>.</AbstragtText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n".utf8)
        XCTAssertThrowsError(try PubMedXML.parse(Data(bytes), file: "fuzz.xml")) { error in
            XCTAssertEqual("\(error)", "fuzz.xml:4: invalid UTF-8 (PubMed XML is read as UTF-8)")
        }
        XCTAssertEqual(FormatSupport.invalidUTF8Line(Data("<a>é</a>\n<b/>".utf8)), nil)
        XCTAssertEqual(FormatSupport.invalidUTF8Line(Data([0x3C, 0x61, 0x3E, 0x0A, 0x0A, 0xFF])), 3)
    }

    /// The same in BioC XML, whose reader uses the same parser.
    func testBioCXMLThatIsNotUTF8IsAnErrorNotATrap() throws {
        let bytes = Array("<collection><source>s</source>\n<document><id>1</id><passage".utf8) + [0xC7]
            + Array("S><offset>0</offset><text>A rash.</text></passage></document></collection>\n".utf8)
        XCTAssertThrowsError(try BioCFormat.parse(Data(bytes), file: "fuzz.xml")) { error in
            XCTAssertEqual("\(error)", "fuzz.xml:2: invalid UTF-8 (BioC XML is read as UTF-8)")
        }
    }

    /// The fuzzer's reproducers (targets pubmed and bioc): a processing instruction without data
    /// (`<?x?>`) crashed FoundationXML (a null C string). Refused, naming the line; one with data,
    /// or `<?x?>` inside a comment or CDATA section, is not.
    func testAProcessingInstructionWithoutDataIsAnErrorNotACrash() throws {
        let pubmed = Data([0x3C, 0x3F, 0x78, 0x3F, 0x3E, 0x0A] + Array("odi[ng=\"UTF-6\"?>\n<ic/".utf8) + [0x0E, 0x0E, 0x00, 0x00])
        XCTAssertThrowsError(try PubMedXML.parse(pubmed, file: "pi.xml")) { error in
            XCTAssertEqual("\(error)", "pi.xml:1: a processing instruction without data (<?NAME?>), which the XML parser cannot read")
        }
        let bioc = Data("<?xml version=\"1.0\"?>\n<collection><source>s</source>\n<?vigil?><document/></collection>\n".utf8)
        XCTAssertThrowsError(try BioCFormat.parse(bioc, file: "pi.xml")) { error in
            XCTAssertEqual("\(error)", "pi.xml:3: a processing instruction without data (<?NAME?>), which the XML parser cannot read")
        }
        for fine in ["<?xml version=\"1.0\"?><a/>", "<a><?x data?></a>", "<a><!-- <?x?> --></a>", "<a><![CDATA[<?x?>]]></a>", "<a>?></a>"] {
            XCTAssertNil(FormatSupport.emptyProcessingInstructionLine(Data(fine.utf8)), fine)
        }
        let plain = "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T.</ArticleTitle>"
            + "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
        XCTAssertEqual(try PubMedXML.parse(Data(("<?xml-stylesheet href=\"s.css\"?>\n" + plain).utf8), file: "ok.xml").count, 1)
    }
}
