import CKernels

/// Multi-head scaled dot-product attention over a fused QKV buffer.
///
/// `qkv` is (B, T, 3C): query, key and value projections side by side, heads of size
/// `C / heads` inside each. Sequence b has `lengths[b]` live positions, padded to T on the
/// right; padded keys get zero weight and padded query rows produce zeros.
public enum Attention {
    /// `context (B, T, C) = softmax(Q Kᵀ / sqrt(dh), mask) · V` per sequence and head.
    /// `scratch` must hold `Parallel.threads · T · T` floats.
    public static func forward(qkv: UnsafePointer<Float>, batch: Int, length: Int, channels: Int, heads: Int,
                               lengths: [Int], scratch: UnsafeMutablePointer<Float>,
                               into context: UnsafeMutablePointer<Float>) {
        let headSize = channels / heads, stride3 = 3 * channels
        let scale = 1 / Float(headSize).squareRoot()
        let units = batch * heads
        let threads = max(1, min(Parallel.threads, units))
        if NativeKernels.enabled {
            // Every live row is written below (when the heads tile the channels); only the
            // padded rows need zeros.
            if channels % heads != 0 { context.update(repeating: 0, count: batch * length * channels) }
            for b in 0..<batch where lengths[b] < length {
                (context + (b * length + max(lengths[b], 0)) * channels)
                    .update(repeating: 0, count: (length - max(lengths[b], 0)) * channels)
            }
            nativeForward(qkv: qkv, batch: batch, length: length, channels: channels, heads: heads, lengths: lengths,
                          threads: threads, into: context)
            return
        }
        context.update(repeating: 0, count: batch * length * channels)
        Parallel.forEachChunk(units, chunks: threads) { thread, range in
            let scores = scratch + thread * length * length // (T, T)
            for unit in range {
                let b = unit / heads, h = unit % heads, live = lengths[b]
                guard live > 0 else { continue }
                let q = qkv + b * length * stride3 + h * headSize
                let k = q + channels, v = q + 2 * channels
                BLAS.sgemm(transB: true, m: live, n: live, k: headSize, alpha: scale, a: q, lda: stride3,
                           b: k, ldb: stride3, c: scores, ldc: length)
                Softmax.forward(scores, rows: live, cols: live, stride: length, valid: live)
                BLAS.sgemm(m: live, n: headSize, k: live, a: scores, lda: length, b: v, ldb: stride3,
                           c: context + b * length * channels + h * headSize, ldc: channels)
            }
        }
    }

    /// The AVX-512 path: one `vk_attention_head` per (sequence, head), its own scratch per thread.
    private static func nativeForward(qkv: UnsafePointer<Float>, batch: Int, length: Int, channels: Int, heads: Int,
                                      lengths: [Int], threads: Int, into context: UnsafeMutablePointer<Float>) {
        let headSize = channels / heads, stride3 = 3 * channels, units = batch * heads
        let scale = 1 / Float(headSize).squareRoot()
        let perChunk = vk_attention_scratch_floats(Int32(length), Int32(headSize))
        // Below about two heads of 16 × 16 × 32 per thread a second thread costs more than it
        // saves; above, a few chunks per thread, handed out as threads come free.
        let chunks = units * length * length * headSize >= 2 * 2 * 16 * 16 * 32 ? min(units, 4 * threads) : 1
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: perChunk * chunks)
        defer { scratch.deallocate() }
        Parallel.forEachChunk(units, chunks: chunks) { chunk, range in
            for unit in range {
                let b = unit / heads, h = unit % heads, live = lengths[b]
                guard live > 0 else { continue }
                let q = qkv + b * length * stride3 + h * headSize
                vk_attention_head(q, q + channels, q + 2 * channels, stride3, Int32(live), Int32(headSize), scale,
                                  scratch + chunk * perChunk, context + b * length * channels + h * headSize, channels)
            }
        }
    }
}
