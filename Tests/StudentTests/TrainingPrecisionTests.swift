import Student
import Tensor
import XCTest

/// `--precision` values, on any CPU (AMX availability passed in).
final class TrainingPrecisionOptionTests: XCTestCase {
    func testAutoPicksBF16OnlyWhereAMXIs() throws {
        XCTAssertEqual(try TrainingPrecision.resolve("auto", amxAvailable: true), .bfloat16)
        XCTAssertEqual(try TrainingPrecision.resolve("auto", amxAvailable: false), .float32)
        XCTAssertEqual(try TrainingPrecision.resolve("fp32", amxAvailable: true), .float32)
        XCTAssertEqual(try TrainingPrecision.resolve("bf16", amxAvailable: true), .bfloat16)
        XCTAssertEqual(try TrainingPrecision.resolve("bf16-all", amxAvailable: true), .bfloat16All)
    }

    func testBF16WithoutAMXAndUnknownValuesAreClearErrors() {
        for option in ["bf16", "bf16-all"] {
            XCTAssertThrowsError(try TrainingPrecision.resolve(option, amxAvailable: false)) { error in
                XCTAssertTrue("\(error)".contains("--precision \(option) needs"), "names the value: \(error)")
                XCTAssertTrue("\(error)".contains("AMX-BF16"), "\(error)")
                XCTAssertTrue("\(error)".contains("--precision fp32"), "\(error)")
            }
        }
        XCTAssertThrowsError(try TrainingPrecision.resolve("fp16", amxAvailable: true)) { error in
            XCTAssertTrue("\(error)".contains("--precision fp16"), "names the value: \(error)")
        }
    }

    func testOnlyBF16AllRoundsTheWeightGradients() {
        XCTAssertEqual(TrainingPrecision.allCases.map(\.products), [.float32, .bfloat16, .bfloat16])
        XCTAssertEqual(TrainingPrecision.allCases.map(\.weightGradients), [.float32, .float32, .bfloat16])
    }
}
