import Foundation
import Student
import Tensor

/// The student benchmarks (issue 5): peak sgemm, then encoder inference for MiniLM-L6 and a
/// BERT-base-sized random model at batch 1 and 16 × 48 word pieces, on `Parallel.threads`
/// threads; PyTorch and ONNX Runtime on the same model, batch and threads when they are installed.
/// With AVX-512 it times Vigil's native kernels and its portable path (Swift loops and OpenBLAS)
/// in alternating rounds, so that the machine's drift falls on both alike.
func studentBench(_ options: Options) throws {
    BLASRuntime.ensureFastCore()
    let threads = Parallel.threads
    print("")
    print("Student encoder: OpenBLAS core \(BLAS.coreName), \(threads) threads (OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"), OPENBLAS_THREAD_TIMEOUT=\(ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] ?? "unset"))")
    let peak = peakSgemm(rounds: max(5, options.runs))
    print(String(format: "peak sgemm (1024×1024×1024, median of rounds): %.1f GFLOP/s", peak))
    print("")
    let native = NativeKernels.available && NativeKernels.enabled
    print("Vigil kernels: \(native ? "native AVX-512 (packed GEMM, fused epilogues), portable path alongside" : "portable (Swift loops and OpenBLAS)")")
    print("")
    print("| model | batch × pieces | median per batch | per sentence | sentences/s | GFLOP/s | % of peak | portable path sentences/s | native / portable | PyTorch sentences/s | Vigil / PyTorch | ONNX Runtime sentences/s | Vigil / ONNX Runtime |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    let length = 48
    var models: [(String, BertEncoder, String?)] = []
    if FileManager.default.fileExists(atPath: options.model + "/model.safetensors") {
        let (_, _, encoder, _) = try StudentModel.loadEncoder(directory: options.model)
        models.append(("MiniLM-L6", encoder, options.model))
    } else {
        print("| MiniLM-L6 | skipped | | | | | | | | | | | model not found at \(options.model) |")
    }
    let base = BertConfig(vocabularySize: 30_522, hiddenSize: 768, layers: 12, heads: 12, intermediateSize: 3_072)
    models.append(("BERT-base (random)", BertEncoder(config: base, weights: BertWeights(random: base, seed: 1)), nil))
    for (name, encoder, path) in models {
        // The same weights with the blocks' products in bf16 (AVX512-BF16), timed in the same
        // alternating rounds; nil where the CPU cannot.
        let bf16Encoder: BertEncoder? = native && BF16GEMM.inferenceAvailable ? encoder.with(precision: .bfloat16) : nil
        for batch in [1, 16] {
            var rng = UInt64(batch)
            let ids: [[Int32]] = (0..<batch).map { _ in
                [101] + (0..<(length - 2)).map { _ in
                    rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return Int32(1_000 + (rng >> 33) % 20_000)
                } + [102]
            }
            let rounds = batch == 1 ? max(20, options.runs * 4) : max(8, options.runs * 2)
            var nativeTimes: [Double] = [], portableTimes: [Double] = [], bf16Times: [Double] = []
            if native { // warm-up of every path
                NativeKernels.setEnabled(false)
                _ = try encoder.forward(ids)
                NativeKernels.setEnabled(true)
                if let bf16Encoder { _ = try bf16Encoder.forward(ids) }
            }
            _ = try encoder.forward(ids)
            for _ in 0..<rounds {
                if native {
                    NativeKernels.setEnabled(false)
                    portableTimes.append(try seconds { _ = try encoder.forward(ids) })
                    NativeKernels.setEnabled(true)
                }
                nativeTimes.append(try seconds { _ = try encoder.forward(ids) })
                if let bf16Encoder { bf16Times.append(try seconds { _ = try bf16Encoder.forward(ids) }) }
            }
            let time = nativeTimes.sorted()[rounds / 2]
            let portable = native ? String(format: "%.1f | %.2f×", Double(batch) / portableTimes.sorted()[rounds / 2],
                                           portableTimes.sorted()[rounds / 2] / time) : "- | -"
            let flops = encoder.flops(sequences: batch, length: length)
            let gflops = flops / time / 1e9
            var torchColumns: [String] = [], bf16Columns: [String] = []
            let bf16Time: Double? = bf16Times.isEmpty ? nil : bf16Times.sorted()[rounds / 2]
            for runtime in ["torch", "onnx"] {
                if let other = pythonSentencesPerSecond(runtime: runtime, model: path, config: encoder.config, batch: batch,
                                                        length: length, threads: threads, rounds: rounds) {
                    torchColumns.append(String(format: "%.1f | %.2f×", other, Double(batch) / time / other))
                    bf16Columns.append(String(format: "%.1f | %.2f×", other, Double(batch) / (bf16Time ?? Double.nan) / other))
                } else {
                    torchColumns.append("- | -")
                    bf16Columns.append("- | -")
                }
            }
            print(String(format: "| %@ | %d × %d | %.2f ms | %.2f ms | %.1f | %.1f | %.0f%% | %@ | %@ |", name, batch, length,
                         time * 1e3, time * 1e3 / Double(batch), Double(batch) / time, gflops, 100 * gflops / peak,
                         portable, torchColumns.joined(separator: " | ")))
            if let bf16Time {
                // The peers stay float32: the ratio is bf16 Vigil against their float32. The
                // native / portable column gives bf16 against Vigil's own float32 instead.
                let bf16Gflops = flops / bf16Time / 1e9
                print(String(format: "| %@, bf16 products | %d × %d | %.2f ms | %.2f ms | %.1f | %.1f | %.0f%% | (fp32 %.1f) | %.2f× fp32 | %@ |",
                             name, batch, length, bf16Time * 1e3, bf16Time * 1e3 / Double(batch), Double(batch) / bf16Time,
                             bf16Gflops, 100 * bf16Gflops / peak, Double(batch) / time, time / bf16Time,
                             bf16Columns.joined(separator: " | ")))
            }
        }
    }
    try trainBench(options, peak: peak)
}

/// The machine's sgemm rate through OpenBLAS: median GFLOP/s of a 1024³ product.
func peakSgemm(rounds: Int) -> Double {
    let n = 1_024
    let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    let time = a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                measure(rounds + 1) {
                    BLAS.sgemm(transB: true, m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n,
                               c: cp.baseAddress!, ldc: n)
                }
            }
        }
    }
    return 2 * Double(n * n * n) / time.median / 1e9
}

/// Runs `python3 SCRIPT ARGUMENTS` offline (HF_HUB_OFFLINE=1) and returns its stdout, or nil when
/// the script is missing or fails (python3 without torch or onnxruntime).
func runPythonBench(_ script: String, _ arguments: [String]) -> Data? {
    guard FileManager.default.fileExists(atPath: script) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["HF_HUB_OFFLINE"] = "1"
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? data : nil
}

/// Runs scripts/parity/bench_torch.py (`runtime` torch or onnx) when python3 has what it needs; nil otherwise.
func pythonSentencesPerSecond(runtime: String, model: String?, config: BertConfig, batch: Int, length: Int, threads: Int, rounds: Int) -> Double? {
    var arguments = ["--batch", "\(batch)", "--length", "\(length)", "--threads", "\(threads)",
                     "--rounds", "\(rounds)", "--runtime", runtime]
    if let model { arguments += ["--model", model] } else {
        arguments += ["--hidden", "\(config.hiddenSize)", "--layers", "\(config.layers)", "--heads", "\(config.heads)",
                      "--intermediate", "\(config.intermediateSize)"]
    }
    guard let data = runPythonBench("scripts/parity/bench_torch.py", arguments),
          let seconds = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
    return Double(batch) / seconds
}
