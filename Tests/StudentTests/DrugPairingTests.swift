import Core
import Tensor
import XCTest
@testable import Student

/// Synthetic two-drug sentences: the join equals tokenising the joined text, each drug keeps only
/// its own half's ADEs, and a run records the option.
final class DrugPairingTests: XCTestCase {
    func encode(_ model: StudentModel, _ text: String, _ drug: String, _ ades: [String]) -> EncodedSentence {
        EncodedSentence(text: text, drugs: [(TrainingTests.span(drug, in: text), ades.map { TrainingTests.span($0, in: text) })],
                        tokenizer: model.tokenizer, maxLength: model.config.maxLength)
    }

    /// Joining on pieces gives what encoding the joined text gives: ids, drug pieces and targets.
    func testJoinEqualsEncodingTheJoinedText() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let first = encode(model, "methotrexate induced hepatitis.", "methotrexate", ["hepatitis"])
        let second = encode(model, "severe vomiting after cisplatin", "cisplatin", ["vomiting"])
        for (joinerText, joinedText) in [(";", "methotrexate induced hepatitis ; severe vomiting after cisplatin"),
                                         ("and", "methotrexate induced hepatitis and severe vomiting after cisplatin"),
                                         (".", "methotrexate induced hepatitis. severe vomiting after cisplatin")] {
            let joiner = model.tokenizer.pieces(joinerText).map(\.id)
            let joined = try XCTUnwrap(DrugPairing.join(first, second, joiner: joiner, period: model.tokenizer.pieces(".").first?.id,
                                                        maxLength: model.config.maxLength))
            let expected = EncodedSentence(text: joinedText, drugs: [
                (TrainingTests.span("methotrexate", in: joinedText), [TrainingTests.span("hepatitis", in: joinedText)]),
                (TrainingTests.span("cisplatin", in: joinedText), [TrainingTests.span("vomiting", in: joinedText)]),
            ], tokenizer: model.tokenizer, maxLength: model.config.maxLength)
            XCTAssertEqual(joined, expected, "joiner \(joinerText)")
        }
    }

    func testDrugsKeepOnlyTheirOwnHalfsADEsAndTooLongIsNil() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let first = encode(model, "cyclosporin induced severe rash", "cyclosporin", ["rash"])
        let second = encode(model, "interferon induced fever and nausea", "interferon", ["fever", "nausea"])
        let joiner = model.tokenizer.pieces(";").map(\.id)
        let joined = try XCTUnwrap(DrugPairing.join(first, second, joiner: joiner, period: nil, maxLength: 64))
        let split = first.ids.count - 2 + joiner.count
        XCTAssertEqual(joined.items.count, 2)
        XCTAssertEqual(joined.items[0].targets.count, joined.ids.count - 2)
        XCTAssertEqual(Array(joined.items[0].targets.prefix(first.ids.count - 2)), first.items[0].targets)
        XCTAssertEqual(joined.items[0].targets.dropFirst(first.ids.count - 2).reduce(0, +), 0, "no ADE of the second half")
        XCTAssertEqual(joined.items[1].targets.prefix(split).reduce(0, +), 0, "no ADE of the first half")
        XCTAssertEqual(Array(joined.items[1].targets.dropFirst(split)), second.items[0].targets)
        XCTAssertEqual(joined.items[1].drugPieces, second.items[0].drugPieces.map { $0 + split })
        XCTAssertNil(DrugPairing.join(first, second, joiner: joiner, period: nil, maxLength: joined.ids.count - 1))
        XCTAssertNotNil(DrugPairing.join(first, second, joiner: joiner, period: nil, maxLength: joined.ids.count))
    }

    func testPairsJoinTwoDifferentDrugsWithAnADEFirstDeterministically() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let sentences = TrainingTests.sentences.map { encode(model, $0.0, $0.1, $0.2) }
        let pairing = DrugPairing(fraction: 0.5, tokenizer: model.tokenizer, maxLength: model.config.maxLength)
        XCTAssertEqual(pairing.count(for: sentences.count), 4)
        XCTAssertEqual(DrugPairing(fraction: 0, tokenizer: model.tokenizer, maxLength: 64).count(for: 1000), 0)
        var random = RandomState(seed: 7)
        let pairs = pairing.pairs(from: sentences, random: &random)
        XCTAssertEqual(pairs.count, 4)
        for pair in pairs {
            XCTAssertEqual(pair.items.count, 2)
            let drugs = pair.items.map { $0.drugPieces.map { pair.ids[$0 + 1] } }
            XCTAssertNotEqual(drugs[0], drugs[1], "two different drugs")
            XCTAssertTrue(pair.items[0].targets.contains(1), "the first half has an ADE")
            // Each drug and its ADEs lie in its own half: all of the first's before any of the second's.
            let pieces = pair.items.map { item in item.drugPieces + item.targets.indices.filter { item.targets[$0] == 1 } }
            XCTAssertLessThan(try XCTUnwrap(pieces[0].max()), try XCTUnwrap(pieces[1].min()))
        }
        var again = RandomState(seed: 7)
        XCTAssertEqual(pairing.pairs(from: sentences, random: &again), pairs, "the same seed draws the same pairs")
        // Only one drug among single-drug sentences: nothing to pair.
        var other = RandomState(seed: 7)
        XCTAssertEqual(pairing.pairs(from: [sentences[2], sentences[6]], random: &other), [])
        // Names, where given, decide instead (the tiny vocabulary reads many drugs as [UNK]).
        XCTAssertEqual(pairing.pairs(from: [sentences[2], sentences[6]], drugNames: ["cisplatin", "cis-platinum"],
                                     random: &other).count, 1)
        XCTAssertEqual(pairing.pairs(from: [sentences[0], sentences[1]], drugNames: ["x", "x"], random: &other), [])
    }
}

extension TrainingRunTests {
    func testARunWithDrugPairsTrainsOnThemAndRecordsTheShare() throws {
        let (store, folder) = try corpus()
        var training = run(folder)
        training.drugPairs = 0.5
        training.options.epochs = 3
        var lines: [String] = [], reports: [TrainingProgress] = []
        let result = try training.run(store: store, progress: { reports.append($0) }, log: { lines.append($0) })
        XCTAssertTrue(lines.contains { $0.contains("3 synthetic two-drug sentences per epoch") }, "\(lines)")
        // Each epoch redraws its pairs (and so its batches); progress never passes its total and ends on it.
        XCTAssertTrue(reports.allSatisfy { $0.step <= $0.steps && $0.eta >= 0 }, "\(reports.map { ($0.step, $0.steps) })")
        XCTAssertEqual(reports.last?.step, reports.last?.steps)
        XCTAssertEqual(reports.last?.eta, 0)
        XCTAssertEqual(result.trainInstances, 6, "real items only")
        let version = try store.modelVersion(try XCTUnwrap(result.layer.version))
        XCTAssertEqual(version.params["drug_pairs"], "0.5")
    }
}
