extension Elementwise {
    /// Gradient of a broadcast bias add: `dBias (cols) += Σ_rows dOut (rows, cols)`.
    ///
    /// A residual add `x + r` needs no kernel of its own: its gradient reaches both inputs
    /// unchanged, so callers add `dOut` into each branch's gradient (`addResidual`).
    public static func biasBackward(_ dOut: UnsafePointer<Float>, rows: Int, cols: Int, dBias: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = dOut + r * cols
            for j in 0..<cols { dBias[j] += row[j] }
        }
    }
}
