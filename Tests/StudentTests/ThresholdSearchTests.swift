import Core
import XCTest
@testable import Student

/// Choosing the decoding threshold on labelled items, and spans that are only the drug.
final class ThresholdSearchTests: XCTestCase {
    /// "rash and fever": gold says only "rash" is an ADE of the drug.
    func item(rash: Float, fever: Float, id: Int64 = 1) -> ThresholdSearch.Item {
        let text = Array("rash and fever".unicodeScalars)
        let pieces = [WordPiece(token: "rash", id: 0, span: Span(0, 4)), WordPiece(token: "and", id: 0, span: Span(5, 8)),
                      WordPiece(token: "fever", id: 0, span: Span(9, 14))]
        return .init(sentenceID: id, mentionID: id, drug: Span(20, 25), pieces: pieces, probabilities: [rash, 0.1, fever], text: text,
                     gold: [Span(0, 4)])
    }

    func testPicksTheThresholdThatSeparatesTrueFromSpuriousSpans() {
        let search = ThresholdSearch(items: [item(rash: 0.6, fever: 0.4, id: 1), item(rash: 0.65, fever: 0.35, id: 2)])
        let low = search.scores(threshold: 0.3)
        XCTAssertEqual(low.strict.fp, 2)
        XCTAssertEqual(low.strict.tp, 2)
        let best = search.best(among: [0.3, 0.5, 0.7])
        XCTAssertEqual(best.threshold, 0.5)
        XCTAssertEqual(best.scores.strict.f1, 1, accuracy: 1e-9)
        XCTAssertEqual(search.scores(threshold: 0.7).strict.fn, 2)
    }

    /// Spurious spans with a low mean probability are removed by a confidence floor; confident ones stay.
    func testAConfidenceFloorDropsLowConfidenceSpans() {
        let search = ThresholdSearch(items: [item(rash: 0.95, fever: 0.6, id: 1), item(rash: 0.9, fever: 0.9, id: 2),
                                             item(rash: 0.9, fever: 0.52, id: 3)])
        XCTAssertEqual(search.scores(threshold: 0.5).strict.fp, 3)
        let floored = search.scores(threshold: 0.5, minConfidence: 0.7)
        XCTAssertEqual(floored.strict.fp, 1)
        XCTAssertEqual(floored.strict.tp, 3)
        let best = search.best(among: [0.5], minConfidences: [0, 0.7])
        XCTAssertEqual(best.minConfidence, 0.7)
        XCTAssertEqual(best.scores, floored)
    }

    func testTiesGoToTheCandidateNearestOneHalf() {
        let search = ThresholdSearch(items: [item(rash: 0.9, fever: 0.05)])
        XCTAssertEqual(search.best(among: [0.2, 0.6, 0.45, 0.8]).threshold, 0.45)
        XCTAssertEqual(search.best(among: []).threshold, 0.5, "no candidate: the default")
    }

    /// "lithium toxicity" may be an ADE of lithium; "lithium" alone never is.
    func testASpanInsideTheDrugIsDroppedButOneContainingItIsKept() {
        let text = Array("lithium toxicity".unicodeScalars)
        let pieces = [WordPiece(token: "lithium", id: 0, span: Span(0, 7)), WordPiece(token: "toxicity", id: 0, span: Span(8, 16))]
        let drug = Span(0, 7)
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: [0.9, 0.2], threshold: 0.5, text: text, drug: drug), [])
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: [0.9, 0.2], threshold: 0.5, text: text).map(\.span),
                       [Span(0, 7)], "without a drug nothing is dropped")
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: [0.9, 0.8], threshold: 0.5, text: text, drug: drug)
            .map(\.span), [Span(0, 16)])
    }
}
