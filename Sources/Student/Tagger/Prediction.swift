import Core
import Corpus
import Foundation

/// Why a prediction run ended without a layer.
public enum PredictionError: Error, Equatable, CustomStringConvertible {
    case cancelled(done: Int, total: Int)

    public var description: String {
        switch self {
        case .cancelled(let done, let total): return "cancelled after \(done) of \(total) sentences; no layer written"
        }
    }
}

/// Runs a student model over a corpus selection and writes a `student:<version>` layer.
///
/// Sentences are sorted by word-piece count and batched, so padding stays small. The layer
/// is written in one transaction at the end, so a stopped or failed run leaves no half layer.
public struct PredictionRun {
    public var model: StudentModel
    /// Where the model was loaded from (recorded as the model version's path).
    public var modelPath: String
    public var selection: SentenceSelection
    public var batchSize: Int
    /// Recorded as the model version's data source (training sets it to its label source).
    public var versionSource = "predict"
    /// Added to the model version's recorded parameters (training adds its hyper-parameters).
    public var versionParams: [String: String] = [:]

    public init(model: StudentModel, modelPath: String, selection: SentenceSelection = .all, batchSize: Int = 16) {
        self.model = model
        self.modelPath = modelPath
        self.selection = selection
        self.batchSize = max(1, batchSize)
    }

    /// Tags every selected sentence with drugs and writes the layer. `progress(done, total)`
    /// runs after each batch; when `shouldStop()` turns true the run throws `.cancelled`
    /// before writing anything.
    public func run(store: CorpusStore, progress: (Int, Int) throws -> Void = { _, _ in },
                    shouldStop: () throws -> Bool = { false }) throws -> (layer: LayerInfo, sentences: Int, spans: Int) {
        let inputs = try store.predictionInputs(selection: selection)
        let order = inputs.indices.map { ($0, model.tokenizer.pieces(inputs[$0].text).count) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        var predictions: [StudentPrediction] = []
        var spanCount = 0
        var done = 0
        try progress(0, inputs.count)
        while done < order.count {
            if try shouldStop() { throw PredictionError.cancelled(done: done, total: inputs.count) }
            let chunk = order[done..<min(done + batchSize, order.count)].map { inputs[$0] }
            let tagged = try model.tag(chunk.map { TaggerInput(text: $0.text, drugs: $0.drugs.map(\.span)) }, batchSize: batchSize)
            for (input, perDrug) in zip(chunk, tagged) {
                for (drug, spans) in zip(input.drugs, perDrug) {
                    // Nothing to say when the drug's text produced no word piece (e.g. only control characters).
                    predictions.append(StudentPrediction(sentenceID: input.sentenceID, mentionID: drug.mentionID,
                                                         spans: spans.map { ($0.span, Double($0.confidence)) }))
                    spanCount += spans.count
                }
            }
            done += chunk.count
            try progress(done, inputs.count)
        }
        if try shouldStop() { throw PredictionError.cancelled(done: done, total: inputs.count) }
        let info = CorpusStore.ModelVersionInfo(
            path: URL(fileURLWithPath: modelPath).standardizedFileURL.path, encoder: model.settings.encoder,
            head: model.settings.head.rawValue, source: versionSource,
            params: ["threshold": "\(model.settings.threshold)", "selection": selection.description, "batch": "\(batchSize)",
                     "mlp_size": "\(model.settings.mlpSize)", "decoding": (model.settings.decoding ?? .pieces).rawValue,
                     "min_confidence": "\(model.settings.minConfidence ?? 0)",
                     "extend_threshold": "\(model.settings.extendThreshold ?? model.settings.threshold)"].merging(versionParams) { _, training in training })
        let layer = try store.writeStudentLayer(info, predictions: predictions)
        return (layer, inputs.count, spanCount)
    }
}
