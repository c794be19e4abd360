import Core
@testable import Corpus
import XCTest
@testable import Student

/// Bystander drugs: the training part's drug names found again where no mention covers them
/// become items without ADEs; a run adds them only when asked, logs and records it.
final class BystandersTests: XCTestCase {
    /// A gold training sentence with one drug and its ADEs (first occurrences).
    func sentence(_ text: String, _ drug: String, _ ades: [String]) -> TrainingSentence {
        TrainingSentence(sentenceID: 1, text: text, items: [
            .init(mentionID: 1, drug: TrainingTests.span(drug, in: text), ades: ades.map { TrainingTests.span($0, in: text) },
                  origin: .gold),
        ])
    }

    func texts(_ spans: [Span], in text: String) -> [String] { spans.map { ScalarText(text)[$0] } }

    func testAnotherSentencesDrugNameBecomesABystander() {
        let sentences = [
            sentence("Haloperidol calmed the ciprofloxacin-induced delirium.", "ciprofloxacin", ["delirium"]),
            sentence("HALOPERIDOL caused dystonia.", "HALOPERIDOL", ["dystonia"]),
            sentence("Ciprofloxacin was stopped, and ciprofloxacin caused fever.", "Ciprofloxacin", ["fever"]),
            sentence("Haloperidol allergy after heparin.", "heparin", ["Haloperidol allergy"]),
            sentence("Ca caused colic; lithium was also given.", "Ca", ["colic"]),
            sentence("Lithium toxicity with low Ca in serum.", "Lithium", ["toxicity"]),
        ]
        let spans = Bystanders.spans(in: sentences)
        XCTAssertEqual(spans.count, sentences.count)
        XCTAssertEqual(texts(spans[0], in: sentences[0].text), ["Haloperidol"], "a drug named elsewhere, not annotated here")
        XCTAssertEqual(spans[1], [], "the sentence's own drug is no bystander, in any case")
        XCTAssertEqual(spans[2], [], "a second mention of the annotated drug is the same drug")
        XCTAssertEqual(spans[3], [], "a name inside an ADE span is not a drug mention")
        XCTAssertEqual(texts(spans[4], in: sentences[4].text), ["lithium"])
        XCTAssertEqual(spans[5], [])
        // "Ca" is under the minimum length: the last sentence's "Ca" is no bystander.
        XCTAssertFalse(spans.enumerated().contains { k, found in texts(found, in: sentences[k].text).contains("Ca") })
    }
}

extension TrainingRunTests {
    func testBystandersAreAddedOnlyWhenAskedAndRecorded() throws {
        // First in the list, so in the train part (the first six sentences), with lithium's own sentence.
        let sentences = [("lithium was given before cisplatin induced vomiting", "cisplatin", ["vomiting"])] + TrainingTests.sentences
        for asked in [false, true] {
            let (store, folder) = try corpus(sentences)
            var training = run(folder)
            training.bystanders = asked
            var lines: [String] = []
            let result = try training.run(store: store, log: { lines.append($0) })
            XCTAssertEqual(result.trainInstances, asked ? 7 : 6, "lithium, named in another training sentence, adds one item")
            XCTAssertEqual(lines.contains { $0.contains("1 of them bystander drugs") }, asked, "\(lines)")
            let version = try store.modelVersion(try XCTUnwrap(result.layer.version))
            XCTAssertEqual(version.params["bystanders"], "\(asked)")
            XCTAssertEqual(version.params["train_items"], asked ? "7" : "6")
        }
    }

    func testABystanderPastTheLengthLimitIsNeitherTrainedOnNorCounted() throws {
        // The tiny model keeps 62 pieces; lithium comes after them, so it is cut off with them.
        let filler = String(repeating: " and", count: 80)
        let sentences = [("cisplatin induced vomiting\(filler) lithium was given", "cisplatin", ["vomiting"])] + TrainingTests.sentences
        let (store, folder) = try corpus(sentences)
        var training = run(folder)
        training.bystanders = true
        var lines: [String] = []
        let result = try training.run(store: store, log: { lines.append($0) })
        XCTAssertEqual(result.trainInstances, 6, "no item for the cut-off lithium")
        XCTAssertTrue(lines.contains { $0.contains("0 of them bystander drugs") }, "\(lines)")
    }
}
