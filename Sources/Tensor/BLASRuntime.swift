import Foundation

/// Start-up check for the OpenBLAS core-type trap.
///
/// Debian's OpenBLAS 0.3.21 does not recognise some newer Xeons and falls back to its
/// `Prescott` kernels, about 5× slower. `OPENBLAS_CORETYPE=SKYLAKEX` fixes that, but the
/// library reads it only when it loads, and it crashes with SIGILL on CPUs without AVX-512.
/// `ensureFastCore` re-executes the process with the variable set when, and only when,
/// the CPU has `avx512f`, the variable is unset and the loaded core is a fallback.
public enum BLASRuntime {
    /// Core names OpenBLAS uses when it falls back to generic x86-64 kernels.
    static let fallbackCores: Set<String> = ["prescott", "core2", "katmai", "coppermine", "northwood",
                                              "banias", "atom", "nehalem", "unknown"]

    /// Whether `corename` is a slow fallback on a CPU whose `/proc/cpuinfo` flags are `cpuinfo`.
    public static func shouldUpgrade(coreName: String, cpuinfo: String, environment: [String: String]) -> Bool {
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["VIGIL_NO_CORETYPE_REEXEC"] == nil else { return false }
        guard fallbackCores.contains(coreName.lowercased()) else { return false }
        return cpuinfo.split(separator: "\n").contains { line in
            line.hasPrefix("flags") && line.split(separator: " ").contains("avx512f")
        }
    }

    /// Re-executes this process with `OPENBLAS_CORETYPE=SKYLAKEX` when the fast path is
    /// available but not loaded; otherwise returns. Call before any other work (it never
    /// returns when it re-executes). Sets the thread count from `$VIGIL_THREADS` (default 2).
    public static func ensureFastCore() {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["VIGIL_THREADS"], let n = Int(text), n > 0 {
            Parallel.setThreads(n)
        } else {
            Parallel.setThreads(min(2, ProcessInfo.processInfo.activeProcessorCount))
        }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        guard shouldUpgrade(coreName: BLAS.coreName, cpuinfo: cpuinfo, environment: environment) else { return }
        setenv("OPENBLAS_CORETYPE", "SKYLAKEX", 1)
        let arguments = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: it failed. Carry on with the slow kernels rather than stop.
        for pointer in argv { free(pointer) }
    }
}
