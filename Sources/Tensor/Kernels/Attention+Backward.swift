extension Attention {
    /// The forward pass for training: as `forward`, and also keeps the attention
    /// probabilities `probabilities` (B, heads, T, T) that `backward` needs (rows and columns
    /// past a sequence's length are zero).
    ///
    /// `dropoutMask` (B, heads, T, T), when given, multiplies the probabilities before they weigh
    /// the values (BERT's `attention_probs_dropout_prob`): entries 0 or 1/(1-p), from
    /// `Dropout.fillMask`. `probabilities` keeps the undropped values; pass the same mask to `backward`.
    public static func forwardSaving(qkv: UnsafePointer<Float>, batch: Int, length: Int, channels: Int, heads: Int,
                                     lengths: [Int], probabilities: UnsafeMutablePointer<Float>,
                                     dropoutMask: UnsafePointer<Float>? = nil,
                                     into context: UnsafeMutablePointer<Float>) {
        let headSize = channels / heads, stride3 = 3 * channels
        let scale = 1 / Float(headSize).squareRoot()
        let units = batch * heads
        let chunks = max(1, min(Parallel.threads, units))
        context.update(repeating: 0, count: batch * length * channels)
        probabilities.update(repeating: 0, count: units * length * length)
        let dropped = dropoutMask == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: chunks * length * length)
        defer { dropped?.deallocate() }
        Parallel.forEachChunk(units, chunks: chunks) { chunk, range in
            for unit in range {
                let b = unit / heads, h = unit % heads, live = lengths[b]
                guard live > 0 else { continue }
                let scores = probabilities + unit * length * length // (T, T)
                let q = qkv + b * length * stride3 + h * headSize
                let k = q + channels, v = q + 2 * channels
                BLAS.sgemm(transB: true, m: live, n: live, k: headSize, alpha: scale, a: q, lda: stride3,
                           b: k, ldb: stride3, c: scores, ldc: length)
                Softmax.forward(scores, rows: live, cols: live, stride: length, valid: live)
                var weights = UnsafePointer(scores)
                if let dropoutMask, let dropped {
                    let d = dropped + chunk * length * length, mask = dropoutMask + unit * length * length
                    multiplyRows(d, scores, mask, rows: live, cols: live, stride: length)
                    weights = UnsafePointer(d)
                }
                BLAS.sgemm(m: live, n: headSize, k: live, a: weights, lda: length, b: v, ldb: stride3,
                           c: context + b * length * channels + h * headSize, ldc: channels)
            }
        }
    }

    /// Gradient of attention with respect to the fused projections: `dQKV` (B, T, 3C) is
    /// overwritten from `dContext` (B, T, C), the saved `qkv` and `probabilities`.
    /// Per sequence and head, with S = Q Kᵀ · scale and P = softmax(S):
    /// dV = Pᵀ dCtx, dP = dCtx Vᵀ, dS = P ⊙ (dP - rowsum(dP ⊙ P)), dQ = scale · dS K, dK = scale · dSᵀ Q.
    /// With a `dropoutMask` M (the forward's), the values were weighed by P ⊙ M: dV = (P ⊙ M)ᵀ dCtx
    /// and dP = (dCtx Vᵀ) ⊙ M before the softmax's backward.
    /// `scratch` must hold `Parallel.threads · T · T` floats.
    public static func backward(qkv: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
                                dropoutMask: UnsafePointer<Float>? = nil,
                                dContext: UnsafePointer<Float>, batch: Int, length: Int, channels: Int, heads: Int,
                                lengths: [Int], scratch: UnsafeMutablePointer<Float>, dQKV: UnsafeMutablePointer<Float>) {
        let headSize = channels / heads, stride3 = 3 * channels
        let scale = 1 / Float(headSize).squareRoot()
        let units = batch * heads
        let chunks = max(1, min(Parallel.threads, units))
        dQKV.update(repeating: 0, count: batch * length * stride3)
        let dropped = dropoutMask == nil ? nil : UnsafeMutablePointer<Float>.allocate(capacity: chunks * length * length)
        defer { dropped?.deallocate() }
        Parallel.forEachChunk(units, chunks: chunks) { thread, range in
            let dP = scratch + thread * length * length // (T, T)
            for unit in range {
                let b = unit / heads, h = unit % heads, live = lengths[b]
                guard live > 0 else { continue }
                let p = probabilities + unit * length * length
                let q = qkv + b * length * stride3 + h * headSize, k = q + channels, v = q + 2 * channels
                let dq = dQKV + b * length * stride3 + h * headSize, dk = dq + channels, dv = dq + 2 * channels
                let dc = dContext + b * length * channels + h * headSize
                // P ⊙ M again rather than a saved copy: one vector pass against a (B, heads, T, T)
                // buffer per layer.
                var weights = p
                let mask = dropoutMask.map { $0 + unit * length * length }
                if let mask, let dropped {
                    let d = dropped + thread * length * length
                    multiplyRows(d, p, mask, rows: live, cols: live, stride: length)
                    weights = UnsafePointer(d)
                }
                // dV (live, dh) = Pᵀ (live, live) · dCtx (live, dh)
                BLAS.sgemm(transA: true, m: live, n: headSize, k: live, a: weights, lda: length, b: dc, ldb: channels,
                           c: dv, ldc: stride3)
                // dP (live, live) = dCtx (live, dh) · Vᵀ
                BLAS.sgemm(transB: true, m: live, n: live, k: headSize, a: dc, lda: channels, b: v, ldb: stride3,
                           c: dP, ldc: length)
                if let mask { multiplyRows(dP, dP, mask, rows: live, cols: live, stride: length) }
                Softmax.backward(p, dP, rows: live, cols: live, stride: length, valid: live)
                // dQ = scale · dS · K; dK = scale · dSᵀ · Q
                BLAS.sgemm(m: live, n: headSize, k: live, alpha: scale, a: dP, lda: length, b: k, ldb: stride3,
                           c: dq, ldc: stride3)
                BLAS.sgemm(transA: true, m: live, n: headSize, k: live, alpha: scale, a: dP, lda: length, b: q,
                           ldb: stride3, c: dk, ldc: stride3)
            }
        }
    }

    /// `out = a ⊙ b` over `rows` rows of `cols` floats, `stride` apart (`out` may be `a`).
    private static func multiplyRows(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                     rows: Int, cols: Int, stride: Int) {
        for r in 0..<rows { Elementwise.multiply(out + r * stride, a + r * stride, b + r * stride, count: cols) }
    }
}
