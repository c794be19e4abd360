import Foundation
import XCTest
@testable import Tensor

/// AdamW, the learning-rate schedule, clipping and the flat parameter buffer.
final class OptimizerTests: XCTestCase {
    private func layout() -> ParameterLayout {
        var layout = ParameterLayout()
        layout.add("w", [2, 2], decays: true)
        layout.add("b", [2], decays: false)
        return layout
    }

    func testFlatBufferHasNamedViewsInLayoutOrder() {
        let buffer = FlatBuffer(layout: layout())
        XCTAssertEqual(buffer.count, 6)
        buffer.set("b", Tensor(shape: [2], data: [5, 6]))
        buffer["w"][3] = 4
        XCTAssertEqual(buffer.elements, [0, 0, 0, 4, 5, 6])
        XCTAssertEqual(buffer.tensor("w"), Tensor(shape: [2, 2], data: [0, 0, 0, 4]))
        buffer.zero()
        XCTAssertEqual(buffer.elements, [0, 0, 0, 0, 0, 0])
    }

    /// Two steps against the update written out in Double from PyTorch's AdamW definition.
    func testAdamWMatchesItsDefinitionAndDecaysOnlyMarkedSlots() {
        let parameters = FlatBuffer(layout: layout()), gradients = FlatBuffer(layout: layout())
        let start: [Float] = [0.5, -1, 2, 0.25, 1, -2]
        for i in 0..<6 { parameters.base[i] = start[i] }
        var adam = AdamW(layout: layout(), weightDecay: 0.1)
        let grads: [[Float]] = [[0.1, -0.2, 0.3, 0, 1, -1], [0.05, 0.2, -0.3, 0.5, -1, 2]]
        var p = start.map(Double.init), m = [Double](repeating: 0, count: 6), v = m
        let lr = 0.01, decays = [true, true, true, true, false, false]
        for (t, g) in grads.enumerated() {
            for i in 0..<6 { gradients.base[i] = g[i] }
            adam.update(parameters, gradients: gradients, lr: Float(lr))
            for i in 0..<6 {
                if decays[i] { p[i] *= 1 - lr * 0.1 }
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1))), vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                p[i] -= lr * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        for i in 0..<6 { XCTAssertEqual(Double(parameters.base[i]), p[i], accuracy: 1e-6, "parameter \(i)") }
        XCTAssertEqual(adam.step, 2)
    }

    func testLinearScheduleWarmsUpThenDecaysToZero() {
        let schedule = LinearSchedule(peak: 1e-3, warmupSteps: 4, totalSteps: 20)
        XCTAssertEqual(schedule.rate(0), 0)
        XCTAssertEqual(schedule.rate(2), 5e-4, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(4), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(12), 5e-4, accuracy: 1e-9)
        XCTAssertEqual(schedule.rate(20), 0)
        XCTAssertEqual(schedule.rate(25), 0)
        XCTAssertEqual(LinearSchedule(peak: 2, warmupSteps: 0, totalSteps: 4).rate(0), 2)
    }

    /// Clipping's factor, applied by AdamW's pass: the gradients it leaves behind are scaled only
    /// when their norm is above the maximum.
    func testClippingScalesToTheMaximumNormOnlyWhenAbove() {
        let gradients = FlatBuffer(layout: layout()), parameters = FlatBuffer(layout: layout())
        let values: [Float] = [3, 0, 0, 4, 0, 0]
        for i in 0..<6 { gradients.base[i] = values[i] }
        var adam = AdamW(layout: layout())
        XCTAssertEqual(GradientClipping.norm(gradients), 5, accuracy: 1e-6)
        adam.update(parameters, gradients: gradients, lr: 0,
                    gradientScale: GradientClipping.scale(norm: 5, maxNorm: 10))
        XCTAssertEqual(gradients.elements, values, "below the maximum: unchanged")
        adam.update(parameters, gradients: gradients, lr: 0,
                    gradientScale: GradientClipping.scale(norm: GradientClipping.norm(gradients), maxNorm: 1))
        XCTAssertEqual(gradients.base[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(gradients.base[3], 0.8, accuracy: 1e-5)
        adam.update(parameters, gradients: gradients, lr: 0, zeroGradients: true)
        XCTAssertEqual(gradients.elements, [0, 0, 0, 0, 0, 0], "cleared for the next step")
    }

    /// The norm over a word table of which only some rows are live reads only those rows and
    /// agrees with the dense norm; rows out of range are ignored.
    func testSparseRowNormEqualsTheDenseNorm() {
        var layout = ParameterLayout()
        layout.add("head", [5], decays: true)
        layout.add("words", [50, 4], decays: true)
        layout.add("tail", [3], decays: false)
        let g = FlatBuffer(layout: layout)
        for i in 0..<5 { g["head"][i] = Float(i) - 2 }
        for row in [3, 17, 49] { for j in 0..<4 { g["words"][row * 4 + j] = Float(row) / 10 + Float(j) } }
        for i in 0..<3 { g["tail"][i] = 0.5 * Float(i + 1) }
        let dense = GradientClipping.norm(g)
        XCTAssertEqual(GradientClipping.norm(g, sparseRows: ("words", [49, 3, 17, 3, 99, -1])), dense, accuracy: 1e-5)
        XCTAssertLessThan(GradientClipping.norm(g, sparseRows: ("words", [3, 17])), dense - 1, "a live row left out counts")
        XCTAssertEqual(GradientClipping.scale(norm: 5, maxNorm: 10), 1)
        XCTAssertEqual(GradientClipping.scale(norm: 5, maxNorm: 1), 1 / (5 + 1e-6), accuracy: 1e-9)
    }

    func testRandomStateIsSeeded() {
        var a = RandomState(seed: 7), b = RandomState(seed: 7), c = RandomState(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(first, (0..<5).map { _ in c.next() })
        for _ in 0..<1000 { let f = a.nextUnitFloat(); XCTAssertTrue(f >= 0 && f < 1) }
    }
}
