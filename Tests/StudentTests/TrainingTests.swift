import Core
import Foundation
import Tensor
import XCTest
@testable import Student

/// The training pass on the tiny random BERT: it computes what inference computes, its
/// gradients match finite differences, and a few hundred steps overfit eight sentences.
final class TrainingTests: XCTestCase {
    /// Eight sentences in the tiny model's vocabulary: (text, drug, ADEs). One negative drug.
    static let sentences: [(String, String, [String])] = [
        ("cyclosporin induced severe rash", "cyclosporin", ["rash"]),
        ("methotrexate induced hepatitis", "methotrexate", ["hepatitis"]),
        ("patient developed neurotoxicity after cisplatin", "cisplatin", ["neurotoxicity"]),
        ("amiodarone induced liver failure", "amiodarone", ["liver failure"]),
        ("lithium therapy was daily", "lithium", []),
        ("interferon induced fever and nausea", "interferon", ["fever", "nausea"]),
        ("severe vomiting after cisplatin", "cisplatin", ["vomiting"]),
        ("the patient was on amiodarone and developed acute rash", "amiodarone", ["acute rash"]),
    ]

    /// The scalar-offset span of the first occurrence of `word` in `text`.
    static func span(_ word: String, in text: String) -> Span {
        let scalars = Array(text.unicodeScalars), target = Array(word.unicodeScalars)
        for start in 0...(scalars.count - target.count) where Array(scalars[start..<(start + target.count)]) == target {
            return Span(start, start + target.count)
        }
        preconditionFailure("\(word) not in \(text)")
    }

    func encoded(_ model: StudentModel) -> [EncodedSentence] {
        Self.sentences.map { text, drug, ades in
            EncodedSentence(text: text, drugs: [(Self.span(drug, in: text), ades.map { Self.span($0, in: text) })],
                            tokenizer: model.tokenizer, maxLength: model.config.maxLength)
        }
    }

    func testEncodedSentenceLabelsThePiecesOfTheDrugsADEs() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let sentence = encoded(model)[1] // metho ##trex ##ate induced hepat ##itis
        XCTAssertEqual(sentence.ids.first, model.tokenizer.clsID)
        XCTAssertEqual(sentence.ids.last, model.tokenizer.sepID)
        XCTAssertEqual(sentence.items.count, 1)
        XCTAssertEqual(sentence.items[0].drugPieces, [0, 1, 2])
        XCTAssertEqual(sentence.items[0].targets, [0, 0, 0, 0, 1, 1])
    }

    /// Without dropout the training forward gives the inference encoder's hidden states.
    func testTrainingForwardEqualsTheInferenceEncoder() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let batch = TrainingBatch(encoded(model).prefix(3).map { $0 })
        let parameters = TrainingParameters(model: model)
        let pass = EncoderTrainingPass(parameters: parameters)
        var random = RandomState(seed: 1)
        let hidden = pass.forward(batch.sequences, dropout: 0, random: &random)
        let expected = try model.encoder.forward(batch.sequences)
        let c = model.config.hiddenSize, length = expected.hidden.shape[1]
        for (b, sequence) in batch.sequences.enumerated() {
            for t in 0..<sequence.count {
                for j in 0..<c {
                    XCTAssertEqual(hidden[(b * length + t) * c + j], expected.hidden.data[(b * length + t) * c + j], accuracy: 1e-5)
                }
            }
        }
    }

    /// Without dropout the training loss is the mean binary cross-entropy of the inference
    /// path's logits (`tokenLogits`), for every head kind.
    func testTrainingLossEqualsTheInferenceHeadsLoss() throws {
        for kind in HeadKind.allCases {
            var model = try StudentModel.load(directory: Fixtures.tinyBERT)
            model.head = TaggerHead(random: kind, hiddenSize: 32, mlpSize: 8, seed: 4)
            if kind.hasMLP { model.head.weight2 = Tensor(shape: [1, 8], data: (0..<8).map { Float($0) * 0.2 - 0.7 }) }
            model.settings = StudentModel.Settings(head: kind, threshold: 0.5, mlpSize: kind.hasMLP ? 8 : 0)
            let trainer = TaggerTrainer(model: model, options: TrainingOptions(dropout: 0, attentionDropout: 0))
            let sentences = encoded(model)
            var total: Double = 0, count = 0
            for (sentence, (text, drug, _)) in zip(sentences, Self.sentences) {
                let states = try model.hiddenStates([text])[0]
                let logits = model.tokenLogits(pieces: states.pieces, hidden: states.hidden, drug: Self.span(drug, in: text))
                let targets = sentence.items[0].targets
                XCTAssertEqual(logits.count, targets.count)
                for (z, y) in zip(logits, targets) {
                    let p = 1 / (1 + exp(-Double(z)))
                    total -= Double(y) * log(p) + Double(1 - y) * log(1 - p)
                    count += 1
                }
            }
            XCTAssertEqual(trainer.loss(TrainingBatch(sentences)), total / Double(count), accuracy: 1e-5, "\(kind)")
        }
    }

    /// The head reads dropped-out states: about `p` of them are exactly zero, the rest scaled by 1/(1-p),
    /// and the backward pass zeroes the gradient at the dropped ones.
    func testTheHeadInputIsDroppedOut() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let batch = TrainingBatch(encoded(model).prefix(3).map { $0 })
        let pass = EncoderTrainingPass(parameters: TrainingParameters(model: model))
        var random = RandomState(seed: 4)
        let hidden = pass.forward(batch.sequences, dropout: 0.5, random: &random)
        let count = pass.batch * pass.length * model.config.hiddenSize
        let zeros = (0..<count).filter { hidden[$0] == 0 }.count
        XCTAssertGreaterThan(zeros, count / 3, "about half the head's inputs are dropped")
        XCTAssertLessThan(zeros, 2 * count / 3)
        var random0 = RandomState(seed: 4)
        let plain = pass.forward(batch.sequences, dropout: 0, random: &random0)
        XCTAssertEqual((0..<count).filter { plain[$0] == 0 }.count, 0, "no dropout: layer-norm outputs are never exactly 0")
    }

    func testParametersRoundTripThroughTheModel() throws {
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let parameters = TrainingParameters(model: model)
        let back = TrainingParameters(model: parameters.model(basedOn: model))
        XCTAssertEqual(parameters.values.elements, back.values.elements)
        model.head = TaggerHead(random: .residual, hiddenSize: 32, mlpSize: 8, seed: 2)
        let residual = TrainingParameters(model: model)
        XCTAssertEqual(residual.values.tensor("head.skip"), model.head.skipWeight)
        let restored = residual.model(basedOn: model)
        XCTAssertEqual(restored.head.kind, .residual)
        XCTAssertEqual(restored.head.namedTensors.map(\.tensor), model.head.namedTensors.map(\.tensor))
        XCTAssertEqual(parameters.values.layout.slot("layer.1.qkv.bias")?.decays, false)
        XCTAssertEqual(parameters.values.layout.slot("layer.1.qkv.weight")?.decays, true)
        XCTAssertEqual(parameters.values.layout.slot("embeddings.norm.gamma")?.decays, false)
    }

    /// Central differences of the batch loss against the backward pass, for parameters in
    /// every kind of slot. h = 1e-2 on Float kernels; a component passes when
    /// |numeric - analytic| ≤ 3e-4 + 3e-2 · |analytic| (loss rounding ≈ 1e-6 / 2h ≈ 5e-5, O(h²) truncation).
    func checkFullModelGradients(head: HeadKind, relativePosition: Bool = false) throws {
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        model.head = TaggerHead(random: head, hiddenSize: 32, mlpSize: 16, seed: 5, relativePosition: relativePosition)
        if head == .residual { // its output layer starts at zero, which would hide the MLP's gradients
            model.head.weight2 = Tensor(shape: [1, 16], data: (0..<16).map { Float($0 % 7) * 0.1 - 0.3 })
        }
        if relativePosition { // non-zero, so the logits depend on it
            model.head.distanceBias = Tensor(shape: [DrugDistance.bucketCount],
                                             data: (0..<DrugDistance.bucketCount).map { Float($0 % 5) * 0.3 - 0.6 })
        }
        model.settings = StudentModel.Settings(head: head, threshold: 0.5, mlpSize: head.hasMLP ? 16 : 0)
        let trainer = TaggerTrainer(model: model, options: TrainingOptions(dropout: 0, attentionDropout: 0))
        let batch = TrainingBatch([encoded(model)[7], encoded(model)[2], encoded(model)[5]]) // lengths differ: padding
        trainer.computeGradients(batch, dropout: 0)
        let analytic = trainer.parameters.gradients.elements
        let values = trainer.parameters.values
        let firstID = Int(batch.sequences[0][1])
        var probes: [(String, Int)] = [("embeddings.word", firstID * 32 + 3), ("embeddings.position", 2 * 32 + 5),
                                       ("embeddings.type", 7), ("embeddings.norm.gamma", 4), ("embeddings.norm.beta", 9)]
        for l in 0..<2 {
            for name in ["qkv.weight", "qkv.bias", "attention_out.weight", "attention_out.bias", "attention_norm.gamma",
                         "attention_norm.beta", "intermediate.weight", "intermediate.bias", "output.weight", "output.bias",
                         "output_norm.gamma", "output_norm.beta"] {
                probes.append(("layer.\(l).\(name)", 11))
                probes.append(("layer.\(l).\(name)", 29))
            }
        }
        probes += [("layer.0.qkv.weight", 32 * 32 + 40), ("layer.0.qkv.weight", 2 * 32 * 32 + 70), ("head.weight1", 3),
                   ("head.weight1", 40), ("head.bias1", 0)]
        if head.hasMLP { probes += [("head.weight1", 3 * 32 * 5 + 70), ("head.weight2", 6), ("head.bias2", 0)] }
        if head == .residual { probes += [("head.skip", 3), ("head.skip", 40)] }
        if relativePosition {
            // The buckets the batch's items use (inside the drug, just before and after it, far away).
            let used = Set(batch.items.flatMap { item in
                item.targets.indices.map { DrugDistance.bucket($0, first: item.drugPieces.min()!, last: item.drugPieces.max()!) }
            })
            XCTAssertTrue(used.contains(7))
            probes += used.sorted().map { ("head.distance", $0) }
        }
        let h: Float = 1e-2
        var largest: Float = 0
        for (name, offset) in probes {
            let index = try XCTUnwrap(values.layout.slot(name)).offset + offset
            let saved = values.base[index]
            values.base[index] = saved + h
            let plus = trainer.loss(batch)
            values.base[index] = saved - h
            let minus = trainer.loss(batch)
            values.base[index] = saved
            let numeric = (plus - minus) / Double(2 * h), exact = Double(analytic[index])
            largest = max(largest, abs(analytic[index]))
            XCTAssertLessThanOrEqual(abs(numeric - exact), 3e-4 + 3e-2 * abs(exact),
                                     "\(head) \(name)[\(offset)]: numeric \(numeric), analytic \(exact)")
        }
        XCTAssertGreaterThan(largest, 1e-3, "the probes must see real gradients")
    }

    func testConcatModelGradientsMatchFiniteDifferences() throws { try checkFullModelGradients(head: .concat) }

    func testInteractionModelGradientsMatchFiniteDifferences() throws { try checkFullModelGradients(head: .interaction) }

    func testResidualModelGradientsMatchFiniteDifferences() throws { try checkFullModelGradients(head: .residual) }

    func testDistanceBiasGradientsMatchFiniteDifferences() throws {
        try checkFullModelGradients(head: .concat, relativePosition: true)
        try checkFullModelGradients(head: .interaction, relativePosition: true)
    }

    /// `--head-lr-scale`: the head's slots move by the scaled rate, the encoder's by the plain one.
    func testHeadRateScaleSpeedsUpOnlyTheHead() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        func firstStepChange(scale: Float) throws -> (head: Float, encoder: Float) {
            var options = TrainingOptions(seed: 2, weightDecay: 0, dropout: 0, attentionDropout: 0)
            options.headRateScale = scale
            let trainer = TaggerTrainer(model: model, options: options)
            let before = trainer.parameters.values.elements
            trainer.step(TrainingBatch(encoded(model)), lr: 1e-3)
            let after = trainer.parameters.values.elements
            let head = try XCTUnwrap(trainer.parameters.values.layout.slot("head.bias1")).offset
            let encoder = try XCTUnwrap(trainer.parameters.values.layout.slot("layer.1.output.bias")).offset
            return (abs(after[head] - before[head]), abs(after[encoder] - before[encoder]))
        }
        let plain = try firstStepChange(scale: 1), scaled = try firstStepChange(scale: 10)
        // Adam's first step moves every parameter by about the rate, whatever its gradient.
        XCTAssertEqual(plain.head, 1e-3, accuracy: 1e-4)
        XCTAssertEqual(scaled.head, 1e-2, accuracy: 1e-3)
        XCTAssertEqual(scaled.encoder, plain.encoder)
    }

    func testTrainingIsDeterministicGivenTheSeed() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        func run() -> [Float] {
            let trainer = TaggerTrainer(model: model, options: TrainingOptions(batchSize: 3, seed: 9, dropout: 0.1))
            for batch in trainer.epochBatches(encoded(model)) { trainer.step(batch, lr: 1e-3) }
            return trainer.parameters.values.elements
        }
        let first = run()
        XCTAssertEqual(first, run())
        XCTAssertNotEqual(first, TrainingParameters(model: model).values.elements, "the steps changed the weights")
    }

    func testEpochBatchesCoverEverySentenceOnceBucketedByLength() throws {
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let trainer = TaggerTrainer(model: model, options: TrainingOptions(batchSize: 2, seed: 3))
        let sentences = encoded(model)
        let batches = trainer.epochBatches(sentences)
        XCTAssertEqual(batches.count, 4)
        XCTAssertEqual(batches.flatMap(\.sequences).sorted { $0.lexicographicallyPrecedes($1) },
                       sentences.map(\.ids).sorted { $0.lexicographicallyPrecedes($1) })
        // Bucketed: the longest sentence shares its batch with the second longest.
        let lengths = sentences.map(\.ids.count).sorted()
        let longest = try XCTUnwrap(batches.first { $0.sequences.contains { $0.count == lengths[7] } })
        XCTAssertEqual(longest.sequences.map(\.count).min(), lengths[6])
    }

    /// Trains the tiny model on the eight sentences until it tags them all exactly (strict F1 = 1).
    func checkOverfits(head: HeadKind, precision: TrainingPrecision = .float32) throws {
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        model.head = TaggerHead(random: head, hiddenSize: 32, mlpSize: 32, seed: 11)
        model.settings = StudentModel.Settings(head: head, threshold: 0.5, mlpSize: head.hasMLP ? 32 : 0)
        var options = TrainingOptions(batchSize: 8, seed: 1, weightDecay: 0, dropout: 0, attentionDropout: 0)
        options.precision = precision
        let trainer = TaggerTrainer(model: model, options: options)
        let batch = TrainingBatch(encoded(model))
        var loss = trainer.loss(batch)
        let initial = loss
        for _ in 0..<300 where loss > 0.01 { loss = trainer.step(batch, lr: 3e-3) }
        XCTAssertLessThan(trainer.loss(batch), initial / 10)
        let trained = trainer.parameters.model(basedOn: model)
        var predicted: [ADEPair] = [], gold: [ADEPair] = []
        for (id, (text, drug, ades)) in Self.sentences.enumerated() {
            let drugSpan = Self.span(drug, in: text), key = DrugKey(mentionID: Int64(id), name: drug)
            let tagged = try trained.tag([TaggerInput(text: text, drugs: [drugSpan])])[0][0]
            predicted += tagged.map { ADEPair(sentenceID: Int64(id), drug: key, span: $0.span) }
            gold += ades.map { ADEPair(sentenceID: Int64(id), drug: key, span: Self.span($0, in: text)) }
        }
        let evaluation = Evaluation(predicted: predicted, gold: gold)
        XCTAssertEqual(evaluation.strict.tp, gold.count, "\(head), \(precision): every gold pair found")
        XCTAssertEqual(evaluation.strict.fp, 0, "\(head), \(precision): nothing spurious")
    }

    func testConcatHeadOverfitsEightSentences() throws { try checkOverfits(head: .concat) }

    func testInteractionHeadOverfitsEightSentences() throws { try checkOverfits(head: .interaction) }

    func testResidualHeadOverfitsEightSentences() throws { try checkOverfits(head: .residual) }
}
