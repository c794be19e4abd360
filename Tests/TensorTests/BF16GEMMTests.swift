import Foundation
import XCTest
@testable import Tensor

/// The bfloat16 products, on each path the CPU has (AMX, AVX512-BF16), against a
/// double-precision product of the same bf16-rounded inputs. A path the CPU lacks (or that
/// `VIGIL_NO_AMX` / `VIGIL_NO_AVX512BF16` switches off) is skipped with a message.
final class BF16GEMMTests: XCTestCase {
    /// The paths to test here; skips the test when there are none.
    private func paths() throws -> [BF16GEMM.Path] {
        let paths = BF16GEMM.enabledPaths()
        try XCTSkipIf(paths.isEmpty, "the CPU has neither AMX-BF16 (with the tile state granted) nor AVX512-BF16, "
                      + "or VIGIL_NO_AMX / VIGIL_NO_AVX512BF16 switch them off: bf16 products never run here")
        return paths
    }

    /// x rounded to the nearest bfloat16, ties to even (what VCVTNE2PS2BF16 does).
    private func bf16(_ x: Float) -> Double {
        let bits = x.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Double(Float(bitPattern: rounded))
    }

    func testEveryTransposeAndBetaMatchesTheRoundedProductOnAwkwardShapes() throws {
        for path in try paths() { checkRoundedProducts(path) }
    }

    private func checkRoundedProducts(_ path: BF16GEMM.Path) {
        // Shapes with partial 8-, 16- and 32-blocks in every dimension, one exact, one with k of 768.
        let shapes = [(16, 16, 16), (37, 45, 50), (64, 96, 384), (33, 17, 31), (100, 70, 768), (19, 33, 16)]
        for (s, (m, n, k)) in shapes.enumerated() {
            for transA in [false, true] {
                for transB in [false, true] {
                    for beta: Float in [0, 1] {
                        let seed = UInt64(100 * s) + (transA ? 10 : 0) + (transB ? 20 : 0) + UInt64(beta)
                        // Leading dimensions wider than the matrices, to catch stride mistakes.
                        let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2
                        let a = randomTensor([(transA ? k : m) * lda], seed: seed + 1)
                        let b = randomTensor([(transB ? n : k) * ldb], seed: seed + 2)
                        let c0 = randomTensor([m * ldc], seed: seed + 3)
                        var c = c0.data
                        a.data.withUnsafeBufferPointer { ap in
                            b.data.withUnsafeBufferPointer { bp in
                                c.withUnsafeMutableBufferPointer { cp in
                                    BF16GEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k,
                                                  a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                                                  beta: beta, c: cp.baseAddress!, ldc: ldc, path: path)
                                }
                            }
                        }
                        var worst = 0.0
                        for i in 0..<m {
                            for j in 0..<n {
                                var sum = beta == 1 ? Double(c0.data[i * ldc + j]) : 0
                                for p in 0..<k {
                                    let x = transA ? a.data[p * lda + i] : a.data[i * lda + p]
                                    let y = transB ? b.data[j * ldb + p] : b.data[p * ldb + j]
                                    sum += bf16(x) * bf16(y)
                                }
                                worst = max(worst, abs(sum - Double(c[i * ldc + j])))
                            }
                            // The padding between rows of C is never written.
                            for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], c0.data[i * ldc + j]) }
                        }
                        // float32 accumulation of k products of size ≤ 1.
                        XCTAssertLessThan(worst, 1e-6 * Double(k) + 1e-5,
                                          "\(path): m \(m) n \(n) k \(k) transA \(transA) transB \(transB) beta \(beta)")
                    }
                }
            }
        }
    }

    /// 1 + 2⁻¹⁰ is exact in float32 but rounds to 1 in bfloat16: the product shows which ran.
    private func onesProduct(_ path: BF16GEMM.Path?) -> [Float] {
        let m = 16, n = 16, k = 16
        let a = [Float](repeating: 1 + 1.0 / 1024, count: m * k), b = [Float](repeating: 1, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    BF16GEMM.gemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n,
                                  c: cp.baseAddress!, ldc: n, path: path)
                }
            }
        }
        return c
    }

    func testRoundingIsCoarserThanFloat32SoTheTestAboveCanTellThePathsApart() throws {
        for path in try paths() {
            let c = onesProduct(path)
            XCTAssertEqual(c[0], 16, "\(path): bf16 inputs: 16 × 1 · 1")
            XCTAssertEqual(Set(c).count, 1, "\(path)")
        }
    }

    /// Runs on every CPU: without a path the product is float32 `sgemm`.
    func testWithoutAPathTheProductIsFloat32() {
        let c = onesProduct(nil)
        XCTAssertEqual(c[0], 16 * (1 + 1.0 / 1024), accuracy: 1e-6)
        XCTAssertEqual(Set(c).count, 1)
    }

    /// Runs on every CPU: AMX comes first, then AVX512-BF16, and each environment variable
    /// switches its path off as if the CPU lacked it.
    func testThePathIsChosenByCPUFeatureAndTheDisablingVariables() {
        let all: (BF16GEMM.Path) -> Bool = { _ in true }
        let dpOnly: (BF16GEMM.Path) -> Bool = { $0 == .avx512BF16 }
        XCTAssertEqual(BF16GEMM.choosePath(supported: all, environment: [:]), .amx)
        XCTAssertEqual(BF16GEMM.choosePath(supported: all, environment: ["VIGIL_NO_AMX": "1"]), .avx512BF16)
        XCTAssertEqual(BF16GEMM.choosePath(supported: dpOnly, environment: [:]), .avx512BF16)
        XCTAssertNil(BF16GEMM.choosePath(supported: dpOnly, environment: ["VIGIL_NO_AVX512BF16": "1"]))
        XCTAssertNil(BF16GEMM.choosePath(supported: all, environment: ["VIGIL_NO_AMX": "1", "VIGIL_NO_AVX512BF16": "1"]))
        XCTAssertNil(BF16GEMM.choosePath(supported: { _ in false }, environment: [:]))
        // This process's path follows the same rule.
        XCTAssertEqual(BF16GEMM.path, BF16GEMM.choosePath(supported: \.supported, environment: ProcessInfo.processInfo.environment))
    }
}

/// `Linear.backward` runs its two products in the precisions it is given.
final class LinearBackwardPrecisionTests: XCTestCase {
    func testTheWeightGradientProductCanStayFloat32WhileTheInputGradientRounds() throws {
        try XCTSkipUnless(BF16GEMM.available, "the CPU has neither AMX-BF16 nor AVX512-BF16: bf16 products never run here")
        // 1 + 2⁻¹⁰ is exact in float32 and rounds to 1 in bfloat16, so each product shows its precision.
        let rows = 16, inFeatures = 16, outFeatures = 16, x: Float = 1 + 1.0 / 1024
        let input = [Float](repeating: x, count: rows * inFeatures)
        let weight = [Float](repeating: 1, count: outFeatures * inFeatures)
        let dOut = [Float](repeating: x, count: rows * outFeatures)
        func run(_ precision: MatmulPrecision, _ weightPrecision: MatmulPrecision?) -> (dInput: Float, dWeight: Float) {
            var dInput = [Float](repeating: 0, count: rows * inFeatures), dWeight = [Float](repeating: 0, count: outFeatures * inFeatures)
            Linear.backward(input, rows: rows, inFeatures: inFeatures, weight: weight, outFeatures: outFeatures, dOut: dOut,
                            dInput: &dInput, dWeight: &dWeight, dBias: nil, precision: precision, weightPrecision: weightPrecision)
            return (dInput[0], dWeight[0])
        }
        let exactInput = Float(outFeatures) * x, exactWeight = Float(rows) * x * x
        let mixed = run(.bfloat16, .float32)
        XCTAssertEqual(mixed.dInput, Float(outFeatures), "dInput from bf16 inputs")
        XCTAssertEqual(mixed.dWeight, exactWeight, accuracy: 1e-5, "dWeight in float32")
        let rounded = run(.bfloat16, nil)
        XCTAssertEqual(rounded.dWeight, Float(rows), "by default dWeight takes the input gradient's precision")
        let single = run(.float32, nil)
        XCTAssertEqual(single.dInput, exactInput, accuracy: 1e-5)
        XCTAssertEqual(single.dWeight, exactWeight, accuracy: 1e-5)
    }
}
