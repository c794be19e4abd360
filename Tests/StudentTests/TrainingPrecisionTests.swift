import Student
import Tensor
import XCTest

/// `--precision` values, on any CPU (the bf16 path passed in).
final class TrainingPrecisionOptionTests: XCTestCase {
    func testAutoPicksBF16OnlyWhereAMXIs() throws {
        XCTAssertEqual(try TrainingPrecision.resolve("auto", path: .amx), .bfloat16)
        XCTAssertEqual(try TrainingPrecision.resolve("auto", path: nil), .float32)
        // No F1 check has been run for AVX512-BF16: auto stays fp32 there.
        XCTAssertEqual(try TrainingPrecision.resolve("auto", path: .avx512BF16), .float32)
        XCTAssertEqual(try TrainingPrecision.resolve("fp32", path: .amx), .float32)
        for path in BF16GEMM.Path.allCases {
            XCTAssertEqual(try TrainingPrecision.resolve("bf16", path: path), .bfloat16, "\(path)")
            XCTAssertEqual(try TrainingPrecision.resolve("bf16-all", path: path), .bfloat16All, "\(path)")
        }
    }

    func testTheLogNamesThePathTheProductsRunOn() {
        XCTAssertEqual(TrainingPrecision.bfloat16.logDescription(path: .amx), "bf16 products (AMX), fp32 weight gradients")
        XCTAssertEqual(TrainingPrecision.bfloat16All.logDescription(path: .avx512BF16),
                       "bf16 products (AVX512-BF16), weight gradients included")
        XCTAssertEqual(TrainingPrecision.float32.logDescription(path: .avx512BF16), "fp32 products")
    }

    func testBF16WithoutABF16PathAndUnknownValuesAreClearErrors() {
        for option in ["bf16", "bf16-all"] {
            XCTAssertThrowsError(try TrainingPrecision.resolve(option, path: nil)) { error in
                XCTAssertTrue("\(error)".contains("--precision \(option) needs"), "names the value: \(error)")
                XCTAssertTrue("\(error)".contains("AMX-BF16"), "\(error)")
                XCTAssertTrue("\(error)".contains("AVX512-BF16"), "\(error)")
                XCTAssertTrue("\(error)".contains("--precision fp32"), "\(error)")
            }
        }
        XCTAssertThrowsError(try TrainingPrecision.resolve("fp16", path: .amx)) { error in
            XCTAssertTrue("\(error)".contains("--precision fp16"), "names the value: \(error)")
        }
    }

    func testOnlyBF16AllRoundsTheWeightGradients() {
        XCTAssertEqual(TrainingPrecision.allCases.map(\.products), [.float32, .bfloat16, .bfloat16])
        XCTAssertEqual(TrainingPrecision.allCases.map(\.weightGradients), [.float32, .float32, .bfloat16])
    }
}
