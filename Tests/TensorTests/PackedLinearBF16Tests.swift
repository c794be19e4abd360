import Foundation
import XCTest
@testable import Tensor

/// Inference's bf16 Linear (`PackedLinear` with `.bfloat16`, `CKernels/linear_bf16.c`) against
/// a double-precision product of the same bf16-rounded inputs, with the float32 bias, residual
/// and GELU. Skipped with a message where the CPU has no AVX512-BF16 (or AVX-512F), or
/// `VIGIL_NO_AVX512BF16` switches it off.
final class PackedLinearBF16Tests: XCTestCase {
    private func requireBF16() throws {
        try XCTSkipUnless(NativeKernels.available && BF16GEMM.inferenceAvailable,
                          "the CPU has no AVX512-BF16 (or VIGIL_NO_AVX512BF16 is set): inference's bf16 products never run here")
    }

    /// x rounded to the nearest bfloat16, ties to even.
    private func bf16(_ x: Float) -> Double {
        let bits = x.bitPattern
        return Double(Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000))
    }

    private func geluReference(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }

    func testEveryShapeMatchesTheRoundedProductWithBiasResidualAndGELU() throws {
        try requireBF16()
        // Partial row panels (12) and column panels (32), odd k (a half pair), k past one block
        // (384) and MiniLM's own shapes.
        let shapes = [(1, 32, 16), (5, 7, 3), (13, 33, 31), (12, 64, 384), (40, 100, 385), (48, 384, 1536), (25, 1152, 384)]
        for (s, (m, n, k)) in shapes.enumerated() {
            for (residual, gelu) in [(false, false), (true, false), (false, true), (true, true)] {
                let seed = UInt64(10 * s) + (residual ? 1 : 0) + (gelu ? 2 : 0)
                let w = randomTensor([n, k], seed: seed + 100), b = randomTensor([n], seed: seed + 200)
                let x = randomTensor([m, k], seed: seed + 300), r = randomTensor([m, n], seed: seed + 400)
                let layer = PackedLinear(weight: w, bias: b, precision: .bfloat16)
                XCTAssertEqual(layer.precision, .bfloat16)
                var out = [Float](repeating: .nan, count: m * n)
                x.data.withUnsafeBufferPointer { xp in
                    r.data.withUnsafeBufferPointer { rp in
                        out.withUnsafeMutableBufferPointer { op in
                            layer.forward(xp.baseAddress!, rows: m, residual: residual ? rp.baseAddress! : nil,
                                          gelu: gelu, into: op.baseAddress!)
                        }
                    }
                }
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = Double(b.data[j])
                        for p in 0..<k { sum += bf16(x.data[i * k + p]) * bf16(w.data[j * k + p]) }
                        if residual { sum += Double(r.data[i * n + j]) }
                        if gelu { sum = geluReference(sum) }
                        worst = max(worst, abs(sum - Double(out[i * n + j])))
                    }
                }
                XCTAssertLessThan(worst, 1e-6 * Double(k) + 1e-4, "m \(m) n \(n) k \(k) residual \(residual) gelu \(gelu)")
            }
        }
    }

    /// 1 + 2⁻¹⁰ is exact in float32 but rounds to 1 in bfloat16: the product shows which ran,
    /// and that a float32 layer is untouched by the bf16 one.
    func testTheBF16LayerRoundsAndTheFloat32LayerDoesNot() throws {
        try requireBF16()
        let k = 64, n = 32
        let w = Tensor(shape: [n, k], data: [Float](repeating: 1, count: n * k))
        let x = Tensor(shape: [1, k], data: [Float](repeating: 1 + 1.0 / 1024, count: k))
        let bf = PackedLinear(weight: w, bias: nil, precision: .bfloat16).forward(x)
        let fp = PackedLinear(weight: w, bias: nil).forward(x)
        XCTAssertEqual(bf.data, [Float](repeating: Float(k), count: n))
        XCTAssertEqual(fp.data, [Float](repeating: Float(k) * (1 + 1.0 / 1024), count: n))
    }
}
