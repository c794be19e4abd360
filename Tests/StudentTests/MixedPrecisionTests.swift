import Foundation
import Tensor
import XCTest
@testable import Student

/// Training with bfloat16 weight products (`--precision bf16`): the step stays close to the
/// float32 step without being it, and the tiny model still overfits. Skipped on CPUs without
/// AMX-BF16, where the option is refused.
extension TrainingTests {
    private func gradients(_ model: StudentModel, _ precision: MatmulPrecision) -> (loss: Double, gradients: [Float]) {
        var options = TrainingOptions(batchSize: 8, seed: 3)
        options.precision = precision
        let trainer = TaggerTrainer(model: model, options: options)
        let loss = trainer.computeGradients(TrainingBatch(encoded(model)), dropout: 0)
        return (loss, trainer.parameters.gradients.elements)
    }

    func testABF16StepIsCloseToTheFloat32StepButNotEqual() throws {
        try XCTSkipUnless(BF16GEMM.available, "the CPU has no AMX-BF16: bf16 training never runs here")
        let model = try StudentModel.load(directory: Fixtures.tinyBERT)
        let single = gradients(model, .float32), mixed = gradients(model, .bfloat16)
        XCTAssertEqual(mixed.loss, single.loss, accuracy: 1e-2 * abs(single.loss))
        var difference = 0.0, norm = 0.0, dot = 0.0, mixedNorm = 0.0
        for (x, y) in zip(single.gradients, mixed.gradients) {
            difference += Double(x - y) * Double(x - y)
            norm += Double(x) * Double(x)
            mixedNorm += Double(y) * Double(y)
            dot += Double(x) * Double(y)
        }
        XCTAssertGreaterThan(difference, 0, "the bf16 path ran: rounding changed the gradients")
        // bf16 keeps 8 bits of mantissa. Measured on this fixture: relative L2 error 0.005, cosine 0.99999.
        XCTAssertLessThan((difference / norm).squareRoot(), 0.02, "relative L2 error of the gradient")
        XCTAssertGreaterThan(dot / (norm * mixedNorm).squareRoot(), 0.999, "cosine between the two gradients")
    }

    func testConcatHeadOverfitsEightSentencesInBF16() throws {
        try XCTSkipUnless(BF16GEMM.available, "the CPU has no AMX-BF16: bf16 training never runs here")
        try checkOverfits(head: .concat, precision: .bfloat16)
    }
}
