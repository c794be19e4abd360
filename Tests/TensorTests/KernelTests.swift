import Foundation
import XCTest
@testable import Tensor

/// Every forward kernel against a plain double-precision loop written from its definition.
final class KernelTests: XCTestCase {
    func testLinearIsInputTimesWeightTransposedPlusBias() {
        let x = randomTensor([5, 7], seed: 1), w = randomTensor([3, 7], seed: 2), b = randomTensor([3], seed: 3)
        let y = Linear.forward(x, weight: w, bias: b)
        XCTAssertEqual(y.shape, [5, 3])
        for i in 0..<5 {
            for o in 0..<3 {
                var sum = Double(b.data[o])
                for k in 0..<7 { sum += Double(x[i, k]) * Double(w[o, k]) }
                XCTAssertEqual(y[i, o], Float(sum), accuracy: 1e-5)
            }
        }
        let noBias = Linear.forward(x, weight: w, bias: nil)
        XCTAssertEqual(noBias[2, 1] + b.data[1], y[2, 1], accuracy: 1e-5)
    }

    func testFastExpMatchesFoundationAcrossItsRange() {
        var worst: Double = 0
        for i in 0..<4000 {
            let x = -80 + Float(i) * 0.04
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - exact) / exact)
        }
        XCTAssertLessThan(worst, 1e-6, "relative error of FastMath.exp")
        XCTAssertEqual(FastMath.exp(-200), 0, accuracy: 1e-30, "very negative inputs flush towards 0")
    }

    func testGELUIsTheErfForm() {
        let x = randomTensor([3, 100], seed: 4, scale: 6)
        let y = GELU.forward(x)
        for i in 0..<x.count {
            let v = Double(x.data[i])
            let exact = 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
            XCTAssertEqual(Double(y.data[i]), exact, accuracy: 1e-6, "gelu(\(v))")
        }
        XCTAssertEqual(GELU.forward(Tensor(shape: [1], data: [0])).data[0], 0, accuracy: 1e-9)
    }

    func testGELUOnTwoThreadsEqualsOneThread() {
        let x = randomTensor([300, 400], seed: 5, scale: 4)
        Parallel.setThreads(1)
        let one = GELU.forward(x)
        Parallel.setThreads(2)
        let two = GELU.forward(x)
        XCTAssertEqual(one, two)
    }

    func testLayerNormNormalisesEachRowThenScalesAndShifts() {
        let x = randomTensor([4, 32], seed: 6, scale: 3), g = randomTensor([32], seed: 7), b = randomTensor([32], seed: 8)
        let y = LayerNorm.forward(x, gamma: g, beta: b, eps: 1e-12)
        for r in 0..<4 {
            let row = x.row(r).map(Double.init)
            let mean = row.reduce(0, +) / 32
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 32
            for j in 0..<32 {
                let exact = (row[j] - mean) / (variance + 1e-12).squareRoot() * Double(g.data[j]) + Double(b.data[j])
                XCTAssertEqual(Double(y[r, j]), exact, accuracy: 1e-5)
            }
        }
    }

    func testSoftmaxMasksTheTailAndSumsToOne() {
        let x = randomTensor([3, 10], seed: 9, scale: 5)
        let y = Softmax.forward(x, valid: 7)
        for r in 0..<3 {
            let live = x.row(r).prefix(7).map(Double.init)
            let m = live.max()!
            let sum = live.map { Foundation.exp($0 - m) }.reduce(0, +)
            for j in 0..<7 { XCTAssertEqual(Double(y[r, j]), Foundation.exp(live[j] - m) / sum, accuracy: 1e-6) }
            for j in 7..<10 { XCTAssertEqual(y[r, j], 0) }
            XCTAssertEqual(y.row(r).reduce(0, +), 1, accuracy: 1e-5)
        }
    }

    func testSoftmaxIsStableForLargeLogits() {
        let y = Softmax.forward(Tensor(shape: [1, 3], data: [1000, 1000, -1000]))
        XCTAssertEqual(y.data[0], 0.5, accuracy: 1e-6)
        XCTAssertEqual(y.data[2], 0, accuracy: 1e-6)
    }

    func testEmbeddingLooksUpRows() {
        let table = randomTensor([10, 4], seed: 10)
        let y = Embedding.forward(table: table, ids: [3, 0, 3, 9])
        XCTAssertEqual(Array(y.row(0)), Array(table.row(3)))
        XCTAssertEqual(Array(y.row(3)), Array(table.row(9)))
    }

    func testResidualAndBiasAdd() {
        let a = randomTensor([2, 3], seed: 11), b = randomTensor([2, 3], seed: 12), bias = randomTensor([3], seed: 13)
        let sum = Elementwise.add(a, b)
        XCTAssertEqual(sum[1, 2], a[1, 2] + b[1, 2])
        let biased = Elementwise.addBias(a, bias)
        XCTAssertEqual(biased[1, 0], a[1, 0] + bias.data[0])
    }

    /// Attention with two sequences of different live lengths against a naive per-head loop.
    func testAttentionMatchesNaiveWithPadding() {
        let batch = 2, length = 6, channels = 8, heads = 2, headSize = 4
        let lengths = [6, 4]
        let qkv = randomTensor([batch, length, 3 * channels], seed: 14, scale: 2)
        var context = Tensor(zeros: [batch, length, channels])
        var scratch = [Float](repeating: 0, count: Parallel.threads * length * length)
        qkv.data.withUnsafeBufferPointer { q in
            scratch.withUnsafeMutableBufferPointer { s in
                context.data.withUnsafeMutableBufferPointer { c in
                    Attention.forward(qkv: q.baseAddress!, batch: batch, length: length, channels: channels,
                                      heads: heads, lengths: lengths, scratch: s.baseAddress!, into: c.baseAddress!)
                }
            }
        }
        func at(_ b: Int, _ t: Int, _ c: Int) -> Double { Double(qkv.data[(b * length + t) * 3 * channels + c]) }
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<length {
                    for d in 0..<headSize {
                        let got = Double(context.data[(b * length + i) * channels + h * headSize + d])
                        guard i < lengths[b] else { XCTAssertEqual(got, 0); continue }
                        var scores: [Double] = []
                        for j in 0..<lengths[b] {
                            var dot = 0.0
                            for e in 0..<headSize { dot += at(b, i, h * headSize + e) * at(b, j, channels + h * headSize + e) }
                            scores.append(dot / Double(headSize).squareRoot())
                        }
                        let m = scores.max()!
                        let weights = scores.map { Foundation.exp($0 - m) }
                        let total = weights.reduce(0, +)
                        var exact = 0.0
                        for j in 0..<lengths[b] { exact += weights[j] / total * at(b, j, 2 * channels + h * headSize + d) }
                        XCTAssertEqual(got, exact, accuracy: 1e-5, "b\(b) h\(h) i\(i) d\(d)")
                    }
                }
            }
        }
    }

    func testParallelChunksCoverEveryIndexOnce() {
        var hits = [Int](repeating: 0, count: 100_003)
        hits.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            Parallel.forEachChunk(100_003, minimumPerThread: 10) { range in
                for i in range { base[i] += 1 }
            }
        }
        XCTAssertTrue(hits.allSatisfy { $0 == 1 })
    }
}
