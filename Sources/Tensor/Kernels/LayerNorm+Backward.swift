import CKernels

extension LayerNorm {
    /// Gradients of `y = (x - mean) / sqrt(var + eps) · gamma + beta` per row, recomputing the
    /// row statistics from the saved input `x` (rows, cols).
    ///
    /// `dInput` (rows, cols) is overwritten, or added to when `accumulateInput`; it may not alias
    /// `dOut`. `dGamma` and `dBeta` (cols) accumulate. Per row, with x̂ the normalised input and
    /// g = dOut ⊙ gamma: `dx = (g - mean(g) - x̂ · mean(g ⊙ x̂)) / sqrt(var + eps)`.
    public static func backward(_ x: UnsafePointer<Float>, rows: Int, cols: Int, gamma: UnsafePointer<Float>, eps: Float,
                                dOut: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>, accumulateInput: Bool = false,
                                dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>) {
        if NativeKernels.enabled {
            nativeBackward(x, rows: rows, cols: cols, gamma: gamma, eps: eps, dOut: dOut, dInput: dInput,
                           accumulateInput: accumulateInput, dGamma: dGamma, dBeta: dBeta)
            return
        }
        let n = Float(cols)
        for r in 0..<rows {
            let row = x + r * cols, dy = dOut + r * cols, dx = dInput + r * cols
            var sum: Float = 0
            for j in 0..<cols { sum += row[j] }
            let mean = sum / n
            var square: Float = 0
            for j in 0..<cols { let d = row[j] - mean; square += d * d }
            let inv = 1 / (square / n + eps).squareRoot()
            var meanG: Float = 0, meanGX: Float = 0
            for j in 0..<cols {
                let xhat = (row[j] - mean) * inv, g = dy[j] * gamma[j]
                meanG += g
                meanGX += g * xhat
                dGamma[j] += dy[j] * xhat
                dBeta[j] += dy[j]
            }
            meanG /= n
            meanGX /= n
            for j in 0..<cols {
                let xhat = (row[j] - mean) * inv
                let value = (dy[j] * gamma[j] - meanG - xhat * meanGX) * inv
                dx[j] = accumulateInput ? dx[j] + value : value
            }
        }
    }

    /// The AVX-512 path: rows split between threads, each summing its own dGamma and dBeta,
    /// added into the buffers in chunk order (so the result does not depend on timing).
    private static func nativeBackward(_ x: UnsafePointer<Float>, rows: Int, cols: Int, gamma: UnsafePointer<Float>,
                                       eps: Float, dOut: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>,
                                       accumulateInput: Bool, dGamma: UnsafeMutablePointer<Float>,
                                       dBeta: UnsafeMutablePointer<Float>) {
        let chunks = max(1, min(Parallel.threads, rows * cols / 32_768))
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * 2 * cols)
        defer { partial.deallocate() }
        partial.initialize(repeating: 0, count: chunks * 2 * cols)
        Parallel.forEachChunk(rows, chunks: chunks) { chunk, range in
            let offset = range.lowerBound * cols, sums = partial + chunk * 2 * cols
            vk_layernorm_backward(x + offset, Int32(range.count), Int32(cols), gamma, eps, dOut + offset, dInput + offset,
                                  accumulateInput ? 1 : 0, sums, sums + cols)
        }
        for chunk in 0..<chunks {
            let sums = partial + chunk * 2 * cols
            for j in 0..<cols {
                dGamma[j] += sums[j]
                dBeta[j] += sums[cols + j]
            }
        }
    }
}
