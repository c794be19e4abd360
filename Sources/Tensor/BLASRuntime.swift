import Foundation

/// Start-up check for the OpenBLAS core-type trap.
///
/// Debian's OpenBLAS 0.3.21 does not recognise some newer Xeons and falls back to its
/// `Prescott` kernels, about 5× slower. `OPENBLAS_CORETYPE=SKYLAKEX` fixes that, but the
/// library reads it only when it loads, and it crashes with SIGILL on CPUs without AVX-512.
/// `ensureFastCore` re-executes the process with the variable set when, and only when,
/// the CPU has `avx512f`, the variable is unset and the loaded core is a fallback.
///
/// The same re-exec sets `OPENBLAS_THREAD_TIMEOUT=4` when it is unset: OpenBLAS's idle
/// threads then sleep at once instead of spinning with `sched_yield`, which otherwise steals
/// a core from the element-wise loops between products (measured: MiniLM-L6 at batch
/// 16 × 48 went from about 176 to 202 sentences/s on 2 cores; batch 1 unchanged).
/// `VIGIL_NO_BLAS_REEXEC=1` turns the re-exec off.
public enum BLASRuntime {
    /// Core names OpenBLAS uses when it falls back to generic x86-64 kernels.
    static let fallbackCores: Set<String> = ["prescott", "core2", "katmai", "coppermine", "northwood",
                                              "banias", "atom", "nehalem", "unknown"]

    /// Whether `corename` is a slow fallback on a CPU whose `/proc/cpuinfo` flags are `cpuinfo`.
    public static func shouldUpgrade(coreName: String, cpuinfo: String, environment: [String: String]) -> Bool {
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["VIGIL_NO_BLAS_REEXEC"] == nil else { return false }
        guard fallbackCores.contains(coreName.lowercased()) else { return false }
        return cpuinfo.split(separator: "\n").contains { line in
            line.hasPrefix("flags") && line.split(separator: " ").contains("avx512f")
        }
    }

    /// The variables to set before OpenBLAS loads; empty when the process may carry on as it is.
    public static func environmentUpdates(coreName: String, cpuinfo: String, environment: [String: String]) -> [String: String] {
        guard environment["VIGIL_NO_BLAS_REEXEC"] == nil else { return [:] }
        var updates: [String: String] = [:]
        if shouldUpgrade(coreName: coreName, cpuinfo: cpuinfo, environment: environment) {
            updates["OPENBLAS_CORETYPE"] = "SKYLAKEX"
        }
        if environment["OPENBLAS_THREAD_TIMEOUT"] == nil { updates["OPENBLAS_THREAD_TIMEOUT"] = "4" }
        return updates
    }

    /// Re-executes this process with `OPENBLAS_CORETYPE=SKYLAKEX` when the fast path is
    /// available but not loaded, and with `OPENBLAS_THREAD_TIMEOUT=4` when that is unset;
    /// otherwise returns. Call before any other work (it never
    /// returns when it re-executes). Sets the thread count from `$VIGIL_THREADS` (default 2).
    public static func ensureFastCore() {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["VIGIL_THREADS"], let n = Int(text), n > 0 {
            Parallel.setThreads(n)
        } else {
            Parallel.setThreads(min(2, ProcessInfo.processInfo.activeProcessorCount))
        }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let updates = environmentUpdates(coreName: BLAS.coreName, cpuinfo: cpuinfo, environment: environment)
        guard !updates.isEmpty else { return }
        for (name, value) in updates { setenv(name, value, 1) }
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: it failed. Carry on with the slow kernels rather than stop.
        for pointer in argv { free(pointer) }
    }
}
