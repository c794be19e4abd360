import Foundation
import Tensor

/// The machine a benchmark ran on, for the records in docs/benchmarks.md: the CPU model (Linux's
/// /proc/cpuinfo), online cores, the vector and matrix features the kernels choose between, and
/// which of them Vigil's kernels use in this process.
func machineDescription() -> String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    func field(_ name: String) -> String? {
        info.split(separator: "\n").first { $0.hasPrefix(name) }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }
    let model = field("model name") ?? "unknown CPU"
    let flags = Set((field("flags") ?? "").split(separator: " ").map(String.init))
    let named = ["avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16"]
    let present = named.filter(flags.contains)
    let missing = named.filter { !flags.contains($0) }
    let bf16 = [BF16GEMM.path.map { "training \($0.rawValue)" }, BF16GEMM.inferenceAvailable ? "inference AVX512-BF16" : nil]
        .compactMap { $0 }
    return """
        Machine: \(model), \(ProcessInfo.processInfo.activeProcessorCount) cores online, \(Parallel.threads) threads used
        CPU features: \(present.isEmpty ? "none of the named" : present.joined(separator: " "))\(missing.isEmpty ? "" : "; without \(missing.joined(separator: " "))")
        Vigil kernels: \(NativeKernels.available ? "AVX-512" : "portable"); bf16 products: \(bf16.isEmpty ? "none (fp32 only)" : bf16.joined(separator: ", "))
        """
}
