import CKernels

/// Layer normalisation over the last dimension: `y = (x - mean) / sqrt(var + eps) · gamma + beta`.
public enum LayerNorm {
    /// `x` (rows, cols) into `out` (rows, cols); `out` may be `x`.
    public static func forward(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                               gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
                               into out: UnsafeMutablePointer<Float>) {
        if NativeKernels.enabled {
            Parallel.forEachChunk(rows, minimumPerThread: max(1, 32_768 / max(cols, 1))) { range in
                vk_layernorm(x + range.lowerBound * cols, Int32(range.count), Int32(cols), gamma, beta, eps,
                             out + range.lowerBound * cols)
            }
            return
        }
        Parallel.forEachChunk(rows, minimumPerThread: max(1, 32_768 / max(cols, 1))) { range in
            let width = FastMath.Vector.scalarCount
            for r in range {
                let row = x + r * cols, dst = out + r * cols
                var sums = FastMath.Vector.zero
                var j = 0
                while j + width <= cols { sums += row.loadVector(j); j += width }
                var sum = sums.sum()
                while j < cols { sum += row[j]; j += 1 }
                let mean = sum / Float(cols)
                var squares = FastMath.Vector.zero
                j = 0
                while j + width <= cols { let d = row.loadVector(j) - mean; squares += d * d; j += width }
                var square = squares.sum()
                while j < cols { let d = row[j] - mean; square += d * d; j += 1 }
                let inv = 1 / (square / Float(cols) + eps).squareRoot()
                j = 0
                while j + width <= cols {
                    dst.storeVector((row.loadVector(j) - mean) * inv * gamma.loadVector(j) + beta.loadVector(j), j)
                    j += width
                }
                while j < cols { dst[j] = (row[j] - mean) * inv * gamma[j] + beta[j]; j += 1 }
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
