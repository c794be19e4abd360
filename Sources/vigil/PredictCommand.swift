import ArgumentParser
import Corpus
import Dispatch
import Foundation
import Student
import Synchronization
import Tensor

/// `vigil predict`: tag ADEs with a student model and write a `student:<version>` layer, as a job.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Tag ADEs with a student model and write a student layer.",
        discussion: """
            MODEL is a model folder: a BERT checkpoint (config.json, vocab.txt, model.safetensors with the head \
            under vigil_head.*) plus vigil.json (head kind and threshold). Every drug mention of the selected \
            sentences is answered; each ADE span is stored with its confidence. Runs as a job (see `vigil jobs`): \
            --job ID adopts a queued job row, otherwise a `predict` row is created. A cancel request or SIGTERM \
            stops it between batches and nothing is written. \
            Without --model it uses the latest trained model version's folder (see `vigil models`) and says which.

            Example: vigil predict --model models/ade-student --split holdout:test --batch 16
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("The model folder; default the latest trained model version's.", valueName: "dir"))
    var model: String?
    @Option(help: ArgumentHelp("Only these sentences (NAME or NAME:PART); default all.", valueName: "split"),
            transform: parseSelection)
    var split: SentenceSelection?
    @Option(help: "Sentences per encoder batch.") var batch: Int = 16
    @Option(help: ArgumentHelp("Decoding threshold in (0, 1); default the model's (vigil.json).", valueName: "p"))
    var threshold: Float?
    @Option(help: ArgumentHelp("How pieces decide a word: pieces (any piece) or first-piece; default the model's.",
                               valueName: "rule"))
    var decoding: StudentModel.Decoding?
    @Option(help: ArgumentHelp("Drop spans whose confidence is below this, in [0, 1); default the model's.",
                               valueName: "p"))
    var minConfidence: Float?
    @Option(help: ArgumentHelp("Decoding with hysteresis: a span grows over neighbouring pieces above this, in (0, threshold]; "
                               + "default the model's.", valueName: "p"))
    var extendThreshold: Float?
    @Option(help: ArgumentHelp("Precision of the encoder's products: auto (bf16 where the CPU has AVX512-BF16, else fp32), "
                               + "fp32 or bf16.", valueName: "p"))
    var precision: InferencePrecisionOption = .auto
    @Option(help: ArgumentHelp("Adopt this queued job row instead of creating one.", valueName: "id")) var job: Int64?

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be positive, not \(batch)") }
        if let minConfidence, !(minConfidence >= 0 && minConfidence < 1) {
            throw ValidationError("--min-confidence must lie in [0, 1), not \(minConfidence)")
        }
        if let threshold, !(threshold > 0 && threshold < 1) {
            throw ValidationError("--threshold must lie in (0, 1), not \(threshold)")
        }
        if let extendThreshold, !(extendThreshold > 0 && extendThreshold < 1) {
            throw ValidationError("--extend-threshold must lie in (0, 1), not \(extendThreshold)")
        }
        do { _ = try InferencePrecision.resolve(precision.rawValue) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        BLASRuntime.ensureFastCore()
        let store = try corpus.open()
        let stop = StopSignal("predict: stopping after the batch in flight; no layer will be written")
        let (jobID, result) = try runJob(.predict, store, adopting: job, stop: stop) { context -> PredictSummary in
            let chosen = try folder(store)
            if model == nil {
                let text = "predict: no --model given: using the latest trained model version, \(chosen.version)"
                note(text)
                try context.log(text)
            }
            let folder = chosen.path
            var loaded = try StudentModel.load(directory: folder)
            if let threshold { loaded.settings.threshold = threshold }
            if let decoding { loaded.settings.decoding = decoding }
            if let minConfidence { loaded.settings.minConfidence = minConfidence }
            if let extendThreshold {
                guard extendThreshold <= loaded.settings.threshold else {
                    throw ValidationError("--extend-threshold \(extendThreshold) is above the threshold \(loaded.settings.threshold)")
                }
                loaded.settings.extendThreshold = extendThreshold
            }
            let products = try InferencePrecision.resolve(precision.rawValue)
            loaded.encoder = loaded.encoder.with(precision: products)
            try context.log("encoder: \(InferencePrecision.describe(loaded.encoder.precision))")
            let run = PredictionRun(model: loaded, modelPath: folder, selection: split ?? .all, batchSize: batch)
            let result = try run.run(store: store, progress: { done, total in
                if try context.progress(done: done, total: total, message: "tagging sentences") {
                    note("predict: \(done)/\(total) sentences")
                }
            }, shouldStop: { context.shouldStop })
            try context.log("wrote \(result.layer): \(result.spans) ADE spans over \(result.sentences) sentences")
            return PredictSummary(layer: result.layer.description, sentences: result.sentences, spans: result.spans,
                                  precision: loaded.encoder.precision == .bfloat16 ? "bf16" : "fp32")
        }
        print("\(result.layer): \(result.spans) ADE spans over \(result.sentences) sentences, \(result.precision) products (job \(jobID))")
    }

    /// The model folder: --model, else the latest trained version's (named as `student:N at PATH`).
    func folder(_ store: CorpusStore) throws -> (path: String, version: String) {
        if let model { return (model, model) }
        guard let latest = try store.latestTrainedModel(), let path = latest.path else {
            throw ValidationError("no --model given and no trained model version in this corpus: train one "
                                  + "(`vigil train`, `:train`) or pass --model DIR")
        }
        guard FileManager.default.fileExists(atPath: path + "/config.json") else {
            throw ValidationError("no --model given, and the latest trained model version, student:\(latest.id), "
                                  + "has no model at \(path) any more: pass --model DIR")
        }
        return (path, "student:\(latest.id) at \(path)")
    }

    /// The job's result: the layer written and what it holds.
    struct PredictSummary: Encodable {
        var layer: String
        var sentences: Int
        var spans: Int
        /// The precision the encoder's products ran in: fp32 or bf16.
        var precision: String
    }
}

extension StudentModel.Decoding: ExpressibleByArgument {}
