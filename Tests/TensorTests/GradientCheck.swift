import XCTest
import Tensor

/// Finite-difference checking for the backward kernels.
///
/// Each kernel's scalar test loss is `L = Σ_i out_i · r_i` with fixed random weights `r`, summed in
/// Double, so its analytic gradient is the kernel's backward with `dOut = r`. The numerical
/// gradient is the central difference `(L(x + h) - L(x - h)) / 2h` with the kernels in Float.
/// With h = 1e-2 the truncation error is O(h²) ≈ 1e-4 and Float rounding adds about 1e-5, so a
/// component passes when `|numeric - analytic| ≤ 2e-3 + 1e-2 · |analytic|`.
enum GradientCheck {
    static let step: Float = 1e-2
    static let absoluteTolerance = 2e-3
    static let relativeTolerance = 1e-2

    /// `Σ out · weights` in Double.
    static func dot(_ out: [Float], _ weights: [Float]) -> Double {
        zip(out, weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Compares `analytic` with central differences of `loss` at every index of `values` in
    /// `indices` (all when nil). Returns the worst absolute error seen.
    @discardableResult
    static func check(_ name: String, _ values: [Float], analytic: [Float], indices: [Int]? = nil,
                      file: StaticString = #filePath, line: UInt = #line, loss: ([Float]) -> Double) -> Double {
        XCTAssertEqual(values.count, analytic.count, "\(name): gradient size", file: file, line: line)
        var worst = 0.0
        var probe = values
        for i in indices ?? Array(values.indices) {
            probe[i] = values[i] + step
            let plus = loss(probe)
            probe[i] = values[i] - step
            let minus = loss(probe)
            probe[i] = values[i]
            let numeric = (plus - minus) / (2 * Double(step)), exact = Double(analytic[i])
            let error = abs(numeric - exact)
            worst = max(worst, error)
            XCTAssertLessThanOrEqual(error, absoluteTolerance + relativeTolerance * abs(exact),
                                     "\(name)[\(i)]: numeric \(numeric), analytic \(exact)", file: file, line: line)
        }
        return worst
    }
}

/// An owned Float buffer for passing outputs to the pointer-based kernels in tests.
final class Buffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int

    init(_ values: [Float]) {
        count = values.count
        p = .allocate(capacity: max(1, values.count))
        p.initialize(repeating: 0, count: max(1, values.count))
        for (i, v) in values.enumerated() { p[i] = v }
    }

    convenience init(repeating value: Float = 0, count: Int) { self.init([Float](repeating: value, count: count)) }

    deinit { p.deallocate() }

    var values: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
}
