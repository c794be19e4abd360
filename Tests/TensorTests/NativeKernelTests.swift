import Foundation
import XCTest
@testable import Tensor

/// The AVX-512 kernels (`CKernels`) against plain double-precision loops and against the
/// portable Swift/OpenBLAS path. Skipped on CPUs without AVX-512F, where they never run.
final class NativeKernelTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(NativeKernels.available, "the CPU has no AVX-512F: the native kernels never run here")
        NativeKernels.setEnabled(true)
    }

    override func tearDown() {
        NativeKernels.setEnabled(true)
    }

    /// `gelu?(x · wᵀ + b + r)` in Double, from the definitions.
    private func reference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ r: Tensor?, gelu: Bool) -> [Double] {
        let rows = x.shape[0], k = x.shape[1], n = w.shape[0]
        var out = [Double](repeating: 0, count: rows * n)
        for i in 0..<rows {
            for o in 0..<n {
                var sum = Double(b?.data[o] ?? 0) + Double(r?.data[i * n + o] ?? 0)
                for j in 0..<k { sum += Double(x.data[i * k + j]) * Double(w.data[o * k + j]) }
                out[i * n + o] = gelu ? 0.5 * sum * (1 + Foundation.erf(sum / 2.0.squareRoot())) : sum
            }
        }
        return out
    }

    /// Runs a packed product with every fusion over shapes that leave partial row blocks
    /// (12 rows), partial panels (32 columns), several k blocks (256) and row blocks (96), on
    /// one thread and, for the larger shapes, on several sharing one packed input.
    func testPackedLinearMatchesTheDefinitionOnAwkwardShapes() {
        let shapes = [(1, 1, 1), (5, 33, 300), (13, 70, 37), (48, 96, 384), (25, 64, 600), (100, 17, 513), (130, 70, 300)]
        for (s, (rows, n, k)) in shapes.enumerated() {
            let seed = UInt64(10 * s)
            let x = randomTensor([rows, k], seed: seed + 1), w = randomTensor([n, k], seed: seed + 2, scale: 0.2)
            let b = randomTensor([n], seed: seed + 3), r = randomTensor([rows, n], seed: seed + 4)
            for (useBias, useResidual, gelu) in [(true, false, false), (false, false, false), (true, true, false),
                                                 (true, false, true), (true, true, true)] {
                let layer = PackedLinear(weight: w, bias: useBias ? b : nil)
                var out = [Float](repeating: .nan, count: rows * n)
                x.data.withUnsafeBufferPointer { xp in
                    r.data.withUnsafeBufferPointer { rp in
                        out.withUnsafeMutableBufferPointer { op in
                            layer.forward(xp.baseAddress!, rows: rows, residual: useResidual ? rp.baseAddress! : nil,
                                          gelu: gelu, into: op.baseAddress!)
                        }
                    }
                }
                let expected = reference(x, w, useBias ? b : nil, useResidual ? r : nil, gelu: gelu)
                var worst: Double = 0
                for i in out.indices { worst = max(worst, abs(Double(out[i]) - expected[i])) }
                XCTAssertLessThan(worst, 2e-5, "rows \(rows) n \(n) k \(k) bias \(useBias) residual \(useResidual) gelu \(gelu)")
            }
        }
    }

    func testPackedLinearOnBothPathsAgreesAndCopiesItsWeights() {
        var w = randomTensor([40, 50], seed: 7), b = randomTensor([40], seed: 8)
        let x = randomTensor([30, 50], seed: 9)
        let layer = PackedLinear(weight: w, bias: b)
        let native = layer.forward(x, gelu: true)
        NativeKernels.setEnabled(false)
        let portable = layer.forward(x, gelu: true)
        NativeKernels.setEnabled(true)
        XCTAssertEqual(native.shape, [30, 40])
        XCTAssertLessThan(native.maxAbsDifference(portable), 1e-5)
        w.data[0] += 1
        b.data[0] += 1
        XCTAssertEqual(layer.forward(x, gelu: true), native, "the packed layer keeps the weights it was given")
    }

    func testNativeElementwiseKernelsMatchThePortableOnes() {
        let x = randomTensor([37, 97], seed: 11, scale: 5)
        let gamma = randomTensor([97], seed: 12), beta = randomTensor([97], seed: 13), y = randomTensor([37, 97], seed: 14)
        func all() -> [Tensor] {
            [LayerNorm.forward(x, gamma: gamma, beta: beta, eps: 1e-12), GELU.forward(x), Elementwise.add(x, y)]
        }
        let native = all()
        NativeKernels.setEnabled(false)
        let portable = all()
        NativeKernels.setEnabled(true)
        for (i, (a, b)) in zip(native, portable).enumerated() {
            XCTAssertLessThan(a.maxAbsDifference(b), 2e-6, "kernel \(i)")
        }
    }

    /// The training step's AVX-512 kernels (GELU out of place and backward, layer norm's
    /// backward with accumulation, on rows split between threads) against the portable loops.
    func testNativeTrainingKernelsMatchThePortableOnes() {
        let rows = 301, cols = 97 // odd widths: masked tails; enough rows for two chunks
        let x = randomTensor([rows, cols], seed: 21, scale: 3), dOut = randomTensor([rows, cols], seed: 22)
        let gamma = randomTensor([cols], seed: 23), start = randomTensor([rows, cols], seed: 24)
        func run() -> [[Float]] {
            var gelu = [Float](repeating: 0, count: rows * cols), dGelu = gelu, dInput = start.data
            var dGamma = [Float](repeating: 0.5, count: cols), dBeta = dGamma
            x.data.withUnsafeBufferPointer { xp in
                dOut.data.withUnsafeBufferPointer { dp in
                    gamma.data.withUnsafeBufferPointer { gp in
                        GELU.forward(xp.baseAddress!, count: rows * cols, into: &gelu)
                        GELU.backward(xp.baseAddress!, dOut: dp.baseAddress!, count: rows * cols, into: &dGelu)
                        LayerNorm.backward(xp.baseAddress!, rows: rows, cols: cols, gamma: gp.baseAddress!, eps: 1e-12,
                                           dOut: dp.baseAddress!, dInput: &dInput, accumulateInput: true,
                                           dGamma: &dGamma, dBeta: &dBeta)
                    }
                }
            }
            return [gelu, dGelu, dInput, dGamma, dBeta]
        }
        let native = run()
        NativeKernels.setEnabled(false)
        let portable = run()
        NativeKernels.setEnabled(true)
        for (name, (a, b)) in zip(["gelu", "gelu backward", "dInput", "dGamma", "dBeta"], zip(native, portable)) {
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-5, name)
        }
        XCTAssertNotEqual(native[2], start.data, "dInput accumulated")
    }

    /// AdamW fused with clipping's scale and the zeroing of the gradients, on both paths, equals
    /// clipping first (written out here in Double) and then the plain update.
    func testFusedAdamWEqualsClipThenUpdateOnBothPaths() {
        var layout = ParameterLayout()
        layout.add("w", [300, 7], decays: true)
        layout.add("b", [13], decays: false)
        let start = randomTensor([layout.count], seed: 31), grads = randomTensor([layout.count], seed: 32, scale: 4)
        func run(fused: Bool) -> ([Float], [Float]) {
            let p = FlatBuffer(layout: layout), g = FlatBuffer(layout: layout)
            var adam = AdamW(layout: layout, weightDecay: 0.1)
            for step in 0..<3 {
                for i in 0..<layout.count { p.base[i] = step == 0 ? start.data[i] : p.base[i]; g.base[i] = grads.data[i] * Float(step + 1) }
                if fused {
                    let scale = GradientClipping.scale(norm: GradientClipping.norm(g), maxNorm: 1)
                    adam.update(p, gradients: g, lr: 1e-2, gradientScale: scale, zeroGradients: step == 2)
                } else {
                    let norm = (0..<layout.count).reduce(0.0) { $0 + Double(g.base[$1]) * Double(g.base[$1]) }.squareRoot()
                    if norm > 1 { for i in 0..<layout.count { g.base[i] *= Float(1 / (norm + 1e-6)) } }
                    adam.update(p, gradients: g, lr: 1e-2)
                }
            }
            return (p.elements, g.elements)
        }
        let reference = run(fused: false)
        for native in [true, false] {
            NativeKernels.setEnabled(native)
            let (values, gradients) = run(fused: true)
            let worst = zip(values, reference.0).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-6, "native \(native): parameters")
            XCTAssertTrue(gradients.allSatisfy { $0 == 0 }, "native \(native): gradients cleared")
        }
        NativeKernels.setEnabled(true)
    }

    /// Attention over a padded batch on the AVX-512 path equals the OpenBLAS path, heads of a
    /// size that is not a multiple of 16 and sequences longer than 16 included.
    func testNativeAttentionMatchesThePortablePath() {
        for (heads, channels, length, lengths) in [(2, 64, 20, [20, 7, 0, 1]), (3, 30, 37, [37, 16, 17])] {
            let batch = lengths.count
            let qkv = randomTensor([batch, length, 3 * channels], seed: UInt64(channels), scale: 2)
            func run() -> [Float] {
                var context = [Float](repeating: .nan, count: batch * length * channels)
                var scratch = [Float](repeating: 0, count: Parallel.threads * length * length)
                qkv.data.withUnsafeBufferPointer { q in
                    scratch.withUnsafeMutableBufferPointer { s in
                        context.withUnsafeMutableBufferPointer { c in
                            Attention.forward(qkv: q.baseAddress!, batch: batch, length: length, channels: channels,
                                              heads: heads, lengths: lengths, scratch: s.baseAddress!, into: c.baseAddress!)
                        }
                    }
                }
                return context
            }
            let native = run()
            NativeKernels.setEnabled(false)
            let portable = run()
            NativeKernels.setEnabled(true)
            var worst: Float = 0
            for i in native.indices { worst = max(worst, abs(native[i] - portable[i])) }
            XCTAssertLessThan(worst, 1e-5, "heads \(heads) channels \(channels) lengths \(lengths)")
        }
    }
}
