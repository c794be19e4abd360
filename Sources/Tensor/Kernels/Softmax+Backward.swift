extension Softmax {
    /// Gradient of a row softmax from its saved output `y`: `dx = y ⊙ (dy - Σ dy ⊙ y)`, over the
    /// first `valid` columns of each row (masked columns have y = 0 and get dx = 0).
    /// In place: `dy` (rows, stride) becomes `dx`.
    public static func backward(_ y: UnsafePointer<Float>, _ dy: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                stride: Int, valid: Int) {
        for r in 0..<rows {
            let p = y + r * stride, d = dy + r * stride
            var dot: Float = 0
            for j in 0..<valid { dot += p[j] * d[j] }
            for j in 0..<valid { d[j] = p[j] * (d[j] - dot) }
            for j in valid..<cols { d[j] = 0 }
        }
    }
}
