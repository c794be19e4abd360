import XCTest
@testable import Core

/// Strict and lenient end-to-end evaluation, on cases small enough to count by hand.
final class EvaluationTests: XCTestCase {
    private func pair(_ sentence: Int64, _ mention: Int64?, _ drug: String, _ start: Int, _ end: Int) -> ADEPair {
        ADEPair(sentenceID: sentence, drug: DrugKey(mentionID: mention, name: drug), span: Span(start, end))
    }

    func testIdenticalLayersScorePerfectly() {
        let gold = [pair(1, 10, "aspirin", 0, 5), pair(1, 11, "warfarin", 8, 12), pair(2, 20, "aspirin", 3, 9)]
        let e = Evaluation(predicted: gold, gold: gold)
        XCTAssertEqual(e.strict, Score(tp: 3, fp: 0, fn: 0))
        XCTAssertEqual(e.lenient, Score(tp: 3, fp: 0, fn: 0))
        XCTAssertEqual(e.strict.f1, 1)
        XCTAssertTrue(e.errors.isEmpty)
    }

    func testBoundaryErrorIsWrongStrictlyButRightLeniently() {
        let gold = [pair(1, 10, "amiodarone", 20, 38)]          // "pulmonary fibrosis"
        let pred = [pair(1, 10, "amiodarone", 13, 38)]          // "severe pulmonary fibrosis"
        let e = Evaluation(predicted: pred, gold: gold)
        XCTAssertEqual(e.strict, Score(tp: 0, fp: 1, fn: 1))
        XCTAssertEqual(e.lenient, Score(tp: 1, fp: 0, fn: 0))
        XCTAssertEqual(e.errors.map(\.kind), [.boundary])
        XCTAssertEqual(e.errors.first?.predicted, Span(13, 38))
        XCTAssertEqual(e.errors.first?.gold, Span(20, 38))
    }

    func testTouchingSpansDoNotOverlap() {
        // Half-open spans: [0,5) and [5,9) share no character.
        let e = Evaluation(predicted: [pair(1, 1, "d", 0, 5)], gold: [pair(1, 1, "d", 5, 9)])
        XCTAssertEqual(e.lenient, Score(tp: 0, fp: 1, fn: 1))
        XCTAssertEqual(Set(e.errors.map(\.kind)), [.spurious, .missed])
    }

    func testRightSpanForTheWrongDrugIsAnError() {
        let gold = [pair(1, 10, "cisplatin", 30, 40)]
        let pred = [pair(1, 11, "paclitaxel", 30, 40)]
        let e = Evaluation(predicted: pred, gold: gold)
        XCTAssertEqual(e.strict, Score(tp: 0, fp: 1, fn: 1))
        XCTAssertEqual(e.lenient, Score(tp: 0, fp: 1, fn: 1))
    }

    func testSameSpanInAnotherSentenceIsAnError() {
        let e = Evaluation(predicted: [pair(2, 10, "d", 0, 4)], gold: [pair(1, 10, "d", 0, 4)])
        XCTAssertEqual(e.strict, Score(tp: 0, fp: 1, fn: 1))
    }

    func testGoldPairIsMatchedAtMostOnce() {
        // Two predictions overlap one gold span: one true positive, one false positive.
        let gold = [pair(1, 10, "d", 10, 30)]
        let pred = [pair(1, 10, "d", 10, 18), pair(1, 10, "d", 20, 30)]
        let e = Evaluation(predicted: pred, gold: gold)
        XCTAssertEqual(e.lenient, Score(tp: 1, fp: 1, fn: 0))
        XCTAssertEqual(e.strict, Score(tp: 0, fp: 2, fn: 1))
    }

    func testMatchingMaximisesTruePositives() {
        // A greedy matcher pairing p1 with g1 first would leave p2 unmatched; the optimum pairs
        // p1-g2 and p2-g1.
        let gold = [pair(1, 10, "d", 0, 10), pair(1, 10, "d", 12, 20)]
        let pred = [pair(1, 10, "d", 5, 15), pair(1, 10, "d", 0, 3)]
        let e = Evaluation(predicted: pred, gold: gold)
        XCTAssertEqual(e.lenient, Score(tp: 2, fp: 0, fn: 0))
    }

    func testDuplicatePredictionsCountTwice() {
        let gold = [pair(1, 10, "d", 0, 4)]
        let pred = [pair(1, 10, "d", 0, 4), pair(1, 10, "d", 0, 4)]
        XCTAssertEqual(Evaluation(predicted: pred, gold: gold).strict, Score(tp: 1, fp: 1, fn: 0))
    }

    func testNameFallbackWhenOneSideHasNoMentionIDs() {
        let gold = [pair(1, 10, "Aspirin", 0, 4), pair(1, 11, "heparin", 6, 9)]
        let pred = [pair(1, nil, "aspirin", 0, 4), pair(1, nil, "warfarin", 6, 9)]
        let e = Evaluation(predicted: pred, gold: gold)
        XCTAssertEqual(e.strict, Score(tp: 1, fp: 1, fn: 1))
    }

    func testMentionIDsDecideWhenBothSidesHaveThem() {
        // Same drug name, two mentions: an ADE moved to the other mention is wrong.
        let gold = [pair(1, 10, "insulin", 0, 4)]
        let pred = [pair(1, 11, "insulin", 0, 4)]
        XCTAssertEqual(Evaluation(predicted: pred, gold: gold).strict, Score(tp: 0, fp: 1, fn: 1))
    }

    func testHandComputedMixedCase() {
        // Sentence 1: one exact, one boundary. Sentence 2: one missed. Sentence 3: one spurious.
        let gold = [pair(1, 1, "a", 0, 5), pair(1, 1, "a", 10, 20), pair(2, 2, "b", 0, 8)]
        let pred = [pair(1, 1, "a", 0, 5), pair(1, 1, "a", 12, 20), pair(3, 3, "c", 1, 2)]
        let e = Evaluation(predicted: pred, gold: gold)
        XCTAssertEqual(e.strict, Score(tp: 1, fp: 2, fn: 2))
        XCTAssertEqual(e.lenient, Score(tp: 2, fp: 1, fn: 1))
        XCTAssertEqual(e.strict.precision, 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(e.strict.recall, 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(e.lenient.precision, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(e.lenient.f1, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(e.errors.map(\.kind).sorted { $0.rawValue < $1.rawValue }, [.boundary, .missed, .spurious])
        XCTAssertEqual(e.perDrug["a"]?.strict, Score(tp: 1, fp: 1, fn: 1))
        XCTAssertEqual(e.perDrug["c"]?.lenient, Score(tp: 0, fp: 1, fn: 0))
    }

    func testEmptyLayersScoreZeroWithoutDividingByZero() {
        let e = Evaluation(predicted: [], gold: [])
        XCTAssertEqual(e.strict.precision, 0)
        XCTAssertEqual(e.strict.recall, 0)
        XCTAssertEqual(e.strict.f1, 0)
        let onlyGold = Evaluation(predicted: [], gold: [pair(1, 1, "a", 0, 1)])
        XCTAssertEqual(onlyGold.strict, Score(tp: 0, fp: 0, fn: 1))
    }
}
