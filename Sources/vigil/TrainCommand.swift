import ArgumentParser
import Corpus
import Foundation
import Student
import Tensor

/// `vigil train`: fine-tune the student on a labelled split and register the new model version, as a job.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a student model on a split and register it as a new model version.",
        discussion: """
            Fine-tunes the encoder with a fresh drug-conditioned head on the (sentence, drug) items of \
            SPLIT:train, labelled by --source: gold, curated (accepted items and "no ADE" decisions), \
            teacher[:RUN], or curated+teacher[:RUN] (curated where decided, the teacher elsewhere). \
            After each epoch it scores SPLIT:dev (against the same source) and keeps the epoch with the best \
            lenient F1. The model folder (config.json, vocab.txt, model.safetensors, vigil.json, \
            vigil-training.json) is written beside --out and renamed into place; then SPLIT:test is tagged \
            into the new student layer and scored against gold (see `vigil models`).

            Runs as a job (kind train): --job ID adopts a queued row, otherwise one is created. Progress \
            (epoch, step, loss, items/s, ETA) goes to the job row. A cancel request or SIGTERM stops it at \
            the next step; nothing is registered and the folder is removed.

              vigil train --source gold --split holdout --head interact --fraction 0.25
            """)

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup var training: TrainingFlags
    @Option(help: ArgumentHelp("gold, curated, teacher[:RUN] or curated+teacher[:RUN].", valueName: "source"))
    var source = "curated"
    @Option(help: ArgumentHelp("A split with parts train, dev and test (e.g. from `vigil split --ratio 8:1:1`).",
                               valueName: "name"))
    var split = "holdout"
    @Option(help: ArgumentHelp("Train on this share of SPLIT:train's sentences, a seeded nested subset (learning curves).",
                               valueName: "0-1"))
    var fraction: Double = 1
    @Option(help: ArgumentHelp("Where to write the model folder (default models/student-SOURCE-HEAD-TIME beside the corpus file).", valueName: "dir"))
    var out: String?
    @Option(help: ArgumentHelp("Adopt this queued job row instead of creating one.", valueName: "id")) var job: Int64?

    func validate() throws {
        guard fraction > 0, fraction <= 1 else { throw ValidationError("--fraction must lie in (0, 1], not \(fraction)") }
        do { _ = try TrainingSource(parsing: source) } catch { throw ValidationError("--source \(source): \(error)") }
        guard !split.isEmpty, !split.contains(":") else {
            throw ValidationError("--split \(split): give the split's name; training uses NAME:train, NAME:dev and NAME:test")
        }
    }

    func run() throws {
        BLASRuntime.ensureFastCore()
        let store = try corpus.open()
        let stop = StopSignal("train: stopping at the next step; no version will be written")
        let (_, summary) = try runJob(.train, store, adopting: job, stop: stop) { context in
            let kind = training.headKind
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let folder = out ?? EncoderSearch.defaultModelFolder(
                corpus: store.path, name: "student-\(source.replacingOccurrences(of: ":", with: "-"))-\(kind.rawValue)-"
                    + formatter.string(from: Date()))
            let encoder = try training.resolveEncoder()
            for line in ["encoder \(encoder.path) (\(encoder.origin))", "model folder \(folder)"] {
                try context.log(line)
                note("train: " + line)
            }
            var run = TrainingRun(encoderDirectory: encoder.path, head: kind, source: try TrainingSource(parsing: source),
                                  split: split, options: training.options, outputDirectory: folder)
            run.fraction = fraction
            run.relativePosition = training.relativePosition
            run.drugPairs = training.drugPairs
            run.bystanders = training.bystanders
            let result = try run.run(store: store, progress: { p in
                let message = String(format: "epoch %d/%d, step %d/%d, loss %.4f, %.1f items/s, ETA %@", p.epoch, p.epochs,
                                     p.step, p.steps, p.loss, p.instancesPerSecond, Self.duration(p.eta))
                if try context.progress(done: p.step, total: p.steps, message: message) { note("train: " + message) }
            }, log: { line in
                try context.log(line)
                note("train: " + line)
            }, shouldStop: { context.shouldStop })
            try context.log("wrote \(result.layer) at \(result.path)")
            return Self.summary(result)
        }
        print(summary)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
    }

    /// One JSON object: layer, path, best epoch, items, seconds and the dev/test scores.
    static func summary(_ r: TrainingResult) -> String {
        func scores(_ s: LayerScores?) -> Any {
            guard let s else { return NSNull() }
            return ["strict": ["precision": s.strict.precision, "recall": s.strict.recall, "f1": s.strict.f1],
                    "lenient": ["precision": s.lenient.precision, "recall": s.lenient.recall, "f1": s.lenient.f1]]
        }
        let object: [String: Any] = ["layer": r.layer.description, "version": r.layer.version ?? 0, "path": r.path,
                                     "best_epoch": r.bestEpoch, "train_items": r.trainInstances, "test_multi_drug": scores(r.testMultiDrug),
                                     "seconds": (r.seconds * 10).rounded() / 10, "dev": scores(r.dev), "test": scores(r.test)]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Runs a job command through `JobRunner` (one lifecycle for train, cv, predict and eval); a
/// job stopped on request (a signal, or the row's cancel flag) says why and exits with 130.
func runJob<Result: Encodable>(_ kind: JobKind, _ store: CorpusStore, adopting: Int64?, stop: StopSignal? = nil,
                               _ work: (JobContext) throws -> Result) throws -> (job: Int64, result: Result) {
    do {
        return try JobRunner.run(kind, store: store, adopting: adopting, arguments: Array(CommandLine.arguments.dropFirst()),
                                 stopRequested: { stop?.isSet ?? false }, cancellation: jobCancellation, work)
    } catch where jobCancellation(error) != nil {
        note("\(kind.rawValue): \(error)")
        throw ExitCode(130)
    }
}

/// The errors that mean a job stopped on request: training cancelled, prediction stopped
/// between batches, or `JobCancelled`.
func jobCancellation(_ error: Error) -> String? {
    if let training = error as? TrainingError, case .cancelled = training { return training.description }
    if let prediction = error as? PredictionError { return prediction.description }
    return (error as? JobCancelled)?.reason
}
