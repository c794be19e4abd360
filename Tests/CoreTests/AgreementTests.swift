@testable import Core
import XCTest

/// Agreement figures checked against hand-worked values (the working is in the comments).
final class AgreementTests: XCTestCase {
    // Two raters, ten items, "has an ADE" (1) or not (0):
    //   A: 1 1 1 1 0 0 0 0 1 0
    //   B: 1 1 1 0 0 0 0 1 1 0
    // They agree on 8 of 10: p_o = 0.8. Each says 1 for half the items: p_e = 0.5·0.5 + 0.5·0.5 = 0.5.
    // kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6.
    private let a = [true, true, true, true, false, false, false, false, true, false]
    private let b = [true, true, true, false, false, false, false, true, true, false]

    func testCohensKappaOnAHandWorkedTable() throws {
        XCTAssertEqual(try XCTUnwrap(Agreement.cohensKappa(a, b)), 0.6, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(Agreement.cohensKappa(a, a)), 1, accuracy: 1e-12)
        XCTAssertNil(Agreement.cohensKappa([true, true], [true, true]), "one label only: chance agreement is total")
    }

    // Alpha on the same table: n = 20 values, n_1 = n_0 = 10. The two disagreeing units give
    // o_01 = o_10 = 2 (each unit one ordered pair each way, weight 1/(2-1)).
    // alpha = 1 - (n - 1) · (o_01 + o_10) / (n_0 n_1 + n_1 n_0) = 1 - 19 · 4 / 200 = 0.62.
    func testKrippendorffAlphaOnTheSameTable() throws {
        let units = zip(a, b).map { [$0, $1] }
        XCTAssertEqual(try XCTUnwrap(Agreement.krippendorffAlpha(units)), 0.62, accuracy: 1e-12)
    }

    // Three raters with gaps: units {1,1,0}, {0,0}, {1} (one value: not pairable), {1,1}.
    // Unit 1 (m = 3, weight 1/2): o_11 += 1, o_10 += 1, o_01 += 1. Unit 2: o_00 += 2. Unit 4: o_11 += 2.
    // n_1 = 3 + 1 = 4, n_0 = 1 + 2 = 3, n = 7. alpha = 1 - 6 · 2 / (2 · 4 · 3) = 0.5.
    func testBinaryAlphaEqualsTheGeneralOne() throws {
        var random = SplitMix64(seed: 5)
        let units: [[Bool]] = (0..<500).map { _ in (0..<Int(1 + random.next() % 4)).map { _ in random.next() % 3 == 0 } }
        let binary = units.map { (values: $0.count, ones: $0.filter { $0 }.count) }
        XCTAssertEqual(try XCTUnwrap(Agreement.krippendorffAlpha(binary: binary)),
                       try XCTUnwrap(Agreement.krippendorffAlpha(units)), accuracy: 1e-12)
    }

    func testKrippendorffAlphaWithMissingValues() throws {
        let units: [[Int]] = [[1, 1, 0], [0, 0], [1], [1, 1]]
        XCTAssertEqual(try XCTUnwrap(Agreement.krippendorffAlpha(units)), 0.5, accuracy: 1e-12)
        XCTAssertNil(Agreement.krippendorffAlpha([[1], [0]]), "nothing pairable")
    }

    // Item 1: A [0,5) [10,15), B [0,5) [11,15). Item 2: both no ADE. Item 3: A [2,4), B no ADE.
    // Strict, A as reference: tp 1 ([0,5)), fp 1 ([11,15)), fn 2 ([10,15), [2,4)): P 1/2, R 1/3, F1 0.4.
    // Lenient: [11,15) overlaps [10,15): tp 2, fp 0, fn 1: P 1, R 2/3, F1 0.8.
    // Kappa on has-ADE, A: 1 0 1, B: 1 0 0: p_o = 2/3, p_e = (2/3)(1/3) + (1/3)(2/3) = 4/9, kappa = 0.4.
    private func threeItems() -> [AgreementItem] {
        func item(_ id: Int64, _ a: CuratorAnswer, _ b: CuratorAnswer, gold: [Span]? = nil, teacher: [Span]? = nil) -> AgreementItem {
            AgreementItem(sentenceID: id, drugMentionID: id * 10, drug: "d\(id)", answers: ["ana": a, "ben": b],
                          gold: gold, teacher: teacher)
        }
        return [
            item(1, .init(curator: "ana", state: .accepted, spans: [Span(0, 5), Span(10, 15)]),
                 .init(curator: "ben", state: .accepted, spans: [Span(0, 5), Span(11, 15)]),
                 gold: [Span(0, 5), Span(10, 15)], teacher: [Span(0, 5), Span(11, 15)]),
            item(2, .init(curator: "ana", state: .noADE, spans: []), .init(curator: "ben", state: .noADE, spans: []),
                 gold: [], teacher: [Span(3, 6)]),
            item(3, .init(curator: "ana", state: .accepted, spans: [Span(2, 4)]),
                 .init(curator: "ben", state: .accepted, spans: [])),
        ]
    }

    func testPairwiseStrictAndLenientF1AndKappa() throws {
        let agreement = Agreement(items: threeItems())
        let pair = try XCTUnwrap(agreement.pair("ben", "ana"))
        XCTAssertEqual(pair.items, 3)
        XCTAssertEqual(pair.pairsA, 3)
        XCTAssertEqual(pair.pairsB, 2, "an accepted answer with no span is no ADE")
        XCTAssertEqual(pair.strictF1, 0.4, accuracy: 1e-12)
        XCTAssertEqual(pair.lenientF1, 0.8, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(pair.kappa), 0.4, accuracy: 1e-12)
        XCTAssertEqual(pair.disagreements, 2)
        // n = 6 values, n_1 = n_0 = 3, one disagreeing unit: alpha = 1 - 5 · 2 / 18.
        let expectedAlpha: Double = 1 - 10.0 / 18.0
        XCTAssertEqual(try XCTUnwrap(agreement.alpha), expectedAlpha, accuracy: 1e-12)
    }

    /// Item by item, the pairwise F1 is exactly the paper's evaluation of one curator's
    /// (drug, ADE) pairs against the other's, computed here by `Evaluation` on whole sentences.
    func testPairwiseF1EqualsTheFullEvaluation() throws {
        var random = SplitMix64(seed: 11)
        var items: [AgreementItem] = []
        for id in Int64(1)...300 {
            func spans() -> [Span] {
                (0..<Int(random.next() % 3)).map { _ in
                    let start = Int(random.next() % 20)
                    return Span(start, start + 1 + Int(random.next() % 6))
                }
            }
            let a = spans(), b = spans()
            items.append(AgreementItem(sentenceID: id / 2, drugMentionID: id, drug: "d\(id % 7)",
                                       answers: ["ana": .init(curator: "ana", state: a.isEmpty ? .noADE : .accepted, spans: a),
                                                 "ben": .init(curator: "ben", state: b.isEmpty ? .noADE : .accepted, spans: b)]))
        }
        func pairs(_ name: String) -> [ADEPair] {
            items.flatMap { item in item.answers[name]!.spans.map {
                ADEPair(sentenceID: item.sentenceID, drug: DrugKey(mentionID: item.drugMentionID, name: item.drug), span: $0)
            } }
        }
        let full = Evaluation(predicted: pairs("ben"), gold: pairs("ana"))
        let pair = try XCTUnwrap(Agreement(items: items).pair("ana", "ben"))
        XCTAssertEqual(pair.strictF1, full.strict.f1, accuracy: 1e-12)
        XCTAssertEqual(pair.lenientF1, full.lenient.f1, accuracy: 1e-12)
        XCTAssertEqual(pair.pairsA, full.goldPairs)
        XCTAssertEqual(pair.pairsB, full.predictedPairs)
    }

    func testCuratorsAgainstGoldAndTheTeacher() throws {
        let agreement = Agreement(items: threeItems())
        let ana = try XCTUnwrap(agreement.curator("ana")), ben = try XCTUnwrap(agreement.curator("ben"))
        XCTAssertEqual(ana.goldItems, 2)
        XCTAssertEqual(try XCTUnwrap(ana.goldStrictF1), 1, accuracy: 1e-12, "ana gave gold's spans exactly")
        // ben on items 1-2 against gold [0,5) [10,15): strict tp 1, fp 1, fn 1: F1 0.5; lenient 1.
        XCTAssertEqual(try XCTUnwrap(ben.goldStrictF1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(ben.goldLenientF1), 1, accuracy: 1e-12)
        XCTAssertEqual(ben.teacherItems, 2)
        XCTAssertEqual(ben.teacherUnchanged, 1, "ben kept the teacher's spans on item 1, not on item 2")
        XCTAssertEqual(ana.teacherUnchanged, 0)
    }

    func testResolutionAgreedDisputedAdjudicatedAndImports() {
        let yes = CuratorAnswer(curator: "ana", state: .accepted, spans: [Span(1, 4)])
        let same = CuratorAnswer(curator: "ben", state: .accepted, spans: [Span(1, 4)])
        let other = CuratorAnswer(curator: "ben", state: .accepted, spans: [Span(1, 5)])
        XCTAssertEqual(Resolution.resolve(answers: []).kind, .none)
        XCTAssertEqual(Resolution.resolve(answers: [yes]).kind, .single)
        XCTAssertEqual(Resolution.resolve(answers: [yes, same]).kind, .agreed)
        let disputed = Resolution.resolve(answers: [yes, other])
        XCTAssertEqual(disputed.kind, .disputed)
        XCTAssertEqual(disputed.state, .pending)
        let ruling = CuratorAnswer(curator: "dana", state: .accepted, spans: [Span(1, 5)])
        let ruled = Resolution.resolve(answers: [yes, other], adjudications: [ruling])
        XCTAssertEqual(ruled.kind, .adjudicated)
        XCTAssertEqual(ruled.spans, [Span(1, 5)])
        XCTAssertEqual(ruled.curator, "dana")
        let imported = CuratorAnswer(curator: "import:old.jsonl", state: .noADE, spans: [])
        XCTAssertEqual(Resolution.resolve(answers: [imported, yes]).kind, .single, "a person's answer supersedes an import")
        XCTAssertEqual(Resolution.resolve(answers: [imported]).state, .noADE)
        let skipped = CuratorAnswer(curator: "ben", state: .skipped, spans: [])
        XCTAssertEqual(Resolution.resolve(answers: [yes, skipped]).state, .accepted, "a skip is not an answer")
        XCTAssertEqual(Resolution.resolve(answers: [skipped]).state, .skipped)
        XCTAssertEqual(Resolution.disagreement([yes, same]), 0)
        XCTAssertEqual(Resolution.disagreement([yes, CuratorAnswer(curator: "ben", state: .noADE, spans: [])]), 1)
        XCTAssertEqual(Resolution.disagreement([yes, other]), 0, "overlapping spans agree leniently")
    }

    func testAssignmentPlanSharesTheOverlapAndEvensTheLoad() throws {
        let items = Array(Int64(1)...100)
        let plan = try AssignmentPlan(items: items, curators: ["ana", "ben", "cy"], overlap: 0.2, seed: 7)
        XCTAssertEqual(plan.entries.map(\.item), items)
        XCTAssertEqual(plan.entries.filter { $0.curators.count == 2 }.count, 20)
        XCTAssertTrue(plan.entries.allSatisfy { Set($0.curators).count == $0.curators.count && !$0.curators.isEmpty })
        let counts = plan.counts
        XCTAssertEqual(counts.values.reduce(0, +), 120)
        XCTAssertLessThanOrEqual(counts.values.max()! - counts.values.min()!, 1)
        XCTAssertEqual(try AssignmentPlan(items: items, curators: ["ana", "ben", "cy"], overlap: 0.2, seed: 7), plan,
                       "same seed, same plan")
        let other = try AssignmentPlan(items: items, curators: ["ana", "ben", "cy"], overlap: 0.2, seed: 8)
        XCTAssertNotEqual(other.entries.filter { $0.curators.count == 2 }.map(\.item),
                          plan.entries.filter { $0.curators.count == 2 }.map(\.item))
        let newcomer = try AssignmentPlan(items: Array(101...130), curators: ["ana", "ben", "cy", "dee"], overlap: 0,
                                          seed: 1, load: counts)
        XCTAssertEqual(newcomer.counts["dee"], 30, "the new curator gets the new items until loads even out")
    }

    func testAssignmentPlanRefusesBadInput() {
        XCTAssertThrowsError(try AssignmentPlan(items: [1], curators: [], overlap: 0, seed: 1))
        XCTAssertThrowsError(try AssignmentPlan(items: [1], curators: ["a", "a"], overlap: 0, seed: 1))
        XCTAssertThrowsError(try AssignmentPlan(items: [1], curators: ["a", "b"], overlap: 1.5, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("1.5"))
        }
        XCTAssertThrowsError(try AssignmentPlan(items: [1], curators: ["a"], overlap: 0.2, seed: 1))
    }
}
