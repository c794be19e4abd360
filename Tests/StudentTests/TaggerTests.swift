import Core
import Tensor
import XCTest
@testable import Student

/// The drug-conditioned heads, span decoding and the model folder round trip.
final class TaggerTests: XCTestCase {
    func testDecodeWidensRunsToWholeWordsAndAveragesConfidence() {
        let text = Array("severe hepatotoxicity, rash".unicodeScalars)
        let pieces = [WordPiece(token: "severe", id: 0, span: Span(0, 6)), WordPiece(token: "hepato", id: 0, span: Span(7, 13)),
                      WordPiece(token: "##tox", id: 0, span: Span(13, 16)), WordPiece(token: "##icity", id: 0, span: Span(16, 21)),
                      WordPiece(token: ",", id: 0, span: Span(21, 22)), WordPiece(token: "rash", id: 0, span: Span(23, 27))]
        let spans = StudentModel.decode(pieces: pieces, probabilities: [0.9, 0.2, 0.8, 0.6, 0.1, 0.7], threshold: 0.5, text: text)
        XCTAssertEqual(spans.map(\.span), [Span(0, 6), Span(7, 21), Span(23, 27)])
        XCTAssertEqual(spans[1].confidence, 0.7, accuracy: 1e-6)
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: [Float](repeating: 0.4, count: 6), threshold: 0.5,
                                           text: text), [])
    }

    /// With `.firstPiece` a word is in or out as its first piece says; with `.pieces` any piece pulls it in.
    func testFirstPieceDecodingLetsTheFirstPieceDecide() {
        let text = Array("severe hepatotoxicity, rash".unicodeScalars)
        let pieces = [WordPiece(token: "severe", id: 0, span: Span(0, 6)), WordPiece(token: "hepato", id: 0, span: Span(7, 13)),
                      WordPiece(token: "##tox", id: 0, span: Span(13, 16)), WordPiece(token: "##icity", id: 0, span: Span(16, 21)),
                      WordPiece(token: ",", id: 0, span: Span(21, 22)), WordPiece(token: "rash", id: 0, span: Span(23, 27))]
        let probabilities: [Float] = [0.1, 0.2, 0.8, 0.9, 0.1, 0.7]
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: probabilities, threshold: 0.5, text: text).map(\.span),
                       [Span(7, 21), Span(23, 27)])
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: probabilities, threshold: 0.5, text: text,
                                           decoding: .firstPiece).map(\.span), [Span(23, 27)])
        XCTAssertEqual(StudentModel.decode(pieces: pieces, probabilities: [0.1, 0.9, 0.2, 0.1, 0.1, 0.1], threshold: 0.5, text: text,
                                           decoding: .firstPiece).map(\.span), [Span(7, 21)], "the first piece carries the word")
    }

    func testSpansNeverEndWithPunctuationOrAFunctionWord() {
        let text = Array("marked elevation of serum creatine kinase (CK) into the".unicodeScalars)
        func trim(_ start: Int, _ end: Int) -> Span? { StudentModel.trimmedEnd(Span(start, end), text: text) }
        XCTAssertEqual(trim(0, 19), Span(0, 16), "\"marked elevation of\" loses \"of\"")
        XCTAssertEqual(trim(7, 43), Span(7, 41), "a dangling \"(\" goes")
        XCTAssertEqual(trim(7, 46), Span(7, 46), "a closed parenthesis stays")
        XCTAssertEqual(trim(7, 55), Span(7, 46), "\"into the\" and the spaces go")
        XCTAssertEqual(trim(0, 16), Span(0, 16))
        XCTAssertNil(trim(42, 43), "a span that is only punctuation is no span")
        XCTAssertEqual(trim(17, 19), Span(17, 19), "one word stays even when it is a function word")
    }

    /// Per token, the logit for amiodarone minus the logit for lithium in one sentence.
    func drugGaps(_ model: StudentModel) throws -> [Float] {
        let text = "Amiodarone-induced hepatitis after lithium."
        let states = try model.hiddenStates([text])[0]
        let a = model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(0, 10))
        let b = model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(35, 42))
        return zip(a, b).map { $0 - $1 }
    }

    /// With the concat head, the drug moves every token's logit by the same constant.
    func testConcatHeadShiftsAllTokensEquallyButInteractionDoesNot() throws {
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let concat = try drugGaps(model)
        XCTAssertLessThan((concat.max() ?? 0) - (concat.min() ?? 0), 1e-4)
        model.head = TaggerHead(random: .interaction, hiddenSize: 32, mlpSize: 16, seed: 3)
        let interaction = try drugGaps(model)
        XCTAssertGreaterThan((interaction.max() ?? 0) - (interaction.min() ?? 0), 1e-3)
    }

    /// A fresh residual head ranks tokens as concat does (its MLP's output starts at zero); once
    /// that output moves, the drug changes the ranking.
    func testResidualHeadStartsAsConcatThenLetsTheDrugChangeTheRanking() throws {
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        model.head = TaggerHead(random: .residual, hiddenSize: 32, mlpSize: 16, seed: 3)
        let fresh = try drugGaps(model)
        XCTAssertGreaterThan(fresh.map(abs).max() ?? 0, 1e-3, "the drug still shifts the logits")
        XCTAssertLessThan((fresh.max() ?? 0) - (fresh.min() ?? 0), 1e-4)
        model.head.weight2 = Tensor(shape: [1, 16], data: (0..<16).map { Float($0 % 5) * 0.4 - 0.8 })
        let moved = try drugGaps(model)
        XCTAssertGreaterThan((moved.max() ?? 0) - (moved.min() ?? 0), 1e-3)
    }

    func testModelFolderSavesAndLoadsWithItsHead() throws {
        for kind in [HeadKind.interaction, .residual] {
            var model = try StudentModel.load(directory: Fixtures.tinyBERT)
            model.head = TaggerHead(random: kind, hiddenSize: 32, mlpSize: 8, seed: 7)
            model.head.weight2 = Tensor(shape: [1, 8], data: (0..<8).map { Float($0) * 0.1 - 0.4 })
            model.settings = StudentModel.Settings(head: kind, threshold: 0.3, mlpSize: 8, encoder: "tiny")
            let dir = try Fixtures.temporaryFolder(self) + "/model-\(kind)"
            try model.save(to: dir)
            let loaded = try StudentModel.load(directory: dir)
            XCTAssertEqual(loaded.settings, model.settings)
            XCTAssertEqual(loaded.head.namedTensors.map(\.name), model.head.namedTensors.map(\.name))
            let input = [TaggerInput(text: "Cisplatin neurotoxicity was severe.", drugs: [Span(0, 9)])]
            let a = try model.tag(input), b = try loaded.tag(input)
            XCTAssertEqual(a, b)
            let states = try loaded.hiddenStates([input[0].text])[0]
            XCTAssertEqual(loaded.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(0, 9)),
                           model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(0, 9)), "\(kind)")
            XCTAssertThrowsError(try model.save(to: dir)) { XCTAssertEqual($0 as? CheckpointError, .folderExists(path: dir)) }
        }
    }

    func testDistanceBucketsAreSignedAndLogSpaced() {
        // A drug on pieces 10...11: 10 and 9 pieces before it fall in 9–16, 8 and 5 in 5–8, 4 and 3 in 3–4.
        let buckets = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 27, 28, 43, 44, 200]
            .map { DrugDistance.bucket($0, first: 10, last: 11) }
        XCTAssertEqual(buckets, [2, 2, 3, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14])
        XCTAssertEqual(DrugDistance.bucket(500, first: 0, last: 0), DrugDistance.bucketCount - 1)
        XCTAssertEqual(DrugDistance.bucket(0, first: 400, last: 400), 0)
        XCTAssertEqual(DrugDistance.buckets(count: 3, drugPieces: [2, 1]), [6, 7, 7])
        XCTAssertNil(DrugDistance.buckets(count: 3, drugPieces: []), "no drug piece: no buckets")
    }

    /// The distance bias moves a token's logit by its bucket's value, and so lets even the concat
    /// head rank a sentence's tokens differently for two drugs; it survives the folder round trip.
    func testDistanceBiasShiftsLogitsByBucketAndRoundTrips() throws {
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let text = "Amiodarone-induced hepatitis after lithium."
        let states = try model.hiddenStates([text])[0]
        let plain = model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(0, 10))
        var head = TaggerHead(random: .concat, hiddenSize: 32, mlpSize: 0, seed: 1, relativePosition: true)
        head.weight1 = model.head.weight1
        head.bias1 = model.head.bias1
        head.distanceBias = Tensor(shape: [DrugDistance.bucketCount], data: (0..<DrugDistance.bucketCount).map { Float($0) * 0.5 })
        model.head = head
        let members = states.pieces.indices.filter { states.pieces[$0].span.overlaps(Span(0, 10)) }
        let biased = model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(0, 10))
        for i in plain.indices {
            let bucket = DrugDistance.bucket(i, first: members.min()!, last: members.max()!)
            XCTAssertEqual(biased[i] - plain[i], Float(bucket) * 0.5, accuracy: 1e-4, "piece \(i)")
        }
        let other = model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(35, 42))
        let gaps = zip(biased, other).map { $0 - $1 }
        XCTAssertGreaterThan((gaps.max() ?? 0) - (gaps.min() ?? 0), 1, "two drugs now rank the tokens differently")

        let dir = try Fixtures.temporaryFolder(self) + "/distance"
        try model.save(to: dir)
        let loaded = try StudentModel.load(directory: dir)
        XCTAssertEqual(loaded.head.distanceBias, model.head.distanceBias)
        XCTAssertEqual(loaded.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Span(0, 10)), biased)
    }

    func testAFolderWithoutVigilJSONIsNotATagger() throws {
        let error = try XCTUnwrap({ () -> Error? in
            do { _ = try StudentModel.load(directory: Fixtures.folder + "/nowhere"); return nil } catch { return error }
        }())
        XCTAssertEqual(error as? CheckpointError, .missingFile(path: Fixtures.folder + "/nowhere/config.json"))
    }

    func testLongSentencesAreEncodedInWindows() throws {
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        model.tokenizer = WordPieceTokenizer(vocabulary: model.tokenizer.vocabulary, lowercase: true, maxLength: 12)
        let text = Array(repeating: "the patient developed rash", count: 8).joined(separator: " ")
        let states = try model.hiddenStates([text], batchSize: 2)[0]
        XCTAssertEqual(states.pieces.count, 32)
        XCTAssertEqual(states.hidden.shape, [32, 32])
        for i in 0..<32 { XCTAssertNotEqual(states.hidden.row(i).map(abs).reduce(0, +), 0, "piece \(i) got a state") }
        let tagged = try model.tag([TaggerInput(text: text, drugs: [Span(4, 11)])])
        XCTAssertEqual(tagged.count, 1)
        for span in tagged[0][0] { XCTAssertLessThanOrEqual(span.span.end, text.unicodeScalars.count) }
    }

    func testFreshModelOverAPlainEncoderRecordsItsHeadKind() throws {
        let model = try StudentModel.fresh(encoderDirectory: Fixtures.tinyBERT, head: .interaction, seed: 5)
        XCTAssertEqual(model.settings, StudentModel.Settings(head: .interaction, threshold: 0.5, mlpSize: 32, encoder: "tiny-bert"))
        let dir = try Fixtures.temporaryFolder(self) + "/fresh"
        try model.save(to: dir)
        let json = try String(contentsOfFile: dir + "/vigil.json", encoding: .utf8)
        XCTAssertTrue(json.contains("\"head\" : \"interaction\""), json)
        XCTAssertEqual(try StudentModel.load(directory: dir).head.mlpSize, 32)
    }
}
