import Foundation
import Tensor
import XCTest
@testable import Student

/// Training with bfloat16 products (`--precision bf16` and `bf16-all`): the step stays close to
/// the float32 step without being it, keeping the weight gradients in float32 brings it closer,
/// and the tiny model still overfits. Skipped on CPUs without AMX-BF16 and AVX512-BF16, where the options are
/// refused.
extension TrainingTests {
    private func gradients(_ model: StudentModel, _ precision: TrainingPrecision) -> (loss: Double, gradients: [Float]) {
        var options = TrainingOptions(batchSize: 8, seed: 3)
        options.precision = precision
        let trainer = TaggerTrainer(model: model, options: options)
        let loss = trainer.computeGradients(TrainingBatch(encoded(model)), dropout: 0)
        return (loss, trainer.parameters.gradients.elements)
    }

    /// Relative L2 distance and cosine between a gradient and the float32 one.
    private func distance(_ single: [Float], _ mixed: [Float]) -> (relative: Double, cosine: Double) {
        var difference = 0.0, norm = 0.0, dot = 0.0, mixedNorm = 0.0
        for (x, y) in zip(single, mixed) {
            difference += Double(x - y) * Double(x - y)
            norm += Double(x) * Double(x)
            mixedNorm += Double(y) * Double(y)
            dot += Double(x) * Double(y)
        }
        return ((difference / norm).squareRoot(), dot / (norm * mixedNorm).squareRoot())
    }

    func testABF16StepIsCloseToTheFloat32StepButNotEqual() throws {
        try XCTSkipUnless(BF16GEMM.available, "the CPU has neither AMX-BF16 nor AVX512-BF16: bf16 training never runs here")
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let single = gradients(model, .float32)
        for precision in [TrainingPrecision.bfloat16, .bfloat16All] {
            let mixed = gradients(model, precision)
            XCTAssertEqual(mixed.loss, single.loss, accuracy: 1e-2 * abs(single.loss), "\(precision)")
            let d = distance(single.gradients, mixed.gradients)
            XCTAssertGreaterThan(d.relative, 0, "the \(precision) path ran: rounding changed the gradients")
            // bf16 keeps 8 bits of mantissa. Measured on this fixture: relative L2 error 0.005, cosine 0.99999.
            XCTAssertLessThan(d.relative, 0.02, "\(precision): relative L2 error of the gradient")
            XCTAssertGreaterThan(d.cosine, 0.999, "\(precision): cosine between the two gradients")
        }
    }

    /// `bf16` and `bf16-all` differ only in the encoder's weight-gradient products, which feed
    /// nothing else: the same loss and the same gradient everywhere but those weights, where
    /// `bf16`'s float32 products come closer to the float32 step.
    func testFloat32WeightGradientsChangeOnlyTheWeightGradientsAndBringThemCloserToFloat32() throws {
        try XCTSkipUnless(BF16GEMM.available, "the CPU has neither AMX-BF16 nor AVX512-BF16: bf16 training never runs here")
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let single = gradients(model, .float32), mixed = gradients(model, .bfloat16), all = gradients(model, .bfloat16All)
        XCTAssertEqual(mixed.loss, all.loss, "one forward pass")
        let layout = TrainingParameters(model: model).values.layout
        let products = ["qkv.weight", "attention_out.weight", "intermediate.weight", "output.weight"]
        func part(_ g: [Float], weights: Bool) -> [Float] {
            layout.slots.filter { slot in (slot.name.hasPrefix("layer.") && products.contains { slot.name.hasSuffix("." + $0) }) == weights }
                .flatMap { g[$0.offset..<($0.offset + $0.count)] }
        }
        XCTAssertEqual(part(mixed.gradients, weights: false), part(all.gradients, weights: false),
                       "biases, layer norms, embeddings and head: bit-equal")
        let near = distance(part(single.gradients, weights: true), part(mixed.gradients, weights: true))
        let far = distance(part(single.gradients, weights: true), part(all.gradients, weights: true))
        XCTAssertLessThan(near.relative, far.relative, "the weight gradients: bf16 against bf16-all")
    }

    func testConcatHeadOverfitsEightSentencesInBF16() throws {
        try XCTSkipUnless(BF16GEMM.available, "the CPU has neither AMX-BF16 nor AVX512-BF16: bf16 training never runs here")
        try checkOverfits(head: .concat, precision: .bfloat16)
    }
}
