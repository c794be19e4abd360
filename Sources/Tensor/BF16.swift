import CKernels
import Foundation

/// How one matrix product rounds its inputs.
///
/// `float32` is plain single precision (OpenBLAS `sgemm`). `bfloat16` rounds both operands
/// to bfloat16 (8 bits of mantissa, float32's range) and accumulates in float32 on the CPU's
/// AMX tiles or with AVX512-BF16 (`BF16GEMM.Path`), as PyTorch's `autocast` does. Which of
/// training's products use it is the
/// trainer's choice (Student's `TrainingPrecision`); the weights, their gradients, AdamW's
/// moments and every element-wise step stay float32 in any case.
public enum MatmulPrecision: Sendable {
    case float32
    case bfloat16
}

/// Matrix products with bfloat16 inputs and float32 accumulation: on Intel AMX tiles
/// (`CKernels/bf16.c`) or, on CPUs without AMX, with AVX512-BF16's `VDPBF16PS`
/// (`CKernels/bf16dp.c`, AMD Zen 4 and 5, Intel Cooper Lake). Both read the same packed operands.
public enum BF16GEMM {
    /// The instructions a bfloat16 product runs on.
    public enum Path: String, Sendable, CaseIterable {
        /// AMX-BF16 tiles (`TDPBF16PS`).
        case amx = "AMX"
        /// AVX512-BF16 dot products (`VDPBF16PS`) on zmm registers.
        case avx512BF16 = "AVX512-BF16"

        /// Whether this CPU has the instructions (and, for AMX, Linux granted the tile state),
        /// whatever the environment says.
        public var supported: Bool {
            switch self {
            case .amx: vk_has_amx_bf16() == 1
            case .avx512BF16: vk_has_avx512_bf16() == 1
            }
        }

        /// The environment variable that makes Vigil behave as on a CPU without this path.
        public var disablingVariable: String {
            switch self {
            case .amx: "VIGIL_NO_AMX"
            case .avx512BF16: "VIGIL_NO_AVX512BF16"
            }
        }
    }

    /// The paths that can run, in order of preference (AMX, then AVX512-BF16): those `supported`
    /// whose `disablingVariable` is not set in `environment`.
    public static func enabledPaths(supported: (Path) -> Bool = \.supported,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) -> [Path] {
        Path.allCases.filter { environment[$0.disablingVariable] == nil && supported($0) }
    }

    /// The path bf16 products take: AMX where the CPU has it, else AVX512-BF16, else none; a
    /// path whose `disablingVariable` is set in `environment` counts as missing.
    public static func choosePath(supported: (Path) -> Bool, environment: [String: String]) -> Path? {
        enabledPaths(supported: supported, environment: environment).first
    }

    /// The path of this process (checked once), from the CPU and `VIGIL_NO_AMX` /
    /// `VIGIL_NO_AVX512BF16`; nil where bf16 products never run (they fall back to `sgemm`).
    public static let path: Path? = choosePath(supported: \.supported, environment: ProcessInfo.processInfo.environment)

    /// True when inference's bf16 products (`PackedLinear` with `.bfloat16`, on AVX512-BF16's
    /// `VDPBF16PS`, which AMX CPUs have too) run here: the CPU has AVX512-BF16 and
    /// `VIGIL_NO_AVX512BF16` is not set.
    public static let inferenceAvailable: Bool =
        ProcessInfo.processInfo.environment[Path.avx512BF16.disablingVariable] == nil && Path.avx512BF16.supported

    /// True when some bf16 path runs here (`path` is not nil).
    public static var available: Bool { path != nil }

    /// `C (m, n) = op(A) · op(B) + beta · C` with beta 0 or 1, row-major with leading
    /// dimensions, as `BLAS.sgemm` with alpha 1, but with A and B rounded to bfloat16, on
    /// `path` (this process's `path` unless a test picks one; it must be `supported`). Runs
    /// `sgemm` instead when `path` is nil, a dimension is below 16 (a block would be mostly
    /// padding) or scratch memory runs out.
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, path: Path? = BF16GEMM.path) {
        precondition(beta == 0 || beta == 1, "BF16GEMM: beta must be 0 or 1, not \(beta)")
        guard m > 0, n > 0 else { return }
        guard let path, m >= 16, n >= 16, k >= 16,
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
        let product = path == .amx ? vk_bf16_gemm_packed : vk_bf16_gemm_packed_dp
        Parallel.forEachChunk(columnBlocks, chunks: min(threads, columnBlocks)) { _, range in
            product(packedA, packedB, Int32(m), Int32(n), Int32(k), c, ldc,
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
