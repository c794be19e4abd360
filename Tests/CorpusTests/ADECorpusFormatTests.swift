import Core
import XCTest
@testable import Corpus

/// Reading DRUG-AE.rel and ADE-NEG.txt: document offsets, duplicates, and errors that
/// name the file and line and import nothing.
final class ADECorpusFormatTests: XCTestCase {
    private func corpus(rel: String, neg: String? = nil) throws -> String {
        let dir = try temporaryDirectory(self)
        try write(rel, to: "DRUG-AE.rel", in: dir)
        if let neg { try write(neg, to: "ADE-NEG.txt", in: dir) }
        return dir
    }

    // Sentence starts at document offset 8 ("111\n\nT\n\n" is 8 characters long, say).
    private let good = """
        111|Rash after amoxicillin and rash again.|Rash|8|12|amoxicillin|19|30
        111|Rash after amoxicillin and rash again.|rash|35|39|amoxicillin|19|30
        222|Lithium toxicity.|Lithium toxicity|5|21|Lithium|5|12

        """

    func testDocumentOffsetsBecomeSentenceOffsets() throws {
        let batch = try ADECorpusFormat.read(path: try corpus(rel: good))
        XCTAssertEqual(batch.sentences.count, 2)
        let s = batch.sentences[0]
        XCTAssertEqual(s.documentKey, "pmid:111")
        XCTAssertEqual(s.docOffset, 8)
        XCTAssertEqual(s.drugs.map(\.span), [Span(11, 22)])
        XCTAssertEqual(s.drugs[0].ades.map(\.span), [Span(0, 4), Span(27, 31)])
        XCTAssertEqual(batch.sentences[1].drugs[0].ades.map(\.span), [Span(0, 16)], "drug nested in its ADE")
    }

    func testRepeatedStringIsPlacedByTheGroupsSentenceStart() throws {
        // "X" occurs at 5 and 29, "rash" at 8 and 19. Searching each string alone is ambiguous;
        // only the sentence start 10 explains all four mentions of the group.
        let batch = try ADECorpusFormat.read(path: try corpus(rel: """
            9|Drug X: rash, then rash with X.|rash|29|33|X|15|16
            9|Drug X: rash, then rash with X.|rash|18|22|X|39|40

            """))
        let s = batch.sentences[0]
        XCTAssertEqual(s.docOffset, 10)
        XCTAssertEqual(s.drugs.map(\.span), [Span(5, 6), Span(29, 30)])
        XCTAssertEqual(s.drugs[0].ades.map(\.span), [Span(19, 23)])
        XCTAssertEqual(s.drugs[1].ades.map(\.span), [Span(8, 12)])
    }

    func testErrorsNameFileAndLine() throws {
        let cases: [(String, String)] = [
            ("111|too few|fields\n", ":1: expected 8 '|'-separated fields"),
            (good + "333|Sentence.|x|a|b|Sentence|0|8\n", ":4: adverse effect offsets 'a' and 'b' must be integers"),
            (good + "333|Sentence here.|here|9|5|Sentence|0|8\n", ":4: adverse effect offsets 9..5 are out of range"),
            (good + "333|Sentence here.|here|9|14|Sentence|0|8\n", ":4: adverse effect offsets 9..14 span 5 characters but 'here' has 4"),
            (good + "333|Sentence here.|gone|9|13|Sentence|0|8\n", ":4: 'gone' at document offset 9 does not occur"),
            (good + "333|Sentence here.|here|20|24|Sentence|0|8\n", ":4: no single sentence start puts all mentions"),
        ]
        for (rel, expected) in cases {
            let dir = try corpus(rel: rel)
            XCTAssertThrowsError(try ADECorpusFormat.read(path: dir)) { error in
                XCTAssertTrue("\(error)".hasPrefix(dir + "/DRUG-AE.rel" + expected), "\(error)")
            }
        }
    }

    func testInvalidUTF8IsAnErrorOnItsLine() throws {
        let dir = try temporaryDirectory(self)
        var bytes = Array(good.utf8)
        bytes += Array("444|Bad \u{FF}".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("|x|0|1|y|1|2\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/DRUG-AE.rel"))
        XCTAssertThrowsError(try ADECorpusFormat.read(path: dir)) {
            XCTAssertEqual("\($0)", dir + "/DRUG-AE.rel:4: invalid UTF-8")
        }
    }

    func testEmptyFileAndMissingFileAreErrors() throws {
        XCTAssertThrowsError(try ADECorpusFormat.read(path: try corpus(rel: ""))) {
            XCTAssertTrue("\($0)".hasSuffix("DRUG-AE.rel: the file is empty"), "\($0)")
        }
        XCTAssertThrowsError(try ADECorpusFormat.read(path: "/nonexistent/vigil")) {
            XCTAssertEqual("\($0)", "/nonexistent/vigil: no such file or folder")
        }
    }

    func testNegativeLinesAreReadOnceAndValidated() throws {
        let neg = "111 NEG No drug here.\n555 NEG Fragment).\n555 NEG Fragment).\n"
        let batch = try ADECorpusFormat.read(path: try corpus(rel: good, neg: neg))
        XCTAssertEqual(batch.sentences.count, 4)
        XCTAssertEqual(batch.sentences.filter { $0.drugs.isEmpty }.map(\.text), ["No drug here.", "Fragment)."])
        let bad = try corpus(rel: good, neg: "111 NEG fine.\n111 POS not fine.\n")
        XCTAssertThrowsError(try ADECorpusFormat.read(path: bad)) {
            XCTAssertEqual("\($0)", bad + "/ADE-NEG.txt:2: expected 'PMID NEG sentence'")
        }
    }

    func testAFailedImportImportsNothing() throws {
        let store = try temporaryStore(self)
        let dir = try corpus(rel: good + "broken line\n")
        XCTAssertThrowsError(try store.ingest(try ADECorpusFormat.read(path: dir), into: .gold))
        XCTAssertEqual(try store.stats().sentences, 0)
    }
}
