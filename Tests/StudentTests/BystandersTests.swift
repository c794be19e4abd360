@testable import Corpus
import XCTest
@testable import Student

/// `vigil train --bystanders`: a run adds the training part's bystander drugs (`Bystanders`, tested
/// in CorpusTests) only when asked, logs and records it.
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
