import CKernels
import Foundation
import Synchronization

/// Whether Vigil's own AVX-512 kernels (`CKernels`) run, or the portable path: Swift loops and
/// OpenBLAS `cblas_sgemm`. Both compute the same functions (within float rounding).
///
/// On by default when the CPU has AVX-512F; `VIGIL_KERNELS=blas` in the environment starts with
/// it off. Benchmarks flip it to compare the two paths in one run.
public enum NativeKernels {
    /// True when the CPU supports AVX-512F (checked once).
    public static let available: Bool = vk_has_avx512f() == 1

    private static let enabledFlag = Atomic<Bool>(
        available && ProcessInfo.processInfo.environment["VIGIL_KERNELS"] != "blas")

    /// Whether the kernels dispatch to the AVX-512 path now (never true without AVX-512F).
    public static var enabled: Bool { enabledFlag.load(ordering: .relaxed) }

    /// Turns the AVX-512 path on or off; `true` is ignored on CPUs without AVX-512F.
    public static func setEnabled(_ on: Bool) {
        enabledFlag.store(on && available, ordering: .relaxed)
    }
}
