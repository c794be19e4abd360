import Core
import Tensor
import XCTest
@testable import Student

/// Last hidden states and head logits against PyTorch (`transformers.BertModel`).
final class EncoderParityTests: XCTestCase {
    func testTinyBERTHiddenStatesMatchPyTorch() throws {
        let (_, _, encoder, _) = try StudentModel.loadEncoder(directory: Fixtures.tinyBERT)
        let cases = try Fixtures.cases("tiny-bert-expected.json")
        // One batch of all cases: different lengths exercise the padding mask.
        let output = try encoder.forward(cases.map(\.ids))
        for (b, c) in cases.enumerated() {
            let expected = try XCTUnwrap(c.hidden)
            let got = output.sequence(b)
            let want = Tensor(shape: [expected.count, expected[0].count], data: expected.flatMap { $0 })
            XCTAssertLessThan(got.maxAbsDifference(want), 1e-4, c.text)
        }
    }

    func testTinyBERTHeadsMatchPyTorch() throws {
        let concat = try StudentModel.load(directory: Fixtures.tinyBERT)
        let file = try SafeTensorsFile(path: Fixtures.interactionHead)
        var interaction = concat
        interaction.head = try TaggerHead(file: file, kind: .interaction, hiddenSize: 32, mlpSize: 16)
        for c in try Fixtures.cases("tiny-bert-expected.json") {
            let drug = try XCTUnwrap(c.drug)
            let states = try concat.hiddenStates([c.text])[0]
            let span = Span(drug[0], drug[1])
            for (model, expected) in [(concat, c.concat_logits), (interaction, c.interaction_logits)] {
                let got = model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: span)
                let want = try XCTUnwrap(expected)
                XCTAssertEqual(got.count, want.count)
                let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "\(model.head.kind) head on \(c.text)")
            }
        }
    }

    func testMiniLMHiddenStatesMatchPyTorch() throws {
        let path = try Fixtures.minilm()
        let (_, tokenizer, encoder, _) = try StudentModel.loadEncoder(directory: path)
        for c in try Fixtures.cases("minilm-expected.json") {
            guard let first48 = c.hidden_first48, let sums = c.hidden_row_sums, let absSums = c.hidden_row_abs_sums else { continue }
            let ids = tokenizer.encode(c.text).map(\.id)
            XCTAssertEqual(ids, c.ids)
            let hidden = try encoder.forward([ids]).sequence(0)
            let c384 = hidden.shape[1]
            var worst: Float = 0
            for (t, row) in first48.enumerated() {
                for (j, value) in row.enumerated() { worst = max(worst, abs(hidden[t, j] - value)) }
                let slice = hidden.row(t)
                XCTAssertEqual(slice.reduce(0, +), sums[t], accuracy: 2e-3)
                XCTAssertEqual(slice.map(abs).reduce(0, +), absSums[t], accuracy: 2e-3)
            }
            XCTAssertEqual(c384, 384)
            XCTAssertLessThan(worst, 1e-4, c.text)
        }
    }

    func testBatchingDoesNotChangeResults() throws {
        let (_, _, encoder, _) = try StudentModel.loadEncoder(directory: Fixtures.tinyBERT)
        let cases = try Fixtures.cases("tiny-bert-expected.json")
        let batched = try encoder.forward(cases.map(\.ids))
        for (b, c) in cases.enumerated() {
            XCTAssertLessThan(try encoder.forward([c.ids]).sequence(0).maxAbsDifference(batched.sequence(b)), 1e-5)
        }
    }

    func testRejectsIdsOutsideTheVocabularyAndOverlongInput() throws {
        let (config, _, encoder, _) = try StudentModel.loadEncoder(directory: Fixtures.tinyBERT)
        XCTAssertThrowsError(try encoder.forward([[2, Int32(config.vocabularySize)]])) {
            XCTAssertEqual($0 as? EncoderError, .idOutOfRange(index: 0, id: Int32(config.vocabularySize), vocabularySize: config.vocabularySize))
        }
        XCTAssertThrowsError(try encoder.forward([[Int32](repeating: 5, count: config.maxPositions + 1)]))
    }
}
