import XCTest
@testable import Tensor

/// The OpenBLAS core-type check decides to re-exec only when it is safe and useful.
final class BLASRuntimeTests: XCTestCase {
    let avx512 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw\n"
    let avx2 = "processor\t: 0\nflags\t\t: fpu sse2 avx2\n"

    func testUpgradesAFallbackCoreOnAnAVX512CPU() {
        XCTAssertTrue(BLASRuntime.shouldUpgrade(coreName: "Prescott", cpuinfo: avx512, environment: [:]))
    }

    func testNeverUpgradesWithoutAVX512() {
        XCTAssertFalse(BLASRuntime.shouldUpgrade(coreName: "Prescott", cpuinfo: avx2, environment: [:]))
    }

    func testKeepsARecognisedCore() {
        XCTAssertFalse(BLASRuntime.shouldUpgrade(coreName: "SkylakeX", cpuinfo: avx512, environment: [:]))
        XCTAssertFalse(BLASRuntime.shouldUpgrade(coreName: "Haswell", cpuinfo: avx512, environment: [:]))
    }

    func testRespectsAnExplicitCoreTypeSoItCannotLoop() {
        XCTAssertFalse(BLASRuntime.shouldUpgrade(coreName: "Prescott", cpuinfo: avx512,
                                                 environment: ["OPENBLAS_CORETYPE": "PRESCOTT"]))
    }

    func testReportsALoadedCoreName() {
        XCTAssertFalse(BLAS.coreName.isEmpty)
    }

    func testReExecSetsOnlyWhatIsMissingAndThenStops() {
        XCTAssertEqual(BLASRuntime.environmentUpdates(coreName: "Prescott", cpuinfo: avx512, environment: [:]),
                       ["OPENBLAS_CORETYPE": "SKYLAKEX", "OPENBLAS_THREAD_TIMEOUT": "4"])
        XCTAssertEqual(BLASRuntime.environmentUpdates(coreName: "SkylakeX", cpuinfo: avx512, environment: [:]),
                       ["OPENBLAS_THREAD_TIMEOUT": "4"])
        let after = ["OPENBLAS_CORETYPE": "SKYLAKEX", "OPENBLAS_THREAD_TIMEOUT": "4"]
        XCTAssertEqual(BLASRuntime.environmentUpdates(coreName: "SkylakeX", cpuinfo: avx512, environment: after), [:])
        XCTAssertEqual(BLASRuntime.environmentUpdates(coreName: "Prescott", cpuinfo: avx512,
                                                      environment: ["VIGIL_NO_BLAS_REEXEC": "1"]), [:])
    }
}
