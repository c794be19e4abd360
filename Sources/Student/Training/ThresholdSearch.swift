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

    /// Strict and lenient scores of the cached items decoded at `threshold` (with hysteresis down to
    /// `extendThreshold`, when given), dropping spans whose confidence is below `minConfidence`.
    public func scores(threshold: Float, minConfidence: Float = 0, extendThreshold: Float? = nil) -> LayerScores {
        var predicted: [ADEPair] = [], gold: [ADEPair] = []
        for item in items {
            let key = DrugKey(mentionID: item.mentionID, name: "")
            let spans = StudentModel.decode(pieces: item.pieces, probabilities: item.probabilities, threshold: threshold,
                                            text: item.text, drug: item.drug, decoding: decoding, minConfidence: minConfidence,
                                            extendThreshold: extendThreshold)
            predicted += spans.map { ADEPair(sentenceID: item.sentenceID, drug: key, span: $0.span) }
            gold += item.gold.map { ADEPair(sentenceID: item.sentenceID, drug: key, span: $0) }
        }
        let evaluation = Evaluation(predicted: predicted, gold: gold)
        return LayerScores(strict: evaluation.strict, lenient: evaluation.lenient)
    }

    /// The span-confidence floors tried by default: none, 0.6, 0.7, 0.8.
    public static let defaultMinConfidences: [Float] = [0, 0.6, 0.7, 0.8]

    /// The hysteresis floors tried by default, as fractions of the threshold: none (1), ½, ¼, ⅛.
    public static let defaultExtendFractions: [Float] = [1, 0.5, 0.25, 0.125]

    /// The decoding chosen on dev and its scores.
    public struct Choice: Sendable {
        public var threshold: Float
        public var minConfidence: Float
        /// nil: no hysteresis (the extend threshold equals the threshold).
        public var extendThreshold: Float?
        public var scores: LayerScores
    }

    /// The best (threshold, confidence floor, extend threshold) by strict F1 + lenient F1; ties go to
    /// the threshold nearest 0.5, then the lower floor, then the least hysteresis. Extend thresholds
    /// are `extendFractions` of each candidate threshold (1 = none).
    public func best(among candidates: [Float] = defaultCandidates, minConfidences: [Float] = [0],
                     extendFractions: [Float] = [1]) -> Choice {
        var best: (choice: Choice, objective: Double)?
        let fractions = extendFractions.filter { $0 > 0 && $0 <= 1 }.sorted(by: >)
        for threshold in candidates where threshold > 0 && threshold < 1 {
            for floor in minConfidences.sorted() where floor >= 0 && floor < 1 {
                for fraction in fractions.isEmpty ? [1] : fractions {
                    let extend: Float? = fraction < 1 ? threshold * fraction : nil
                    let scores = self.scores(threshold: threshold, minConfidence: floor, extendThreshold: extend)
                    let objective = scores.strict.f1 + scores.lenient.f1
                    if let current = best {
                        let better = objective > current.objective + 1e-12
                            || (abs(objective - current.objective) <= 1e-12
                                && abs(threshold - 0.5) < abs(current.choice.threshold - 0.5))
                        if !better { continue }
                    }
                    best = (Choice(threshold: threshold, minConfidence: floor, extendThreshold: extend, scores: scores), objective)
                }
            }
        }
        return best?.choice ?? Choice(threshold: 0.5, minConfidence: 0, extendThreshold: nil, scores: scores(threshold: 0.5))
    }
}
