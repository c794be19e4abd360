import Core
import Corpus

/// Chooses the decoding threshold of a trained model on labelled (dev) sentences.
///
/// The encoder runs once per sentence; each candidate threshold then only re-decodes the cached
/// piece probabilities. The chosen threshold maximises strict F1 + lenient F1; ties go to the
/// candidate nearest 0.5.
public struct ThresholdSearch {
    /// The thresholds tried by default: 0.20, 0.25, …, 0.80.
    public static let defaultCandidates: [Float] = (4...16).map { Float($0) * 0.05 }

    /// One decoded probability vector: where it came from and what its gold spans are.
    struct Item {
        var sentenceID: Int64
        var mentionID: Int64
        var drug: Span
        var pieces: [WordPiece]
        var probabilities: [Float]
        var text: [Unicode.Scalar]
        var gold: [Span]
    }

    let items: [Item]
    /// The model's decoding rule, used for every candidate.
    let decoding: StudentModel.Decoding

    /// Searches over already computed items (for tests).
    init(items: [Item], decoding: StudentModel.Decoding = .pieces) {
        self.items = items
        self.decoding = decoding
    }

    /// Runs `model` over `sentences` (in length order, `batch` at a time) and caches every item's
    /// probabilities.
    public init(model: StudentModel, sentences: [TrainingSentence], batch: Int = 16) throws(EncoderError) {
        let order = sentences.indices.sorted { sentences[$0].text.count < sentences[$1].text.count }
        var items: [Item] = []
        var start = 0
        while start < order.count {
            let chunk = order[start..<min(start + max(1, batch), order.count)].map { sentences[$0] }
            let encoded = try model.hiddenStates(chunk.map(\.text), batchSize: batch)
            for (sentence, states) in zip(chunk, encoded) {
                let text = Array(sentence.text.unicodeScalars)
                for item in sentence.items {
                    let probabilities = model.tokenProbabilities(pieces: states.pieces, hidden: states.hidden, drug: item.drug)
                    items.append(Item(sentenceID: sentence.sentenceID, mentionID: item.mentionID, drug: item.drug,
                                      pieces: states.pieces, probabilities: probabilities, text: text, gold: item.ades))
                }
            }
            start += chunk.count
        }
        self.items = items
        decoding = model.settings.decoding ?? .pieces
    }

    /// Strict and lenient scores of the cached items decoded at `threshold`, dropping spans whose
    /// confidence is below `minConfidence`.
    public func scores(threshold: Float, minConfidence: Float = 0) -> LayerScores {
        var predicted: [ADEPair] = [], gold: [ADEPair] = []
        for item in items {
            let key = DrugKey(mentionID: item.mentionID, name: "")
            let spans = StudentModel.decode(pieces: item.pieces, probabilities: item.probabilities, threshold: threshold,
                                            text: item.text, drug: item.drug, decoding: decoding, minConfidence: minConfidence)
            predicted += spans.map { ADEPair(sentenceID: item.sentenceID, drug: key, span: $0.span) }
            gold += item.gold.map { ADEPair(sentenceID: item.sentenceID, drug: key, span: $0) }
        }
        let evaluation = Evaluation(predicted: predicted, gold: gold)
        return LayerScores(strict: evaluation.strict, lenient: evaluation.lenient)
    }

    /// The span-confidence floors tried by default: none, 0.6, 0.7, 0.8.
    public static let defaultMinConfidences: [Float] = [0, 0.6, 0.7, 0.8]

    /// The best (threshold, confidence floor) pair (strict F1 + lenient F1; ties to the threshold
    /// nearest 0.5, then the lower floor) and its scores.
    public func best(among candidates: [Float] = defaultCandidates, minConfidences: [Float] = [0])
        -> (threshold: Float, minConfidence: Float, scores: LayerScores) {
        var best: (threshold: Float, minConfidence: Float, scores: LayerScores, objective: Double)?
        for threshold in candidates where threshold > 0 && threshold < 1 {
            for floor in minConfidences.sorted() where floor >= 0 && floor < 1 {
                let scores = self.scores(threshold: threshold, minConfidence: floor)
                let objective = scores.strict.f1 + scores.lenient.f1
                if let current = best {
                    let better = objective > current.objective + 1e-12
                        || (abs(objective - current.objective) <= 1e-12 && abs(threshold - 0.5) < abs(current.threshold - 0.5))
                    if !better { continue }
                }
                best = (threshold, floor, scores, objective)
            }
        }
        guard let best else { return (0.5, 0, scores(threshold: 0.5)) }
        return (best.threshold, best.minConfidence, best.scores)
    }
}
