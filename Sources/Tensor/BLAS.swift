import CBLAS

/// The matrix products, through OpenBLAS's `cblas_sgemm` (row-major).
public enum BLAS {
    /// `C (m, n) = alpha · op(A) · op(B) + beta · C`, row-major with leading dimensions.
    /// `transA`/`transB` transpose A (m, k) / B (k, n) as stored.
    @inlinable
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// OpenBLAS's kernel family for this CPU (e.g. `SkylakeX`, `Haswell`, `Prescott`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Threads OpenBLAS uses for one product.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }
}
