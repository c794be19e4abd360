import Tensor

/// Hyper-parameters of a training run.
public struct TrainingOptions: Sendable, Equatable {
    public var epochs = 3
    public var learningRate: Float = 5e-5
    /// (sentence, drug) instances per batch (a batch holds whole sentences, so it may hold a few more).
    public var batchSize = 16
    public var seed: UInt64 = 13
    /// Fraction of all steps spent warming the learning rate up.
    public var warmupFraction: Float = 0.1
    public var weightDecay: Float = 0.01
    public var maxGradientNorm: Float = 1
    /// Dropout on the encoder's hidden states (BERT's `hidden_dropout_prob`).
    public var dropout: Float = 0.1
    /// Dropout on the attention probabilities (BERT's `attention_probs_dropout_prob`).
    public var attentionDropout: Float = 0.1
    /// The head's learning rate as a multiple of the encoder's (1: one rate for all, as the paper).
    public var headRateScale: Float = 1
    /// Which of the encoder's weight products round their inputs to bfloat16 (a bfloat16 value
    /// needs `BF16GEMM.available`; elsewhere every product runs in float32).
    public var precision: TrainingPrecision = .float32

    /// The precision the products actually run in: `precision`, or float32 where no bf16 path
    /// (`BF16GEMM.path`: AMX or AVX512-BF16) runs.
    public var effectivePrecision: TrainingPrecision {
        BF16GEMM.available ? precision : .float32
    }

    public init(epochs: Int = 3, learningRate: Float = 5e-5, batchSize: Int = 16, seed: UInt64 = 13,
                warmupFraction: Float = 0.1, weightDecay: Float = 0.01, maxGradientNorm: Float = 1, dropout: Float = 0.1,
                attentionDropout: Float = 0.1) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.seed = seed
        self.warmupFraction = warmupFraction
        self.weightDecay = weightDecay
        self.maxGradientNorm = maxGradientNorm
        self.dropout = dropout
        self.attentionDropout = attentionDropout
    }
}

/// Gradient steps on a tagger: encoder and head forward, loss, backward, clipping and AdamW,
/// deterministic given the seed.
public final class TaggerTrainer {
    public let parameters: TrainingParameters
    public let options: TrainingOptions
    private let encoderPass: EncoderTrainingPass
    private let headArena = TrainingArena()
    private var optimizer: AdamW
    private var random: RandomState
    /// Whether the gradient buffer is known to hold zeros (after a fused step), so the next
    /// `computeGradients` need not clear it.
    private var gradientsAreZero = false
    /// Optimizer steps taken.
    public var steps: Int { optimizer.step }

    public init(model: StudentModel, options: TrainingOptions) {
        parameters = TrainingParameters(model: model)
        self.options = options
        encoderPass = EncoderTrainingPass(parameters: parameters, precision: options.effectivePrecision)
        optimizer = AdamW(layout: parameters.values.layout, weightDecay: options.weightDecay)
        if options.headRateScale != 1 { optimizer.scaleRate(ofSlotsWithPrefix: "head.", by: options.headRateScale) }
        random = RandomState(seed: options.seed)
    }

    /// Zeroes the gradients, then fills them with the gradient of `batch`'s mean loss; returns that loss.
    /// `dropout` nil uses the options' rates; 0 turns every dropout off (a deterministic pass, for
    /// gradient checks); another value replaces the hidden-state rate only.
    @discardableResult
    public func computeGradients(_ batch: TrainingBatch, dropout: Float? = nil) -> Double {
        if !gradientsAreZero { parameters.gradients.zero() }
        gradientsAreZero = false
        let hidden = encoderPass.forward(batch.sequences, dropout: dropout ?? options.dropout,
                                         attentionDropout: dropout == 0 ? 0 : options.attentionDropout, random: &random)
        headArena.reset()
        let dHidden = headArena.take(encoderPass.batch * encoderPass.length * parameters.config.hiddenSize, zeroed: true)
        let loss = HeadTrainingPass.forwardBackward(parameters: parameters, hidden: hidden, length: encoderPass.length,
                                                    items: batch.items, dHidden: dHidden)
        encoderPass.backward(dHidden)
        return loss
    }

    /// The mean loss of `batch` without dropout and without touching the gradients' meaning
    /// (they are overwritten).
    public func loss(_ batch: TrainingBatch) -> Double { computeGradients(batch, dropout: 0) }

    /// One optimisation step at learning rate `lr`: gradients, global-norm clipping, AdamW.
    /// Returns the batch's loss (before the update).
    @discardableResult
    public func step(_ batch: TrainingBatch, lr: Float) -> Double {
        let loss = computeGradients(batch)
        update(lr: lr, touchedWords: batch.sequences, zeroGradients: true)
        return loss
    }

    /// Clips the current gradients to `options.maxGradientNorm` (when positive) and applies one
    /// AdamW update at `lr`. Returns the gradients' global norm before clipping. The gradient
    /// buffer keeps the clipped gradients.
    @discardableResult
    public func update(lr: Float) -> Float { update(lr: lr, touchedWords: nil, zeroGradients: false) }

    /// `update(lr:)` with clipping's scale fused into AdamW. `touchedWords` (the batch's ids)
    /// lets the norm read only those rows of the word-embedding gradient; `zeroGradients` leaves
    /// the buffer cleared for the next step instead of holding the clipped gradients.
    @discardableResult
    private func update(lr: Float, touchedWords: [[Int32]]?, zeroGradients: Bool) -> Float {
        var norm = Float.nan, scale: Float = 1
        if options.maxGradientNorm > 0 {
            let rows = touchedWords.map { $0.joined().map(Int.init) }
            norm = GradientClipping.norm(parameters.gradients, sparseRows: rows.map { ("embeddings.word", $0) })
            scale = GradientClipping.scale(norm: norm, maxNorm: options.maxGradientNorm)
        }
        optimizer.update(parameters.values, gradients: parameters.gradients, lr: lr, gradientScale: scale,
                         zeroGradients: zeroGradients)
        gradientsAreZero = zeroGradients
        return norm
    }

    /// Seconds spent in each part of one training step.
    public struct StepTimes: Sendable {
        public var forward: Double
        public var backward: Double
        public var optimizer: Double
        public var loss: Double
    }

    /// `step`, timed part by part (for benchmarks): forward (encoder and head with loss),
    /// backward, then clipping with AdamW.
    public func profiledStep(_ batch: TrainingBatch, lr: Float) -> StepTimes {
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        let t0 = clock.now
        if !gradientsAreZero { parameters.gradients.zero() }
        gradientsAreZero = false
        let hidden = encoderPass.forward(batch.sequences, dropout: options.dropout,
                                         attentionDropout: options.attentionDropout, random: &random)
        headArena.reset()
        let dHidden = headArena.take(encoderPass.batch * encoderPass.length * parameters.config.hiddenSize, zeroed: true)
        let loss = HeadTrainingPass.forwardBackward(parameters: parameters, hidden: hidden, length: encoderPass.length,
                                                    items: batch.items, dHidden: dHidden)
        let t1 = clock.now
        encoderPass.backward(dHidden)
        let t2 = clock.now
        update(lr: lr, touchedWords: batch.sequences, zeroGradients: true)
        let t3 = clock.now
        return StepTimes(forward: seconds(t1 - t0), backward: seconds(t2 - t1), optimizer: seconds(t3 - t2), loss: loss)
    }

    /// Length-bucketed batches over `sentences` for one epoch: sentences sorted by length (ties
    /// broken at random), cut into batches of about `options.batchSize` instances, batches shuffled.
    public func epochBatches(_ sentences: [EncodedSentence]) -> [TrainingBatch] {
        let keyed = sentences.indices.filter { !sentences[$0].items.isEmpty }.map { ($0, random.next()) }
        let order = keyed.sorted { (sentences[$0.0].ids.count, $0.1) < (sentences[$1.0].ids.count, $1.1) }.map(\.0)
        var batches: [TrainingBatch] = []
        var current: [EncodedSentence] = [], instances = 0
        for index in order {
            current.append(sentences[index])
            instances += sentences[index].items.count
            if instances >= max(1, options.batchSize) {
                batches.append(TrainingBatch(current))
                current = []
                instances = 0
            }
        }
        if !current.isEmpty { batches.append(TrainingBatch(current)) }
        for i in stride(from: batches.count - 1, to: 0, by: -1) { batches.swapAt(i, random.next(below: i + 1)) }
        return batches
    }

    /// Floats held for activations (for memory reports).
    public var activationFloats: Int { encoderPass.heldFloats }
}
