import XCTest
@testable import Core

/// Spans, scalar text, layer addresses and seeded splits.
final class DomainTests: XCTestCase {
    func testSpansAreHalfOpen() {
        XCTAssertTrue(Span(0, 5).overlaps(Span(4, 6)))
        XCTAssertFalse(Span(0, 5).overlaps(Span(5, 6)))
        XCTAssertTrue(Span(2, 8).contains(Span(3, 8)))
        XCTAssertFalse(Span(2, 8).contains(Span(1, 3)))
        XCTAssertEqual(Span(3, 7).length, 4)
    }

    func testSpanValidationNamesTheProblem() {
        XCTAssertThrowsError(try Span.validated(3, 3, length: 10))
        XCTAssertThrowsError(try Span.validated(-1, 3, length: 10))
        XCTAssertThrowsError(try Span.validated(5, 11, length: 10)) { error in
            XCTAssertEqual("\(error)", "span [5,11) is empty or outside the text (length 10)")
        }
        XCTAssertEqual(try Span.validated(0, 10, length: 10), Span(0, 10))
    }

    func testOffsetsCountUnicodeScalarsNotBytesOrCharacters() {
        // "é" written as e + combining accent is two scalars but one Character.
        let text = ScalarText("Cafe\u{301} β-blocker")
        XCTAssertEqual(text.count, 15)
        XCTAssertEqual(text[Span(6, 15)], "β-blocker")
        XCTAssertEqual(text.occurrences(of: "β"), [6])
        XCTAssertNil(text.text(at: Span(10, 17)))
        XCTAssertThrowsError(try text.check(Span(6, 15), covers: "beta-blocker"))
    }

    func testOccurrencesFindEveryPosition() {
        XCTAssertEqual(ScalarText("insulin and insulin").occurrences(of: "insulin"), [0, 12])
        XCTAssertEqual(ScalarText("aaa").occurrences(of: "aa"), [0, 1])
        XCTAssertEqual(ScalarText("abc").occurrences(of: ""), [])
    }

    func testLayerAddresses() throws {
        XCTAssertEqual(try LayerRef(parsing: "gold"), LayerRef(.gold))
        XCTAssertEqual(try LayerRef(parsing: "teacher"), LayerRef(.teacher, version: nil))
        XCTAssertEqual(try LayerRef(parsing: "student:12"), LayerRef(.student, version: 12))
        XCTAssertEqual(try LayerRef(parsing: "Teacher:3").description, "teacher:3")
        XCTAssertThrowsError(try LayerRef(parsing: "gold:2")) { XCTAssertEqual($0 as? LayerRefError, .unversionedKind("gold:2")) }
        XCTAssertThrowsError(try LayerRef(parsing: "teacher:x")) { XCTAssertEqual($0 as? LayerRefError, .badVersion("teacher:x")) }
        XCTAssertThrowsError(try LayerRef(parsing: "silver")) { XCTAssertEqual($0 as? LayerRefError, .unknownKind("silver")) }
    }

    func testRatioSplitIsSeededCompleteAndProportional() {
        let ids = (1...1000).map(Int64.init)
        let a = SplitPlan.ratio(ids, ratios: [8, 1, 1], names: ["train", "dev", "test"], seed: 7)
        let b = SplitPlan.ratio(ids.reversed(), ratios: [8, 1, 1], names: ["train", "dev", "test"], seed: 7)
        let c = SplitPlan.ratio(ids, ratios: [8, 1, 1], names: ["train", "dev", "test"], seed: 8)
        XCTAssertEqual(a, b, "input order must not matter")
        XCTAssertNotEqual(a, c, "another seed gives another split")
        XCTAssertEqual(a.count, 1000)
        let sizes = Dictionary(grouping: a.values, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(sizes, ["train": 800, "dev": 100, "test": 100])
    }

    func testRatioSplitGivesRemainderToFirstParts() {
        let a = SplitPlan.ratio((1...13).map(Int64.init), ratios: [8, 1, 1], names: ["train", "dev", "test"], seed: 1)
        let sizes = Dictionary(grouping: a.values, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(sizes, ["train": 11, "dev": 1, "test": 1])
    }

    func testFoldsPartitionEverySentenceEvenly() {
        let folds = SplitPlan.folds((1...103).map(Int64.init), k: 10, seed: 3)
        let sizes = Dictionary(grouping: folds.values, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(sizes.count, 10)
        XCTAssertEqual(sizes.values.reduce(0, +), 103)
        XCTAssertLessThanOrEqual(sizes.values.max()! - sizes.values.min()!, 1)
    }

    func testSplitMixIsStable() {
        // Fixed outputs: a change of generator would silently change every stored split.
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
    }
}
