import XCTest
@testable import Student
@testable import Tensor

/// `vigil predict --precision`: what each value resolves to, and the bf16 encoder against the
/// float32 one (skipped with a message where the CPU has no AVX512-BF16).
final class InferencePrecisionTests: XCTestCase {
    func testValuesResolveByWhatTheCPUCanRun() throws {
        XCTAssertEqual(try InferencePrecision.resolve("auto", available: true), .bfloat16)
        XCTAssertEqual(try InferencePrecision.resolve("auto", available: false), .float32)
        XCTAssertEqual(try InferencePrecision.resolve("fp32", available: true), .float32)
        XCTAssertEqual(try InferencePrecision.resolve("bf16", available: true), .bfloat16)
        XCTAssertThrowsError(try InferencePrecision.resolve("bf16", available: false)) { error in
            XCTAssertTrue("\(error)".contains("AVX512-BF16"), "\(error)")
        }
        XCTAssertThrowsError(try InferencePrecision.resolve("half", available: true)) { error in
            XCTAssertTrue("\(error)".contains("--precision half"), "\(error)")
        }
    }

    func testTheBF16EncoderStaysCloseToFloat32AndSaysWhichItIs() throws {
        let config = BertConfig(vocabularySize: 200, hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 128)
        let fp32 = BertEncoder(config: config, weights: BertWeights(random: config, seed: 3))
        let bf16 = fp32.with(precision: .bfloat16)
        XCTAssertEqual(fp32.precision, .float32)
        try XCTSkipUnless(NativeKernels.available && BF16GEMM.inferenceAvailable,
                          "the CPU has no AVX512-BF16 (or VIGIL_NO_AVX512BF16 is set): the encoder stays float32 here")
        XCTAssertEqual(bf16.precision, .bfloat16)
        let ids: [[Int32]] = [[101, 7, 50, 199, 102], [101, 33, 102]]
        let a = try fp32.forward(ids).hidden.data, b = try bf16.forward(ids).hidden.data
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0, differs = false
        for (x, y) in zip(a, b) {
            worst = max(worst, abs(x - y))
            if x != y { differs = true }
        }
        // Layer-normed states of size about 1; bf16 keeps 8 bits of mantissa.
        XCTAssertLessThan(worst, 0.1)
        XCTAssertTrue(differs, "the bf16 encoder gave float32's states bit for bit: its products did not round")
    }
}
