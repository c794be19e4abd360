import CKernels
import Foundation

/// How one matrix product rounds its inputs.
///
/// `float32` is plain single precision (OpenBLAS `sgemm`). `bfloat16` rounds both operands
/// to bfloat16 (8 bits of mantissa, float32's range) and accumulates in float32 on the CPU's
/// AMX tiles, as PyTorch's `autocast` does. Which of training's products use it is a
/// `TrainingPrecision`; the weights, their gradients, AdamW's moments and every element-wise
/// step stay float32 in any case.
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

/// Which of a training step's matrix products round their inputs to bfloat16 (`--precision`).
///
/// A linear layer's step has three products: the forward one, the input gradient
/// (`dOut · W`) and the weight gradient (`dOutᵀ · X`). The weight gradient sums over every
/// token of the batch, and rounding its two inputs to bfloat16 costs about a point of strict F1
/// in cross-validation; the other two products tolerate it. So `bfloat16` keeps the weight
/// gradients in float32, and `bfloat16All` (faster, that point lower) rounds them too.
public enum TrainingPrecision: String, Sendable, CaseIterable {
    /// Every product in float32.
    case float32 = "fp32"
    /// Forward and input-gradient products in bfloat16, weight-gradient products in float32.
    case bfloat16 = "bf16"
    /// Every product of the encoder in bfloat16, the weight gradients' included.
    case bfloat16All = "bf16-all"

    /// The precision of the forward and input-gradient products.
    public var products: MatmulPrecision { self == .float32 ? .float32 : .bfloat16 }
    /// The precision of the weight-gradient products.
    public var weightGradients: MatmulPrecision { self == .bfloat16All ? .bfloat16 : .float32 }

    /// How a training log names it.
    public var logDescription: String {
        switch self {
        case .float32: "fp32 products"
        case .bfloat16: "bf16 products (AMX), fp32 weight gradients"
        case .bfloat16All: "bf16 products (AMX), weight gradients included"
        }
    }

    /// The precision a command-line value names: `fp32`, `bf16`, `bf16-all`, or `auto` (bf16
    /// where the CPU has AMX-BF16, else fp32). Throws, naming the value, for anything else and
    /// for a bfloat16 value on a CPU without AMX-BF16.
    public static func resolve(_ option: String, amxAvailable: Bool = BF16GEMM.available) throws -> TrainingPrecision {
        switch option {
        case "auto": return amxAvailable ? .bfloat16 : .float32
        case "fp32", "float32": return .float32
        case "bf16", "bfloat16", "bf16-all":
            guard amxAvailable else {
                throw PrecisionError(message: "--precision \(option) needs a CPU with AMX-BF16 tiles, and this one has none "
                                     + "(or Linux refused the tile state); use --precision fp32")
            }
            return option == "bf16-all" ? .bfloat16All : .bfloat16
        default:
            throw PrecisionError(message: "--precision \(option): must be auto, fp32, bf16 or bf16-all")
        }
    }
}

/// A `--precision` value that cannot be used here.
public struct PrecisionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
