import Foundation
import Student
import Tensor

/// Training throughput (issue 6): MiniLM-L6 with the concat head, batch 16 × 48 word pieces,
/// one drug per sentence, dropout 0.1, clipping and AdamW over every parameter, on
/// `Parallel.threads` threads; PyTorch CPU on the same model, batch and threads when installed.
func trainBench(_ options: Options, peak: Double) throws {
    print("")
    guard FileManager.default.fileExists(atPath: options.model + "/model.safetensors") else {
        print("Training benchmark skipped: model not found at \(options.model)")
        return
    }
    let batchSize = 16, length = 48, threads = Parallel.threads
    let model = try StudentModel.fresh(encoderDirectory: options.model, head: .concat)
    var rng = RandomState(seed: 16)
    let sequences: [[Int32]] = (0..<batchSize).map { _ in
        [101] + (0..<(length - 2)).map { _ in Int32(1_000 + rng.next(below: 20_000)) } + [102]
    }
    let items = (0..<batchSize).map { b in
        TrainingItem(sequence: b, drugPieces: [2, 3], targets: (0..<(length - 2)).map { _ in rng.nextUnitFloat() < 0.1 ? 1 : 0 })
    }
    let batch = TrainingBatch(sequences: sequences, items: items)
    let rounds = max(8, options.runs * 2)
    func median(_ values: [Double]) -> Double { let s = values.sorted(); return s[s.count / 2] }
    /// Median step, forward, backward and optimizer seconds, and the trainer (for its memory).
    func measure(attentionDropout: Float, precision: TrainingPrecision = .float32) -> (Double, Double, Double, Double, TaggerTrainer) {
        var trainingOptions = TrainingOptions(batchSize: batchSize, attentionDropout: attentionDropout)
        trainingOptions.precision = precision
        let trainer = TaggerTrainer(model: model, options: trainingOptions)
        _ = trainer.profiledStep(batch, lr: 5e-5) // warm-up: buffers allocated, pages touched
        var parts: [TaggerTrainer.StepTimes] = []
        for _ in 0..<rounds { parts.append(trainer.profiledStep(batch, lr: 5e-5)) }
        return (median(parts.map { $0.forward + $0.backward + $0.optimizer }), median(parts.map(\.forward)),
                median(parts.map(\.backward)), median(parts.map(\.optimizer)), trainer)
    }
    // Without attention dropout first, so that its trainer is freed before the main one is built.
    let withoutAttentionDropout = measure(attentionDropout: 0).0
    // Timings only: its trainer is freed before the main one is built.
    let bf16Runs: [(TrainingPrecision, (Double, Double, Double, Double))] = BF16GEMM.available
        ? [TrainingPrecision.bfloat16, .bfloat16All].map { p in let r = measure(attentionDropout: 0.1, precision: p); return (p, (r.0, r.1, r.2, r.3)) }
        : []
    let (step, forward, backward, optimizer, trainer) = measure(attentionDropout: 0.1)
    // Training costs about three forward passes of matrix products (forward, then two products per product backward).
    let flops = 3 * model.encoder.flops(sequences: batchSize, length: length)
    let gflops = flops / step / 1e9
    let torch = pythonTrainStep(model: options.model, batch: batchSize, length: length, threads: threads, rounds: rounds)
    let torchBF16 = bf16Runs.isEmpty ? nil
        : pythonTrainStep(model: options.model, batch: batchSize, length: length, threads: threads, rounds: rounds, bf16: true)
    print("Student training: MiniLM-L6 + concat head, batch \(batchSize) × \(length), hidden and attention dropout 0.1, AdamW, \(threads) threads, median of \(rounds) steps")
    print("")
    print("| runtime | step | forward | backward | optimizer | sentences/s | GFLOP/s | % of peak | Vigil / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(String(format: "| Vigil | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.1f | %.1f | %.0f%% | %@ |", step * 1e3, forward * 1e3,
                 backward * 1e3, optimizer * 1e3, Double(batchSize) / step, gflops, 100 * gflops / peak,
                 torch.flatMap { $0["step"] }.map { String(format: "%.2f×", $0 / step) } ?? "-"))
    if let torch, let s = torch["step"], let f = torch["forward"], let b = torch["backward"], let o = torch["optimizer"] {
        let g = flops / s / 1e9
        print(String(format: "| PyTorch | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.1f | %.1f | %.0f%% | |", s * 1e3, f * 1e3,
                     b * 1e3, o * 1e3, Double(batchSize) / s, g, 100 * g / peak))
    } else {
        print("| PyTorch | - | | | | | | | torch not installed |")
    }
    print(String(format: "| Vigil without attention dropout | %.0f ms | | | | %.1f | %.1f | | %@ |", withoutAttentionDropout * 1e3,
                 Double(batchSize) / withoutAttentionDropout, flops / withoutAttentionDropout / 1e9,
                 torch.flatMap { $0["step"] }.map { String(format: "%.2f×", $0 / withoutAttentionDropout) } ?? "-"))
    for (precision, (s, f, b, o)) in bf16Runs {
        // Against PyTorch in the same precision (bf16 autocast) when it ran, else against float32.
        let ratio = torchBF16.flatMap { $0["step"] }.map { String(format: "%.2f× (bf16 autocast)", $0 / s) }
            ?? torch.flatMap { $0["step"] }.map { String(format: "%.2f× (fp32)", $0 / s) } ?? "-"
        print(String(format: "| Vigil, --precision %@ | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.1f | %.1f | | %@ |",
                     precision.rawValue, s * 1e3, f * 1e3, b * 1e3, o * 1e3, Double(batchSize) / s, flops / s / 1e9, ratio))
    }
    if !bf16Runs.isEmpty {
        if let t = torchBF16, let s = t["step"], let f = t["forward"], let b = t["backward"], let o = t["optimizer"] {
            print(String(format: "| PyTorch, bf16 autocast | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.1f | %.1f | | |", s * 1e3, f * 1e3,
                         b * 1e3, o * 1e3, Double(batchSize) / s, flops / s / 1e9))
        }
    } else {
        print("| Vigil, bf16 products | - | | | | | | | the CPU has neither AMX-BF16 nor AVX512-BF16 |")
    }
    print(String(format: "peak resident memory so far: %.0f MiB (activations held: %.0f MiB)", peakResidentMiB(),
                 Double(trainer.activationFloats) * 4 / 1_048_576))
    productBench(rounds: max(10, options.runs * 4))
}

/// The process's peak resident set (VmHWM) in MiB, 0 when unknown.
func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1024
}

/// Runs scripts/parity/bench_torch_train.py; the median seconds of step, forward, backward, optimizer, or nil.
/// `bf16` runs PyTorch's forward under bfloat16 autocast.
func pythonTrainStep(model: String, batch: Int, length: Int, threads: Int, rounds: Int, bf16: Bool = false) -> [String: Double]? {
    guard let data = runPythonBench("scripts/parity/bench_torch_train.py",
                                    ["--model", model, "--batch", "\(batch)", "--length", "\(length)",
                                     "--threads", "\(threads)", "--rounds", "\(rounds)"] + (bf16 ? ["--bf16"] : [])),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Double], object["step"] != nil else { return nil }
    return object
}


/// The training step's weight products (MiniLM-L6, 768 rows = batch 16 × 48) in float32
/// (`sgemm`) and in bf16 on `BF16GEMM.path` (AMX or AVX512-BF16, packing included), on
/// `Parallel.threads` threads: median milliseconds and GFLOP/s of each. Prints nothing where no
/// bf16 path runs.
func productBench(rounds: Int) {
    guard BF16GEMM.available else { return }
    // (name, transA, transB, m, n, k) as Linear.forward / backward call them.
    let shapes: [(String, Bool, Bool, Int, Int, Int)] = [
        ("QKV forward", false, true, 768, 1152, 384), ("intermediate forward", false, true, 768, 1536, 384),
        ("output forward", false, true, 768, 384, 1536), ("output dInput", false, false, 768, 1536, 384),
        ("output dWeight", true, false, 384, 1536, 768), ("intermediate dWeight", true, false, 1536, 384, 768),
    ]
    print("")
    print("Weight products of the step, \(Parallel.threads) threads, median of \(rounds) (bf16: rounding and packing included)")
    print("")
    print("| product | m × n × k | fp32 sgemm | bf16 \(BF16GEMM.path?.rawValue ?? "-") | bf16 / fp32 speed |")
    print("|---|---|---|---|---|")
    var rng = RandomState(seed: 5)
    for (name, transA, transB, m, n, k) in shapes {
        let a = (0..<(m * k)).map { _ in rng.nextUnitFloat() - 0.5 }, b = (0..<(k * n)).map { _ in rng.nextUnitFloat() - 0.5 }
        var c = [Float](repeating: 0, count: m * n)
        let lda = transA ? m : k, ldb = transB ? k : n
        func time(_ precision: MatmulPrecision) -> Double {
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        measure(rounds) {
                            Matmul.gemm(precision, transA: transA, transB: transB, m: m, n: n, k: k, a: ap.baseAddress!,
                                        lda: lda, b: bp.baseAddress!, ldb: ldb, beta: 1, c: cp.baseAddress!, ldc: n)
                        }.median
                    }
                }
            }
        }
        _ = time(.bfloat16) // warm-up: scratch allocated
        let single = time(.float32), mixed = time(.bfloat16), flops = 2.0 * Double(m * n * k)
        print(String(format: "| %@ | %d × %d × %d | %.2f ms, %.0f GFLOP/s | %.2f ms, %.0f GFLOP/s | %.1f× |", name, m, n, k,
                     single * 1e3, flops / single / 1e9, mixed * 1e3, flops / mixed / 1e9, single / mixed))
    }
}
