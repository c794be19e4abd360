import CKernels
import Foundation

/// How one matrix product rounds its inputs.
///
/// `float32` is plain single precision (OpenBLAS `sgemm`). `bfloat16` rounds both operands
/// to bfloat16 (8 bits of mantissa, float32's range) and accumulates in float32 on the CPU's
/// AMX tiles, as PyTorch's `autocast` does. Which of training's products use it is the
/// trainer's choice (Student's `TrainingPrecision`); the weights, their gradients, AdamW's
/// moments and every element-wise step stay float32 in any case.
public enum MatmulPrecision: Sendable {
    case float32
    case bfloat16
}

/// Matrix products with bfloat16 inputs and float32 accumulation on Intel AMX (`CKernels/bf16.c`).
public enum BF16GEMM {
    /// True when the CPU has AMX-BF16 and Linux granted the tile state (checked once), unless
    /// `VIGIL_NO_AMX` is set in the environment (then Vigil behaves as on a CPU without AMX).
    public static let available: Bool =
        ProcessInfo.processInfo.environment["VIGIL_NO_AMX"] == nil && vk_has_amx_bf16() == 1

    /// `C (m, n) = op(A) · op(B) + beta · C` with beta 0 or 1, row-major with leading
    /// dimensions, as `BLAS.sgemm` with alpha 1, but with A and B rounded to bfloat16. Runs
    /// `sgemm` instead when AMX is unavailable, a dimension is below 16 (a tile would be mostly
    /// padding) or scratch memory runs out.
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(beta == 0 || beta == 1, "BF16GEMM: beta must be 0 or 1, not \(beta)")
        guard m > 0, n > 0 else { return }
        guard available, m >= 16, n >= 16, k >= 16,
              let packedA = vk_bf16_operand(0, vk_bf16_a_elements(Int32(m), Int32(k))),
              let packedB = vk_bf16_operand(1, vk_bf16_b_elements(Int32(k), Int32(n))) else {
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
            return
        }
        let rowBlocks = (m + 31) / 32 * 2, kChunks = (k + 31) / 32, columnBlocks = (n + 31) / 32
        let threads = Parallel.threads
        Parallel.forEachChunk(rowBlocks + kChunks, chunks: min(threads, rowBlocks + kChunks)) { _, range in
            // The first rowBlocks items pack A's blocks, the rest B's k chunks.
            let aRange = range.clamped(to: 0..<rowBlocks)
            if !aRange.isEmpty {
                vk_bf16_pack_a(a, lda, transA ? 1 : 0, Int32(m), Int32(k), packedA,
                               Int32(aRange.lowerBound), Int32(aRange.upperBound))
            }
            let bRange = range.clamped(to: rowBlocks..<(rowBlocks + kChunks))
            if !bRange.isEmpty {
                vk_bf16_pack_b(b, ldb, transB ? 1 : 0, Int32(k), Int32(n), packedB,
                               Int32(bRange.lowerBound - rowBlocks), Int32(bRange.upperBound - rowBlocks))
            }
        }
        Parallel.forEachChunk(columnBlocks, chunks: min(threads, columnBlocks)) { _, range in
            vk_bf16_gemm_packed(packedA, packedB, Int32(m), Int32(n), Int32(k), c, ldc,
                                beta == 1 ? 1 : 0, Int32(range.lowerBound), Int32(range.upperBound))
        }
    }
}

/// The matrix products of the training passes, in the precision asked for.
public enum Matmul {
    /// `BLAS.sgemm` (alpha 1) for `.float32`, `BF16GEMM.gemm` for `.bfloat16`.
    @inlinable
    public static func gemm(_ precision: MatmulPrecision, transA: Bool = false, transB: Bool = false,
                            m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                            c: UnsafeMutablePointer<Float>, ldc: Int) {
        switch precision {
        case .float32:
            BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
        case .bfloat16:
            BF16GEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: c, ldc: ldc)
        }
    }
}
