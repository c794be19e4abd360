/// Layer normalisation over the last dimension: `y = (x - mean) / sqrt(var + eps) · gamma + beta`.
public enum LayerNorm {
    /// `x` (rows, cols) into `out` (rows, cols); `out` may be `x`.
    public static func forward(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                               gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
                               into out: UnsafeMutablePointer<Float>) {
        Parallel.forEachChunk(rows, minimumPerThread: max(1, 32_768 / max(cols, 1))) { range in
            for r in range {
                let row = x + r * cols, dst = out + r * cols
                var sum: Double = 0
                for j in 0..<cols { sum += Double(row[j]) }
                let mean = Float(sum / Double(cols))
                var square: Float = 0
                for j in 0..<cols { let d = row[j] - mean; square += d * d }
                let inv = 1 / (square / Float(cols) + eps).squareRoot()
                for j in 0..<cols { dst[j] = (row[j] - mean) * inv * gamma[j] + beta[j] }
            }
        }
    }

    /// Normalises each row of a (rows, cols) tensor.
    public static func forward(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> Tensor {
        let cols = x.shape.last ?? 0
        precondition(gamma.count == cols && beta.count == cols, "LayerNorm: gamma/beta must have \(cols) elements")
        var out = x
        x.data.withUnsafeBufferPointer { xp in
            gamma.data.withUnsafeBufferPointer { g in
                beta.data.withUnsafeBufferPointer { b in
                    out.data.withUnsafeMutableBufferPointer { o in
                        forward(xp.baseAddress!, rows: x.count / max(cols, 1), cols: cols, gamma: g.baseAddress!,
                                beta: b.baseAddress!, eps: eps, into: o.baseAddress!)
                    }
                }
            }
        }
        return out
    }
}
