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

    /// Hysteresis: a run of pieces over the extend threshold counts when one of them is over the
    /// threshold, so "count started to increase" stays one span; a run with no confident piece stays out.
    func testAnExtendThresholdJoinsFragmentsAroundAConfidentPiece() {
        let text = Array("count started to increase, fever".unicodeScalars)
        let pieces = [WordPiece(token: "count", id: 0, span: Span(0, 5)), WordPiece(token: "started", id: 0, span: Span(6, 13)),
                      WordPiece(token: "to", id: 0, span: Span(14, 16)), WordPiece(token: "increase", id: 0, span: Span(17, 25)),
                      WordPiece(token: ",", id: 0, span: Span(25, 26)), WordPiece(token: "fever", id: 0, span: Span(27, 32))]
        let probabilities: [Float] = [0.9, 0.3, 0.25, 0.8, 0.05, 0.3]
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: probabilities, threshold: 0.5, text: text).map(\.span),
                       [Span(0, 5), Span(17, 25)])
        let joined = StudentModel.decode(pieces: pieces, probabilities: probabilities, threshold: 0.5, text: text,
                                         extendThreshold: 0.2)
        XCTAssertEqual(joined.map(\.span), [Span(0, 25)], "\"fever\" (0.3) has no piece over 0.5")
        XCTAssertEqual(joined[0].confidence, (0.9 + 0.3 + 0.25 + 0.8) / 4, accuracy: 1e-6)
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: probabilities, threshold: 0.5, text: text,
                                           extendThreshold: 0.9).map(\.span), [Span(0, 5), Span(17, 25)],
                       "an extend threshold above the threshold changes nothing")

        let item = ThresholdSearch.Item(sentenceID: 1, mentionID: 1, drug: Span(40, 45), pieces: pieces,
                                        probabilities: probabilities, text: text, gold: [Span(0, 25)])
        let search = ThresholdSearch(items: [item])
        XCTAssertNil(search.best(among: [0.5]).extendThreshold, "no fractions: no hysteresis")
        let best = search.best(among: [0.5], extendFractions: [1, 0.5, 0.25])
        XCTAssertEqual(best.extendThreshold, 0.125, "½ · 0.5 does not pass \"to\" (0.25); ¼ · 0.5 does")
        XCTAssertEqual(best.scores.strict.f1, 1, accuracy: 1e-9)
    }
}
