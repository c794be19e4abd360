import Foundation
import XCTest
@testable import Tensor

/// Every backward kernel against central finite differences (tolerances in `GradientCheck`).
final class BackwardTests: XCTestCase {
    func testLinearBackwardGivesInputWeightAndBiasGradients() {
        let rows = 4, inF = 5, outF = 3
        let x = randomTensor([rows, inF], seed: 1).data, w = randomTensor([outF, inF], seed: 2).data
        let b = randomTensor([outF], seed: 3).data, r = randomTensor([rows, outF], seed: 4).data
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            let y = Linear.forward(Tensor(shape: [rows, inF], data: x), weight: Tensor(shape: [outF, inF], data: w),
                                   bias: Tensor(shape: [outF], data: b))
            return GradientCheck.dot(y.data, r)
        }
        let dx = Buffer(repeating: 9, count: rows * inF), dw = Buffer(count: outF * inF), db = Buffer(count: outF)
        Linear.backward(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, dOut: r,
                        dInput: dx.p, dWeight: dw.p, dBias: db.p)
        GradientCheck.check("dInput", x, analytic: dx.values) { loss($0, w, b) }
        GradientCheck.check("dWeight", w, analytic: dw.values) { loss(x, $0, b) }
        GradientCheck.check("dBias", b, analytic: db.values) { loss(x, w, $0) }
    }

    func testLinearBackwardAccumulatesIntoExistingGradients() {
        let x = randomTensor([2, 3], seed: 5).data, w = randomTensor([4, 3], seed: 6).data, r = randomTensor([2, 4], seed: 7).data
        let once = Buffer(count: 12), twice = Buffer(count: 12), dx = Buffer(repeating: 1, count: 6), dxOnce = Buffer(count: 6)
        Linear.backward(x, rows: 2, inFeatures: 3, weight: w, outFeatures: 4, dOut: r, dInput: dxOnce.p,
                        dWeight: once.p, dBias: nil)
        for _ in 0..<2 {
            Linear.backward(x, rows: 2, inFeatures: 3, weight: w, outFeatures: 4, dOut: r, dInput: dx.p,
                            accumulateInput: true, dWeight: twice.p, dBias: nil)
        }
        for i in 0..<12 { XCTAssertEqual(twice.p[i], 2 * once.p[i], accuracy: 1e-5) }
        for i in 0..<6 { XCTAssertEqual(dx.p[i], 1 + 2 * dxOnce.p[i], accuracy: 1e-5) }
    }

    func testLayerNormBackward() {
        let rows = 3, cols = 8
        let x = randomTensor([rows, cols], seed: 8, scale: 2).data, gamma = randomTensor([cols], seed: 9).data
        let beta = randomTensor([cols], seed: 10).data, r = randomTensor([rows, cols], seed: 11).data
        func loss(_ x: [Float], _ g: [Float], _ b: [Float]) -> Double {
            let y = LayerNorm.forward(Tensor(shape: [rows, cols], data: x), gamma: Tensor(shape: [cols], data: g),
                                      beta: Tensor(shape: [cols], data: b), eps: 1e-5)
            return GradientCheck.dot(y.data, r)
        }
        let dx = Buffer(count: rows * cols), dg = Buffer(count: cols), db = Buffer(count: cols)
        LayerNorm.backward(x, rows: rows, cols: cols, gamma: gamma, eps: 1e-5, dOut: r, dInput: dx.p,
                           dGamma: dg.p, dBeta: db.p)
        GradientCheck.check("dInput", x, analytic: dx.values) { loss($0, gamma, beta) }
        GradientCheck.check("dGamma", gamma, analytic: dg.values) { loss(x, $0, beta) }
        GradientCheck.check("dBeta", beta, analytic: db.values) { loss(x, gamma, $0) }
    }

    func testGELUBackwardAcrossItsRange() {
        // 40 values: two 16-lane vectors plus a scalar tail.
        let x = randomTensor([40], seed: 12, scale: 4).data, r = randomTensor([40], seed: 13).data
        let d = Buffer(r)
        GELU.backward(x, dOut: d.p, count: 40, into: d.p)
        GradientCheck.check("gelu", x, analytic: d.values) {
            GradientCheck.dot(GELU.forward(Tensor(shape: [40], data: $0)).data, r)
        }
    }

    func testMaskedSoftmaxBackwardIgnoresMaskedColumns() {
        let rows = 3, cols = 7, valid = 5
        let x = randomTensor([rows, cols], seed: 14, scale: 3).data, r = randomTensor([rows, cols], seed: 15).data
        let y = Softmax.forward(Tensor(shape: [rows, cols], data: x), valid: valid).data
        let d = Buffer(r)
        Softmax.backward(y, d.p, rows: rows, cols: cols, stride: cols, valid: valid)
        GradientCheck.check("softmax", x, analytic: d.values) {
            GradientCheck.dot(Softmax.forward(Tensor(shape: [rows, cols], data: $0), valid: valid).data, r)
        }
        for row in 0..<rows { for j in valid..<cols { XCTAssertEqual(d.p[row * cols + j], 0) } }
    }

    /// Two sequences, one padded: the gradient of padded positions is exactly zero.
    func testAttentionBackwardWithPadding() {
        let batch = 2, length = 5, channels = 8, heads = 2, lengths = [5, 3]
        let qkv = randomTensor([batch, length, 3 * channels], seed: 16, scale: 1.5).data
        let r = randomTensor([batch, length, channels], seed: 17).data
        func run(_ qkv: [Float]) -> (context: [Float], probabilities: [Float]) {
            let context = Buffer(count: batch * length * channels), probabilities = Buffer(count: batch * heads * length * length)
            Attention.forwardSaving(qkv: qkv, batch: batch, length: length, channels: channels, heads: heads,
                                    lengths: lengths, probabilities: probabilities.p, into: context.p)
            return (context.values, probabilities.values)
        }
        let probabilities = run(qkv).probabilities
        let dqkv = Buffer(repeating: 7, count: qkv.count), scratch = Buffer(count: Parallel.threads * length * length)
        Attention.backward(qkv: qkv, probabilities: probabilities, dContext: r, batch: batch, length: length,
                           channels: channels, heads: heads, lengths: lengths, scratch: scratch.p, dQKV: dqkv.p)
        GradientCheck.check("dQKV", qkv, analytic: dqkv.values) { GradientCheck.dot(run($0).context, r) }
        for t in 3..<length { for j in 0..<(3 * channels) { XCTAssertEqual(dqkv.p[(length + t) * 3 * channels + j], 0) } }
    }

    /// The mask is filled by several threads at once, with the numbers one thread draws in
    /// order: element 4i + k from bits 16k… of draw i, and the generator left where it would be.
    func testDropoutMaskFilledInParallelIsTheSerialStream() {
        let count = 300_001 // several chunks of draws, and a partial last draw
        let mask = Buffer(count: count)
        var parallel = RandomState(seed: 99), serial = RandomState(seed: 99)
        Dropout.fillMask(mask.p, count: count, probability: 0.1, state: &parallel)
        let threshold = UInt64((0.1 * 65_536).rounded()), keep: Float = 1 / 0.9
        var mismatches = 0
        for draw in 0..<((count + 3) / 4) {
            var bits = serial.next()
            for i in (4 * draw)..<min(4 * draw + 4, count) {
                if mask.p[i] != (bits & 0xFFFF < threshold ? 0 : keep) { mismatches += 1 }
                bits >>= 16
            }
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertEqual(parallel.next(), serial.next(), "the generator advanced past every draw")
        let dropped = mask.values.filter { $0 == 0 }.count
        XCTAssertEqual(Double(dropped) / Double(count), 0.1, accuracy: 0.005)
    }

    /// With attention-probability dropout (a fixed mask), the backward still matches finite
    /// differences of the forward, and a mask of ones changes nothing.
    func testAttentionBackwardWithProbabilityDropout() {
        let batch = 2, length = 5, channels = 8, heads = 2, lengths = [5, 4]
        let qkv = randomTensor([batch, length, 3 * channels], seed: 26, scale: 1.5).data
        let r = randomTensor([batch, length, channels], seed: 27).data
        let mask = Buffer(count: batch * heads * length * length)
        var state = RandomState(seed: 5)
        Dropout.fillMask(mask.p, count: mask.values.count, probability: 0.3, state: &state)
        XCTAssertTrue(mask.values.contains(0) && mask.values.contains { abs($0 - 1 / 0.7) < 1e-6 })
        func run(_ qkv: [Float], _ mask: UnsafePointer<Float>?) -> (context: [Float], probabilities: [Float]) {
            let context = Buffer(count: batch * length * channels), probabilities = Buffer(count: batch * heads * length * length)
            Attention.forwardSaving(qkv: qkv, batch: batch, length: length, channels: channels, heads: heads,
                                    lengths: lengths, probabilities: probabilities.p, dropoutMask: mask, into: context.p)
            return (context.values, probabilities.values)
        }
        let probabilities = run(qkv, mask.p).probabilities
        XCTAssertEqual(probabilities, run(qkv, nil).probabilities, "the saved probabilities are the undropped ones")
        XCTAssertNotEqual(run(qkv, mask.p).context, run(qkv, nil).context)
        let ones = Buffer(repeating: 1, count: mask.values.count)
        XCTAssertEqual(run(qkv, ones.p).context, run(qkv, nil).context)
        let dqkv = Buffer(count: qkv.count), scratch = Buffer(count: Parallel.threads * length * length)
        Attention.backward(qkv: qkv, probabilities: probabilities, dropoutMask: mask.p, dContext: r, batch: batch,
                           length: length, channels: channels, heads: heads, lengths: lengths, scratch: scratch.p,
                           dQKV: dqkv.p)
        GradientCheck.check("dQKV (dropout)", qkv, analytic: dqkv.values) { GradientCheck.dot(run($0, mask.p).context, r) }
    }

    func testAttentionTrainingForwardEqualsInferenceForward() {
        let batch = 2, length = 6, channels = 8, heads = 2, lengths = [6, 2]
        let qkv = randomTensor([batch, length, 3 * channels], seed: 18, scale: 2).data
        let a = Buffer(count: batch * length * channels), b = Buffer(count: batch * length * channels)
        let probabilities = Buffer(count: batch * heads * length * length)
        let scratch = Buffer(count: Parallel.threads * length * length)
        Attention.forward(qkv: qkv, batch: batch, length: length, channels: channels, heads: heads, lengths: lengths,
                          scratch: scratch.p, into: a.p)
        Attention.forwardSaving(qkv: qkv, batch: batch, length: length, channels: channels, heads: heads,
                                lengths: lengths, probabilities: probabilities.p, into: b.p)
        // The inference forward may run the native AVX-512 kernel, whose exp and summation order
        // differ from the training forward's by float rounding only.
        XCTAssertEqual(a.values.count, b.values.count)
        for (x, y) in zip(a.values, b.values) { XCTAssertEqual(x, y, accuracy: 1e-5) }
    }

    func testEmbeddingBackwardSumsRepeatedIds() {
        let table = randomTensor([6, 3], seed: 19).data, ids: [Int32] = [2, 5, 2, 0], r = randomTensor([4, 3], seed: 20).data
        let dTable = Buffer(count: 18)
        Embedding.backward(dOut: r, dim: 3, ids: ids, count: 4, dTable: dTable.p)
        GradientCheck.check("dTable", table, analytic: dTable.values) {
            GradientCheck.dot(Embedding.forward(table: Tensor(shape: [6, 3], data: $0), ids: ids).data, r)
        }
        XCTAssertEqual(Array(dTable.values[3..<6]), [0, 0, 0], "an id never looked up gets no gradient")
    }

    func testMeanPoolBackwardSpreadsEvenlyOverMembers() {
        let x = randomTensor([5, 4], seed: 21).data, members = [1, 2, 4], r = randomTensor([4], seed: 22).data
        func pooled(_ x: [Float]) -> [Float] {
            let out = Buffer(count: 4)
            MeanPool.forward(x, cols: 4, members: members, into: out.p)
            return out.values
        }
        let dx = Buffer(count: 20)
        MeanPool.backward(dOut: r, cols: 4, members: members, dInput: dx.p)
        GradientCheck.check("meanpool", x, analytic: dx.values) { GradientCheck.dot(pooled($0), r) }
        XCTAssertEqual(Array(dx.values[0..<4]), [0, 0, 0, 0], "rows outside the drug get nothing")
    }

    func testBiasBackwardSumsRows() {
        let b = randomTensor([3], seed: 23).data, x = randomTensor([4, 3], seed: 24).data, r = randomTensor([4, 3], seed: 25).data
        let db = Buffer(count: 3)
        Elementwise.biasBackward(r, rows: 4, cols: 3, dBias: db.p)
        GradientCheck.check("bias", b, analytic: db.values) {
            GradientCheck.dot(Elementwise.addBias(Tensor(shape: [4, 3], data: x), Tensor(shape: [3], data: $0)).data, r)
        }
    }

    func testSigmoidBCEMatchesItsDefinitionAndGradient() {
        let z: [Float] = [-30, -2, -0.3, 0, 0.7, 3, 25], y: [Float] = [0, 1, 0, 1, 1, 0, 1]
        let dz = Buffer(count: 7)
        let total = SigmoidBCE.forwardBackward(logits: z, targets: y, count: 7, normalizer: 7, dLogits: dz.p)
        var exact = 0.0
        for i in 0..<7 {
            let p = 1 / (1 + Foundation.exp(-Double(z[i])))
            exact += y[i] == 1 ? -Foundation.log(p) : -Foundation.log1p(-p)
        }
        XCTAssertEqual(total, exact, accuracy: 1e-4)
        func loss(_ z: [Float]) -> Double {
            let scratch = Buffer(count: 7)
            return SigmoidBCE.forwardBackward(logits: z, targets: y, count: 7, normalizer: 7, dLogits: scratch.p) / 7
        }
        GradientCheck.check("dLogits", z, analytic: dz.values, loss: loss)
    }

    func testDropoutIsSeededAndItsBackwardUsesTheMask() {
        let a = Buffer(repeating: 1, count: 1000), b = Buffer(repeating: 1, count: 1000)
        let maskA = Buffer(count: 1000), maskB = Buffer(count: 1000)
        var s1 = RandomState(seed: 42), s2 = RandomState(seed: 42)
        Dropout.forward(a.p, count: 1000, probability: 0.25, state: &s1, mask: maskA.p)
        Dropout.forward(b.p, count: 1000, probability: 0.25, state: &s2, mask: maskB.p)
        XCTAssertEqual(a.values, b.values, "same seed, same mask")
        let dropped = a.values.filter { $0 == 0 }.count
        XCTAssertGreaterThan(dropped, 180)
        XCTAssertLessThan(dropped, 320)
        XCTAssertTrue(a.values.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 }, "survivors scaled by 1/(1-p)")
        let grad = Buffer(repeating: 2, count: 1000)
        Dropout.backward(grad.p, mask: maskA.p, count: 1000)
        for i in 0..<1000 { XCTAssertEqual(grad.p[i], 2 * maskA.p[i]) }
    }
}
