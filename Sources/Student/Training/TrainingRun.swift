import Core
import Corpus
import Foundation
import Tensor

/// Why a training run ended without a model version.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case cancelled(epoch: Int, step: Int)
    case noTrainingData(source: String, sentences: String)
    case outputExists(path: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .cancelled(let epoch, let step): return "cancelled in epoch \(epoch) at step \(step); no model version written"
        case .noTrainingData(let source, let sentences):
            return "no labelled (sentence, drug) items from source \(source) in \(sentences)"
        case .outputExists(let path): return "--out \(path): the folder exists and is not empty"
        case .cannotWrite(let path, let reason): return "\(path): cannot write: \(reason)"
        }
    }
}

/// Where a training run stands, reported after every step.
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    /// Steps done over the whole run, and their total.
    public var step: Int
    public var steps: Int
    /// Mean loss over the epoch's steps so far.
    public var loss: Double
    /// (sentence, drug) instances per second in this epoch.
    public var instancesPerSecond: Double
    /// Seconds left for the remaining steps at this epoch's pace (evaluation not included).
    public var eta: Double
}

/// What a finished run produced.
public struct TrainingResult: Sendable {
    public var layer: LayerInfo
    public var path: String
    public var bestEpoch: Int
    public var dev: LayerScores?
    public var test: LayerScores?
    /// The test part's sentences that mention two or more distinct drugs.
    public var testMultiDrug: LayerScores?
    public var trainInstances: Int
    public var seconds: Double
}

/// `vigil train`: fine-tune an encoder and a fresh head on a labelled split, keep the epoch with
/// the best lenient F1 on the dev part, save the model folder, tag the test part into a new
/// student layer and score it against gold.
///
/// Nothing reaches the corpus before the end: the folder is written beside its destination and
/// renamed into place, then one transaction registers the version with its test predictions.
/// A cancelled or failed run removes the folder and leaves the corpus as it was.
public struct TrainingRun {
    public var encoderDirectory: String
    public var head: HeadKind
    public var mlpSize: Int?
    /// Give the fresh head the relative-position (drug distance) bias.
    public var relativePosition = false
    public var source: TrainingSource
    /// The split's name: training uses `NAME:train`, model selection `NAME:dev`, scoring `NAME:test`.
    public var split: String
    public var options: TrainingOptions
    public var outputDirectory: String
    public var predictBatch = 16
    /// Choose the decoding threshold and the span-confidence floor on the dev part (`ThresholdSearch`)
    /// and save them in `vigil.json`; otherwise the threshold stays 0.5 with no floor.
    public var tuneThreshold = true
    /// Whether that tuning also tries decoding with hysteresis (`StudentModel.Settings.extendThreshold`).
    public var tuneExtension = true
    /// The decoding rule saved with the model (and used to score dev): a word's first piece decides,
    /// which scored slightly higher on the ADE dev part than letting any piece decide.
    public var decoding: StudentModel.Decoding = .firstPiece
    /// The share of the training part's sentences to train on (a learning curve's x axis): a
    /// seeded random subset, nested, so that a smaller fraction's sentences are all in a larger one's.
    public var fraction: Double = 1
    /// Synthetic two-drug sentences per epoch, as a share of the training sentences (`DrugPairing`; 0: none).
    public var drugPairs: Double = 0
    /// Adds the training part's drug names found again in its sentences, where no mention covers
    /// them, as items without ADEs (`Bystanders`): for corpora that annotate only causing drugs.
    public var bystanders = false

    /// The metrics key of the multi-drug subset of `sentences` (e.g. `holdout:test, 2+ drugs`).
    public static func multiDrugKey(_ sentences: String) -> String { sentences + ", 2+ drugs" }

    public init(encoderDirectory: String, head: HeadKind, mlpSize: Int? = nil, source: TrainingSource, split: String,
                options: TrainingOptions, outputDirectory: String) {
        self.encoderDirectory = encoderDirectory
        self.head = head
        self.mlpSize = mlpSize
        self.source = source
        self.split = split
        self.options = options
        self.outputDirectory = outputDirectory
    }

    private func part(_ name: String) -> SentenceSelection { .split(name: split, parts: [name]) }

    public func run(store: CorpusStore, progress: (TrainingProgress) throws -> Void = { _ in },
                    log: (String) throws -> Void = { _ in }, shouldStop: () throws -> Bool = { false }) throws -> TrainingResult {
        let started = Date()
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: outputDirectory), !contents.isEmpty {
            throw TrainingError.outputExists(path: outputDirectory)
        }
        var base = try StudentModel.fresh(encoderDirectory: encoderDirectory, head: head, mlpSize: mlpSize, seed: options.seed,
                                          relativePosition: relativePosition)
        base.settings.decoding = decoding
        let train = Self.subset(try store.trainingSentences(source: source, selection: part("train")),
                                fraction: fraction, seed: options.seed)
        let dev = try store.trainingSentences(source: source, selection: part("dev"))
        let extraDrugs = bystanders ? Bystanders.spans(in: train) : Array(repeating: [], count: train.count)
        let encoded = zip(train, extraDrugs).map { sentence, extra in
            EncodedSentence(text: sentence.text, drugs: sentence.items.map { ($0.drug, $0.ades) } + extra.map { ($0, []) },
                            tokenizer: base.tokenizer, maxLength: base.config.maxLength)
        }
        let instances = encoded.reduce(0) { $0 + $1.items.count }
        // Bystanders past the length limit are dropped with their pieces, so count the kept items
        // whose drug comes after the sentence's annotated ones.
        let bystanderCount = zip(train, encoded).reduce(0) { count, pair in
            count + pair.1.drugIndices.filter { $0 >= pair.0.items.count }.count
        }
        guard instances > 0 else {
            throw TrainingError.noTrainingData(source: source.description, sentences: part("train").description)
        }
        let pairing = DrugPairing(fraction: drugPairs, tokenizer: base.tokenizer, maxLength: base.config.maxLength)
        var pairRandom = RandomState(seed: options.seed ^ 0x7061_6972_7331) // "pairs1"
        let drugNames = drugPairs <= 0 ? [] : zip(train, encoded).map { sentence, encoded -> String? in
            guard sentence.items.count == 1, encoded.items.count == 1 else { return nil }
            return ScalarText(sentence.text)[sentence.items[0].drug].lowercased()
        }
        var pairs = pairing.pairs(from: encoded, drugNames: drugNames, random: &pairRandom)
        try log("training on \(instances) (sentence, drug) items in \(train.count) sentences of \(part("train")); "
                + (bystanders ? "\(bystanderCount) of them bystander drugs (unannotated mentions of the part's drug names); " : "")
                + (pairs.isEmpty ? (drugPairs > 0 ? "no synthetic two-drug sentences (no two single-drug sentences, the first with an ADE, "
                                                  + "with different drugs fit in \(base.config.maxLength) pieces); " : "")
                                 : "\(pairs.count) synthetic two-drug sentences per epoch; ")
                + "\(dev.count) dev sentences; source \(source); "
                + options.effectivePrecision.logDescription())

        let trainer = TaggerTrainer(model: base, options: options)
        var batches = trainer.epochBatches(encoded + pairs)
        let totalSteps = batches.count * options.epochs
        let schedule = LinearSchedule(peak: options.learningRate,
                                      warmupSteps: Int((Float(totalSteps) * options.warmupFraction).rounded()),
                                      totalSteps: totalSteps)
        var best: (epoch: Int, lenient: Double, values: [Float], dev: LayerScores?)?
        for epoch in 1...max(1, options.epochs) {
            if epoch > 1 {
                if !pairs.isEmpty { pairs = pairing.pairs(from: encoded, drugNames: drugNames, random: &pairRandom) }
                batches = trainer.epochBatches(encoded + pairs)
            }
            // An epoch's batch count can differ from the first's by a batch or two (batches close at
            // `batchSize` items, so the order, and redrawn pairs, group them differently): progress
            // counts this epoch's batches for the rest of the run (the schedule keeps the first's).
            let runSteps = trainer.steps + batches.count * (max(1, options.epochs) - epoch + 1)
            let epochStart = Date()
            var lossSum = 0.0, done = 0
            for (k, batch) in batches.enumerated() {
                if try shouldStop() { throw TrainingError.cancelled(epoch: epoch, step: trainer.steps) }
                lossSum += trainer.step(batch, lr: schedule.rate(trainer.steps))
                done += batch.items.count
                let elapsed = max(Date().timeIntervalSince(epochStart), 1e-9)
                let perStep = elapsed / Double(k + 1)
                try progress(TrainingProgress(epoch: epoch, epochs: options.epochs, step: trainer.steps, steps: runSteps,
                                              loss: lossSum / Double(k + 1), instancesPerSecond: Double(done) / elapsed,
                                              eta: perStep * Double(runSteps - trainer.steps)))
            }
            let meanLoss = lossSum / Double(max(1, batches.count))
            let scores = dev.isEmpty ? nil : try Self.score(trainer.parameters.model(basedOn: base), on: dev, batch: predictBatch)
            let lenient = scores?.lenient.f1 ?? Double(epoch) // no dev part: keep the last epoch
            let seconds = Date().timeIntervalSince(epochStart)
            // Items trained on this epoch, the synthetic pairs' included (without pairs: `instances`).
            try log(String(format: "epoch %d/%d: loss %.4f, %.1f items/s", epoch, options.epochs, meanLoss,
                           Double(done) / max(seconds, 1e-9))
                    + (scores.map { String(format: ", dev strict F1 %.2f, lenient F1 %.2f", $0.strict.f1 * 100, $0.lenient.f1 * 100) } ?? ""))
            if best.map({ lenient > $0.lenient }) ?? true {
                best = (epoch, lenient, trainer.parameters.values.elements, scores)
            }
        }
        guard let best else { throw TrainingError.cancelled(epoch: 0, step: trainer.steps) } // epochs ≥ 1: never
        for i in 0..<trainer.parameters.values.count { trainer.parameters.values.base[i] = best.values[i] }
        var model = trainer.parameters.model(basedOn: base)
        model.settings.encoder = base.settings.encoder
        if try shouldStop() { throw TrainingError.cancelled(epoch: best.epoch, step: trainer.steps) }
        var devScores = best.dev
        if tuneThreshold, !dev.isEmpty {
            let tuned = try ThresholdSearch(model: model, sentences: dev, batch: predictBatch)
                .best(minConfidences: ThresholdSearch.defaultMinConfidences,
                      extendFractions: tuneExtension ? ThresholdSearch.defaultExtendFractions : [1])
            model.settings.threshold = tuned.threshold
            model.settings.minConfidence = tuned.minConfidence
            model.settings.extendThreshold = tuned.extendThreshold
            devScores = tuned.scores
            try log(String(format: "threshold %.2f, extend threshold %.3f, min span confidence %.2f chosen on %@: "
                           + "dev strict F1 %.2f, lenient F1 %.2f",
                           tuned.threshold, tuned.extendThreshold ?? tuned.threshold, tuned.minConfidence, part("dev").description,
                           tuned.scores.strict.f1 * 100, tuned.scores.lenient.f1 * 100))
        }

        let trainingSeconds = Date().timeIntervalSince(started)
        let params: [String: String] = [
            "epochs": "\(options.epochs)", "best_epoch": "\(best.epoch)", "lr": "\(options.learningRate)",
            "batch": "\(options.batchSize)", "seed": "\(options.seed)", "warmup": "\(options.warmupFraction)",
            "weight_decay": "\(options.weightDecay)", "max_grad_norm": "\(options.maxGradientNorm)",
            "dropout": "\(options.dropout)", "attention_dropout": "\(options.attentionDropout)", "split": split,
            "head_lr_scale": "\(options.headRateScale)", "relative_position": "\(relativePosition)",
            "precision": options.effectivePrecision.rawValue,
            "bf16_path": options.effectivePrecision == .float32 ? "none" : BF16GEMM.path?.rawValue ?? "none",
            "train_items": "\(instances)",
            "train_seconds": String(format: "%.1f", trainingSeconds), "encoder_path": encoderDirectory,
            "train_sentences": "\(train.count)", "fraction": "\(fraction)", "drug_pairs": "\(drugPairs)",
            "bystanders": "\(bystanders)",
        ]
        try save(model, params: params, dev: devScores)
        do {
            var prediction = PredictionRun(model: model, modelPath: outputDirectory, selection: part("test"), batchSize: predictBatch)
            prediction.versionSource = source.description
            prediction.versionParams = params
            try log("tagging \(part("test")) with the epoch-\(best.epoch) model")
            let written = try prediction.run(store: store, shouldStop: shouldStop)
            let version = written.layer.version ?? 0
            if let dev = devScores { try store.recordModelMetrics(version, on: part("dev").description, dev) }
            var test: LayerScores?, multiDrug: LayerScores?
            if let gold = try? store.layer(.gold) {
                let predicted = try store.pairs(in: written.layer, sentences: part("test"), within: gold)
                let reference = try store.pairs(in: gold, sentences: part("test"))
                let evaluation = Evaluation(predicted: predicted, gold: reference)
                let scores = LayerScores(strict: evaluation.strict, lenient: evaluation.lenient)
                try store.recordModelMetrics(version, on: part("test").description, scores)
                test = scores
                let several = Set(try store.sentenceIDs(part("test"), minDrugs: 2))
                if !several.isEmpty {
                    let subset = Evaluation(predicted: predicted.filter { several.contains($0.sentenceID) },
                                            gold: reference.filter { several.contains($0.sentenceID) })
                    let subsetScores = LayerScores(strict: subset.strict, lenient: subset.lenient)
                    try store.recordModelMetrics(version, on: Self.multiDrugKey(part("test").description), subsetScores)
                    multiDrug = subsetScores
                }
            }
            return TrainingResult(layer: written.layer, path: outputDirectory, bestEpoch: best.epoch, dev: devScores,
                                  test: test, testMultiDrug: multiDrug, trainInstances: instances,
                                  seconds: Date().timeIntervalSince(started))
        } catch {
            try? FileManager.default.removeItem(atPath: outputDirectory)
            throw error
        }
    }

    /// The first `fraction` of `sentences` in a seeded random order (at least one sentence when
    /// there are any): nested across fractions for one seed.
    static func subset(_ sentences: [TrainingSentence], fraction: Double, seed: UInt64) -> [TrainingSentence] {
        guard fraction < 1, !sentences.isEmpty else { return sentences }
        var random = SplitMix64(seed: seed ^ 0x6C65_6172_6E69_6E67) // "learning"
        let keyed = sentences.map { ($0, random.next()) }.sorted { $0.1 < $1.1 }
        let count = max(1, Int((Double(sentences.count) * max(0, fraction)).rounded(.up)))
        return keyed.prefix(count).map(\.0).sorted { $0.sentenceID < $1.sentenceID }
    }

    /// Writes the model folder and `vigil-training.json` (source, split, hyper-parameters, dev scores)
    /// beside the destination, then renames it into place.
    private func save(_ model: StudentModel, params: [String: String], dev: LayerScores?) throws {
        let fm = FileManager.default
        let staging = outputDirectory + ".training-\(UUID().uuidString)"
        do {
            try fm.createDirectory(atPath: URL(fileURLWithPath: outputDirectory).deletingLastPathComponent().path,
                                   withIntermediateDirectories: true)
            try model.save(to: staging)
            var record: [String: Any] = ["source": source.description, "head": model.settings.head.rawValue,
                                         "params": params, "encoder": model.settings.encoder ?? ""]
            if let dev {
                record["dev"] = ["strict_f1": dev.strict.f1, "lenient_f1": dev.lenient.f1]
            }
            try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: staging + "/vigil-training.json"))
            if fm.fileExists(atPath: outputDirectory) { try fm.removeItem(atPath: outputDirectory) }
            try fm.moveItem(atPath: staging, toPath: outputDirectory)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw TrainingError.cannotWrite(path: outputDirectory, reason: "\(error)")
        }
    }

    /// Strict and lenient scores of `model` on labelled sentences (the labels as reference).
    static func score(_ model: StudentModel, on sentences: [TrainingSentence], batch: Int) throws -> LayerScores {
        let order = sentences.indices.sorted { sentences[$0].text.count < sentences[$1].text.count }
        var predicted: [ADEPair] = [], gold: [ADEPair] = []
        var start = 0
        while start < order.count {
            let chunk = order[start..<min(start + max(1, batch), order.count)].map { sentences[$0] }
            let tagged = try model.tag(chunk.map { TaggerInput(text: $0.text, drugs: $0.items.map(\.drug)) }, batchSize: batch)
            for (sentence, perDrug) in zip(chunk, tagged) {
                for (item, spans) in zip(sentence.items, perDrug) {
                    let key = DrugKey(mentionID: item.mentionID, name: "")
                    predicted += spans.map { ADEPair(sentenceID: sentence.sentenceID, drug: key, span: $0.span) }
                    gold += item.ades.map { ADEPair(sentenceID: sentence.sentenceID, drug: key, span: $0) }
                }
            }
            start += chunk.count
        }
        let evaluation = Evaluation(predicted: predicted, gold: gold)
        return LayerScores(strict: evaluation.strict, lenient: evaluation.lenient)
    }
}
