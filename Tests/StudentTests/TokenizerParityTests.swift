import Core
import XCTest
@testable import Student

/// WordPiece tokens, ids and offsets against Hugging Face's fast tokenizer.
final class TokenizerParityTests: XCTestCase {
    func check(_ tokenizer: WordPieceTokenizer, _ cases: [Fixtures.Case]) {
        for c in cases {
            let encoded = tokenizer.encode(c.text)
            XCTAssertEqual(encoded.map(\.token), c.tokens, c.text)
            XCTAssertEqual(encoded.map(\.id), c.ids, c.text)
            XCTAssertEqual(encoded.map { [$0.span.start, $0.span.end] }, c.offsets, c.text)
        }
    }

    func testTinyVocabularyMatchesTransformers() throws {
        let config = try BertConfig.load(directory: Fixtures.tinyBERT)
        check(try WordPieceTokenizer(directory: Fixtures.tinyBERT, config: config), try Fixtures.cases("tiny-bert-expected.json"))
    }

    /// Accents, punctuation, hyphenated drug names, units, Greek letters, an over-long word, CJK, tabs.
    func testMiniLMVocabularyMatchesTransformers() throws {
        let path = try Fixtures.minilm()
        let config = try BertConfig.load(directory: path)
        check(try WordPieceTokenizer(directory: path, config: config), try Fixtures.cases("minilm-expected.json"))
    }

    func testOffsetsPointIntoTheOriginalText() throws {
        let config = try BertConfig.load(directory: Fixtures.tinyBERT)
        let tokenizer = try WordPieceTokenizer(directory: Fixtures.tinyBERT, config: config)
        let text = "MÉTHOTREXATE-induced hepatitis"
        let scalars = ScalarText(text)
        let pieces = tokenizer.pieces(text)
        XCTAssertEqual(scalars[pieces[0].span], "MÉTHO", "accented upper case maps back to the original scalars")
        XCTAssertEqual(pieces.last.map { scalars[$0.span] }, "itis")
    }

    func testControlCharactersVanishAndOverLongWordsAreUnknown() {
        let tokenizer = WordPieceTokenizer(vocabulary: Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "##a"]),
                                           lowercase: true)
        XCTAssertEqual(tokenizer.pieces("a\u{0}a\u{200B}a").map(\.token), ["a", "##a", "##a"])
        let long = tokenizer.pieces(String(repeating: "a", count: 101) + " a")
        XCTAssertEqual(long.map(\.token), ["[UNK]", "a"])
        XCTAssertEqual(long[0].span, Span(0, 101))
        XCTAssertEqual(tokenizer.pieces("ab").map(\.token), ["[UNK]"], "a word with an unmatched part is one [UNK]")
    }

    func testSlidingWindowsCoverLongSentencesWithOverlap() {
        let tokenizer = WordPieceTokenizer(vocabulary: Vocabulary(tokens: ["[UNK]", "[CLS]", "[SEP]"]), lowercase: true,
                                           maxLength: 10)
        XCTAssertEqual(tokenizer.windows(count: 8), [0..<8])
        let windows = tokenizer.windows(count: 20)
        XCTAssertEqual(windows, [0..<8, 4..<12, 8..<16, 12..<20])
        XCTAssertTrue(windows.allSatisfy { $0.count <= 8 })
        XCTAssertEqual(tokenizer.encode(String(repeating: "x ", count: 30)).count, 10, "encode truncates to the maximum")
    }
}
