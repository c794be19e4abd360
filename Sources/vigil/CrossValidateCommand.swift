import ArgumentParser
import Core
import Corpus
import Foundation
import Student
import Tensor

/// `vigil cv`: k-fold cross-validation of the student over a split whose parts are folds (the
/// paper's Table 2 protocol on the SpERT ADE folds), as one job.
struct CrossValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cv", abstract: "Cross-validate the student over a split's folds and report micro- and macro-averaged F1.",
        discussion: """
            For each part K of --split (its folds, e.g. fold0..fold9 from `vigil split --spert DIR`): trains \
            on every other fold, keeps a seeded --dev-fraction of those sentences aside to choose the epoch, \
            the threshold and the span-confidence floor, and scores fold K against gold. Each fold's \
            assignment is saved as split SPLIT-K (parts train, dev, test) and its model as a version, as \
            `vigil train --split SPLIT-K` would; the folders go under --out.

            The summary gives micro-averaged scores, pooling every fold's true and false positives and \
            misses over (drug, ADE) pairs, and the mean and standard deviation of the folds' F1 (macro \
            over folds). Neither is the entity-level macro average some papers report for ADE extraction. \
            The sentences that mention two or more distinct drugs are also pooled on their own (2+ drugs).

              vigil split --spert ../shared/data/ade-spert-splits
              vigil cv --split spert --source gold --epochs 10 --lr 1e-4
            """)

    @OptionGroup var corpus: CorpusOptions
    @OptionGroup var training: TrainingFlags
    @Option(help: ArgumentHelp("gold, curated, teacher[:RUN] or curated+teacher[:RUN].", valueName: "source"))
    var source = "gold"
    @Option(help: ArgumentHelp("A split whose parts are the folds.", valueName: "name")) var split = "spert"
    @Option(name: .customLong("fold"), help: ArgumentHelp("Only this fold (repeatable); default every part.", valueName: "part"))
    var onlyFolds: [String] = []
    @Option(help: "Share of the training folds' sentences held out as dev.") var devFraction: Double = 0.1
    @Option(help: ArgumentHelp("Folder for the fold models (default models/cv-SPLIT-HEAD-TIME beside the corpus file).", valueName: "dir"))
    var out: String?
    @Option(help: ArgumentHelp("Also write the JSON summary to this file.", valueName: "file")) var report: String?
    @Option(help: ArgumentHelp("Adopt this queued job row instead of creating one.", valueName: "id")) var job: Int64?

    func validate() throws {
        guard devFraction >= 0, devFraction < 1 else {
            throw ValidationError("--dev-fraction must lie in [0, 1), not \(devFraction)")
        }
        do { _ = try TrainingSource(parsing: source) } catch { throw ValidationError("--source \(source): \(error)") }
    }

    /// One fold's outcome.
    struct Fold: Encodable {
        var fold: String
        var version: Int64
        var trainSentences: Int
        var testSentences: Int
        var bestEpoch: Int
        var seconds: Double
        var strict: Score
        var lenient: Score
        /// The fold's sentences with two or more distinct drugs (nil when it has none).
        var multiDrug: LayerScores?
    }

    func run() throws {
        BLASRuntime.ensureFastCore()
        let store = try corpus.open()
        guard let info = try store.splits().first(where: { $0.name == split }) else {
            throw ValidationError("--split \(split): no such split (try `vigil split --spert DIR`)")
        }
        let folds = info.parts.keys.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            .filter { onlyFolds.isEmpty || onlyFolds.contains($0) }
        for wanted in onlyFolds where info.parts[wanted] == nil {
            throw ValidationError("--fold \(wanted): split \(split) has parts \(info.parts.keys.sorted().joined(separator: ", "))")
        }
        guard info.parts.count >= 2, !folds.isEmpty else {
            throw ValidationError("--split \(split): cross-validation needs at least two parts, found \(info.parts.count)")
        }
        let stop = StopSignal("cv: stopping at the next step; the current fold's version will not be written")
        let kind = training.headKind
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let folder = out ?? EncoderSearch.defaultModelFolder(corpus: store.path,
                                                             name: "cv-\(split)-\(kind.rawValue)-" + formatter.string(from: Date()))
        var results: [Fold] = []
        let (_, summary) = try runJob(.cv, store, adopting: job, stop: stop) { context -> Summary in
            let encoder = try training.resolveEncoder()
            for line in ["encoder \(encoder.path) (\(encoder.origin))", "fold model folders under \(folder)"] {
                try context.log(line)
                note("cv: " + line)
            }
            for (index, fold) in folds.enumerated() {
                let name = try prepareFold(fold, of: Array(info.parts.keys), store: store)
                var run = TrainingRun(encoderDirectory: encoder.path, head: kind, source: try TrainingSource(parsing: source),
                                      split: name, options: training.options, outputDirectory: folder + "/" + fold)
                run.relativePosition = training.relativePosition
                run.drugPairs = training.drugPairs
                run.bystanders = training.bystanders
                let result = try run.run(store: store, progress: { p in
                    let message = String(format: "%@ (%d/%d): epoch %d/%d, step %d/%d, loss %.4f, %.1f items/s", fold,
                                         index + 1, folds.count, p.epoch, p.epochs, p.step, p.steps, p.loss,
                                         p.instancesPerSecond)
                    try context.progress(done: index * p.steps + p.step, total: folds.count * p.steps, message: message)
                }, log: { line in
                    try context.log("\(fold): " + line)
                    note("cv: \(fold): " + line)
                }, shouldStop: { context.shouldStop })
                guard let test = result.test else { throw ValidationError("\(fold): no gold layer to score against") }
                let row = Fold(fold: fold, version: result.layer.version ?? 0, trainSentences: try store.sentenceIDs(
                    .split(name: name, parts: ["train"])).count, testSentences: info.parts[fold] ?? 0,
                               bestEpoch: result.bestEpoch, seconds: (result.seconds * 10).rounded() / 10,
                               strict: test.strict, lenient: test.lenient, multiDrug: result.testMultiDrug)
                results.append(row)
                let line = String(format: "%@: strict F1 %.2f, lenient F1 %.2f (student:%lld, %.0f s)", fold,
                                  test.strict.f1 * 100, test.lenient.f1 * 100, row.version, result.seconds)
                try context.log(line)
                print(line)
            }
            let summary = Summary(split: split, head: kind.rawValue, source: source, epochs: training.epochs, folds: results)
            if let report {
                try Data((try jsonString(summary) + "\n").utf8).write(to: URL(fileURLWithPath: report), options: .atomic)
            }
            return summary
        }
        print(summary.table)
        print(try jsonString(summary))
    }

    /// Saves split SPLIT-FOLD: FOLD as test, the other folds as train less a seeded dev share.
    private func prepareFold(_ fold: String, of parts: [String], store: CorpusStore) throws -> String {
        let others = parts.filter { $0 != fold }.sorted()
        let trainIDs = try store.sentenceIDs(.split(name: split, parts: others))
        let testIDs = try store.sentenceIDs(.split(name: split, parts: [fold]))
        let dev = Set(Self.heldOut(trainIDs, fraction: devFraction, seed: training.seed))
        var assignment: [Int64: String] = [:]
        for id in trainIDs { assignment[id] = dev.contains(id) ? "dev" : "train" }
        for id in testIDs { assignment[id] = "test" }
        let name = "\(split)-\(fold)"
        try store.saveSplit(name: name, method: "cv-fold", seed: training.seed,
                            params: ["of": split, "test": fold, "dev_fraction": "\(devFraction)"],
                            assignment: assignment, replace: true)
        return name
    }

    /// A seeded `fraction` of `ids` (rounded), ascending.
    static func heldOut(_ ids: [Int64], fraction: Double, seed: UInt64) -> [Int64] {
        var random = SplitMix64(seed: seed ^ 0x6465_7673_706C_6974) // "devsplit"
        let keyed = ids.map { ($0, random.next()) }.sorted { $0.1 < $1.1 }
        return keyed.prefix(Int((Double(ids.count) * fraction).rounded())).map(\.0).sorted()
    }

    /// Micro- and macro-averaged results over the folds (fractions in [0, 1], as `vigil eval --json`).
    struct Summary: Encodable {
        var split: String
        var head: String
        var source: String
        var epochs: Int
        var folds: [Fold]
        /// The folds' counts pooled: strict and lenient.
        var micro: [String: Score]
        /// Mean and (sample) standard deviation of the folds' F1.
        var macro: [String: Double]

        init(split: String, head: String, source: String, epochs: Int, folds: [Fold]) {
            self.split = split
            self.head = head
            self.source = source
            self.epochs = epochs
            self.folds = folds
            func pooled(_ scores: [Score]) -> Score {
                scores.reduce(Score()) { Score(tp: $0.tp + $1.tp, fp: $0.fp + $1.fp, fn: $0.fn + $1.fn) }
            }
            micro = ["strict": pooled(folds.map(\.strict)), "lenient": pooled(folds.map(\.lenient)),
                     "strict, 2+ drugs": pooled(folds.compactMap { $0.multiDrug?.strict }),
                     "lenient, 2+ drugs": pooled(folds.compactMap { $0.multiDrug?.lenient })]
            func spread(_ values: [Double]) -> (Double, Double) {
                let mean = values.reduce(0, +) / Double(max(1, values.count))
                let variance = values.count > 1
                    ? values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1) : 0
                return (mean, variance.squareRoot())
            }
            let s = spread(folds.map(\.strict.f1)), l = spread(folds.map(\.lenient.f1))
            macro = ["strict_f1_mean": s.0, "strict_f1_sd": s.1, "lenient_f1_mean": l.0, "lenient_f1_sd": l.1]
        }

        var table: String {
            var lines = ["fold       strict P  strict R  strict F1  lenient F1  best epoch"]
            for f in folds {
                lines.append(String(format: "%-10@ %8.2f  %8.2f  %9.2f  %10.2f  %10d", f.fold as NSString, f.strict.precision * 100,
                                    f.strict.recall * 100, f.strict.f1 * 100, f.lenient.f1 * 100, f.bestEpoch))
            }
            let s = micro["strict"] ?? Score(), l = micro["lenient"] ?? Score()
            lines.append(String(format: "micro      %8.2f  %8.2f  %9.2f  %10.2f", s.precision * 100, s.recall * 100, s.f1 * 100,
                                l.f1 * 100))
            let ms = micro["strict, 2+ drugs"] ?? Score(), ml = micro["lenient, 2+ drugs"] ?? Score()
            lines.append(String(format: "2+ drugs   %8.2f  %8.2f  %9.2f  %10.2f", ms.precision * 100, ms.recall * 100,
                                ms.f1 * 100, ml.f1 * 100))
            let m = { (key: String) in (self.macro[key] ?? 0) * 100 }
            lines.append(String(format: "fold mean                     %5.2f ± %.2f  %5.2f ± %.2f", m("strict_f1_mean"),
                                m("strict_f1_sd"), m("lenient_f1_mean"), m("lenient_f1_sd")))
            return lines.joined(separator: "\n")
        }
    }
}
