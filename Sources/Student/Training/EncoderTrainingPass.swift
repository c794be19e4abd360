import Tensor

/// The encoder's forward pass for training, keeping every activation the backward pass needs,
/// and that backward pass, accumulating into `TrainingParameters.gradients`.
///
/// The same kernels as `BertEncoder.forward`, plus inverted dropout (`dropout` > 0) on the
/// embeddings and on each block's two sub-layer outputs before their residual adds, as BERT's
/// `hidden_dropout_prob`, and on the last hidden states the head reads (the classifier dropout of
/// a token-classification model); and `attentionDropout` on the attention probabilities (BERT's
/// `attention_probs_dropout_prob`).
final class EncoderTrainingPass {
    /// One block's saved activations, each (B·T, width).
    struct LayerActivations {
        var input: UnsafeMutablePointer<Float>       // (n, C) block input
        var qkv: UnsafeMutablePointer<Float>         // (n, 3C)
        var probabilities: UnsafeMutablePointer<Float> // (B, heads, T, T)
        var probabilityMask: UnsafeMutablePointer<Float>? // (B, heads, T, T) attention-probability dropout
        var context: UnsafeMutablePointer<Float>     // (n, C)
        var attentionSum: UnsafeMutablePointer<Float> // (n, C) dropout(attention out) + input
        var attentionMask: UnsafeMutablePointer<Float>? // (n, C)
        var normed: UnsafeMutablePointer<Float>      // (n, C) layer norm of attentionSum
        var intermediate: UnsafeMutablePointer<Float> // (n, I) before GELU
        var activated: UnsafeMutablePointer<Float>   // (n, I) after GELU
        var outputSum: UnsafeMutablePointer<Float>   // (n, C) dropout(output) + normed
        var outputMask: UnsafeMutablePointer<Float>? // (n, C)
    }

    let parameters: TrainingParameters
    private let arena = TrainingArena()
    private(set) var batch = 0
    private(set) var length = 0
    private(set) var lengths: [Int] = []
    private var sequences: [[Int32]] = []
    private var embeddingSum: UnsafeMutablePointer<Float>? // (n, C) before the embedding layer norm
    private var embeddingMask: UnsafeMutablePointer<Float>?
    private var layers: [LayerActivations] = []
    private var headMask: UnsafeMutablePointer<Float>?
    /// The last hidden states (n, C) after `forward`.
    private(set) var output: UnsafeMutablePointer<Float>?

    /// The precision of the four weight products of each block, forward and input gradient.
    let precision: MatmulPrecision
    /// The precision of their weight-gradient products.
    let weightPrecision: MatmulPrecision

    init(parameters: TrainingParameters, precision: TrainingPrecision = .float32) {
        self.parameters = parameters
        self.precision = precision.products
        self.weightPrecision = precision.weightGradients
    }

    private var config: BertConfig { parameters.config }

    /// Runs the encoder over `sequences` (ids already validated), right-padded to the longest.
    /// Returns the last hidden states (B·T, C), after dropout when `dropout` > 0; padded rows hold
    /// layer-norm output of zeros.
    @discardableResult
    func forward(_ sequences: [[Int32]], dropout: Float, attentionDropout: Float = 0,
                 random: inout RandomState) -> UnsafeMutablePointer<Float> {
        arena.reset()
        self.sequences = sequences
        lengths = sequences.map(\.count)
        batch = sequences.count
        length = lengths.max() ?? 0
        let c = config.hiddenSize, inter = config.intermediateSize, n = batch * length, eps = config.layerNormEps
        let p = parameters.values
        let sum = arena.take(n * c, zeroed: true)
        let words = p["embeddings.word"], positions = p["embeddings.position"], types = p["embeddings.type"]
        for (b, ids) in sequences.enumerated() {
            for (t, id) in ids.enumerated() {
                let row = sum + (b * length + t) * c, word = words + Int(id) * c, position = positions + t * c
                for j in 0..<c { row[j] = word[j] + position[j] + types[j] }
            }
        }
        embeddingSum = sum
        var x = arena.take(n * c)
        LayerNorm.forward(sum, rows: n, cols: c, gamma: p["embeddings.norm.gamma"], beta: p["embeddings.norm.beta"],
                          eps: eps, into: x)
        embeddingMask = applyDropout(x, n * c, dropout, &random)
        layers = []
        for l in 0..<config.layers {
            let w = { (name: String) in p["layer.\(l)." + name] }
            var a = LayerActivations(
                input: x, qkv: arena.take(n * 3 * c), probabilities: arena.take(batch * config.heads * length * length),
                probabilityMask: nil, context: arena.take(n * c), attentionSum: arena.take(n * c), attentionMask: nil, normed: arena.take(n * c),
                intermediate: arena.take(n * inter), activated: arena.take(n * inter), outputSum: arena.take(n * c),
                outputMask: nil)
            Linear.forward(x, rows: n, inFeatures: c, weight: w("qkv.weight"), bias: w("qkv.bias"), outFeatures: 3 * c,
                           into: a.qkv, precision: precision)
            if attentionDropout > 0 {
                let count = batch * config.heads * length * length
                let mask = arena.take(count)
                Dropout.fillMask(mask, count: count, probability: attentionDropout, state: &random)
                a.probabilityMask = mask
            }
            Attention.forwardSaving(qkv: a.qkv, batch: batch, length: length, channels: c, heads: config.heads,
                                    lengths: lengths, probabilities: a.probabilities, dropoutMask: a.probabilityMask,
                                    into: a.context)
            Linear.forward(a.context, rows: n, inFeatures: c, weight: w("attention_out.weight"),
                           bias: w("attention_out.bias"), outFeatures: c, into: a.attentionSum, precision: precision)
            a.attentionMask = applyDropout(a.attentionSum, n * c, dropout, &random)
            Elementwise.addResidual(a.attentionSum, x, count: n * c)
            LayerNorm.forward(a.attentionSum, rows: n, cols: c, gamma: w("attention_norm.gamma"),
                              beta: w("attention_norm.beta"), eps: eps, into: a.normed)
            Linear.forward(a.normed, rows: n, inFeatures: c, weight: w("intermediate.weight"), bias: w("intermediate.bias"),
                           outFeatures: inter, into: a.intermediate, precision: precision)
            GELU.forward(a.intermediate, count: n * inter, into: a.activated)
            Linear.forward(a.activated, rows: n, inFeatures: inter, weight: w("output.weight"), bias: w("output.bias"),
                           outFeatures: c, into: a.outputSum, precision: precision)
            a.outputMask = applyDropout(a.outputSum, n * c, dropout, &random)
            Elementwise.addResidual(a.outputSum, a.normed, count: n * c)
            x = arena.take(n * c)
            LayerNorm.forward(a.outputSum, rows: n, cols: c, gamma: w("output_norm.gamma"), beta: w("output_norm.beta"),
                              eps: eps, into: x)
            layers.append(a)
        }
        output = x
        headMask = nil
        guard dropout > 0 else { return x }
        let dropped = arena.take(n * c)
        dropped.update(from: x, count: n * c)
        headMask = applyDropout(dropped, n * c, dropout, &random)
        return dropped
    }

    private func applyDropout(_ x: UnsafeMutablePointer<Float>, _ count: Int, _ p: Float,
                              _ random: inout RandomState) -> UnsafeMutablePointer<Float>? {
        guard p > 0 else { return nil }
        let mask = arena.take(count)
        Dropout.forward(x, count: count, probability: p, state: &random, mask: mask)
        return mask
    }

    /// Back-propagates `dOutput` (B·T, C), the loss gradient of the last hidden states, through
    /// the pass `forward` last ran; adds every parameter's gradient into `parameters.gradients`.
    /// `dOutput` is used as scratch.
    func backward(_ dOutput: UnsafeMutablePointer<Float>) {
        let c = config.hiddenSize, inter = config.intermediateSize, n = batch * length, eps = config.layerNormEps
        guard n > 0, let embeddingSum else { return }
        let p = parameters.values, g = parameters.gradients
        let dX = dOutput
        if let headMask { Dropout.backward(dX, mask: headMask, count: n * c) }
        let dA = arena.take(n * c), dB = arena.take(n * c), dContext = arena.take(n * c)
        let dInter = arena.take(n * inter), dQKV = arena.take(n * 3 * c)
        let scratch = arena.take(Parallel.threads * length * length)
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let a = layers[l]
            let w = { (name: String) in p["layer.\(l)." + name] }, dw = { (name: String) in g["layer.\(l)." + name] }
            // out = LN(outputSum); outputSum = dropout(output) + normed
            LayerNorm.backward(a.outputSum, rows: n, cols: c, gamma: w("output_norm.gamma"), eps: eps, dOut: dX,
                               dInput: dA, dGamma: dw("output_norm.gamma"), dBeta: dw("output_norm.beta"))
            dB.update(from: dA, count: n * c)
            if let mask = a.outputMask { Dropout.backward(dB, mask: mask, count: n * c) }
            Linear.backward(a.activated, rows: n, inFeatures: inter, weight: w("output.weight"), outFeatures: c, dOut: dB,
                            dInput: dInter, dWeight: dw("output.weight"), dBias: dw("output.bias"), precision: precision,
                            weightPrecision: weightPrecision)
            GELU.backward(a.intermediate, dOut: dInter, count: n * inter, into: dInter)
            // dA holds d(normed) through the residual; add the intermediate layer's path.
            Linear.backward(a.normed, rows: n, inFeatures: c, weight: w("intermediate.weight"), outFeatures: inter,
                            dOut: dInter, dInput: dA, accumulateInput: true, dWeight: dw("intermediate.weight"),
                            dBias: dw("intermediate.bias"), precision: precision,
                            weightPrecision: weightPrecision)
            // normed = LN(attentionSum); attentionSum = dropout(attention out) + input
            LayerNorm.backward(a.attentionSum, rows: n, cols: c, gamma: w("attention_norm.gamma"), eps: eps, dOut: dA,
                               dInput: dX, dGamma: dw("attention_norm.gamma"), dBeta: dw("attention_norm.beta"))
            dB.update(from: dX, count: n * c)
            if let mask = a.attentionMask { Dropout.backward(dB, mask: mask, count: n * c) }
            Linear.backward(a.context, rows: n, inFeatures: c, weight: w("attention_out.weight"), outFeatures: c, dOut: dB,
                            dInput: dContext, dWeight: dw("attention_out.weight"), dBias: dw("attention_out.bias"), precision: precision,
                            weightPrecision: weightPrecision)
            Attention.backward(qkv: a.qkv, probabilities: a.probabilities, dropoutMask: a.probabilityMask, dContext: dContext, batch: batch, length: length,
                               channels: c, heads: config.heads, lengths: lengths, scratch: scratch, dQKV: dQKV)
            // dX holds d(input) through the residual; add the projections' path.
            Linear.backward(a.input, rows: n, inFeatures: c, weight: w("qkv.weight"), outFeatures: 3 * c, dOut: dQKV,
                            dInput: dX, accumulateInput: true, dWeight: dw("qkv.weight"), dBias: dw("qkv.bias"), precision: precision,
                            weightPrecision: weightPrecision)
        }
        if let mask = embeddingMask { Dropout.backward(dX, mask: mask, count: n * c) }
        LayerNorm.backward(embeddingSum, rows: n, cols: c, gamma: p["embeddings.norm.gamma"], eps: eps, dOut: dX,
                           dInput: dA, dGamma: g["embeddings.norm.gamma"], dBeta: g["embeddings.norm.beta"])
        let dWords = g["embeddings.word"], dPositions = g["embeddings.position"], dTypes = g["embeddings.type"]
        for (b, ids) in sequences.enumerated() {
            ids.withUnsafeBufferPointer { idp in
                guard let base = idp.baseAddress else { return }
                Embedding.backward(dOut: dA + b * length * c, dim: c, ids: base, count: ids.count, dTable: dWords)
            }
            for t in 0..<ids.count {
                let row = dA + (b * length + t) * c, position = dPositions + t * c
                for j in 0..<c {
                    position[j] += row[j]
                    dTypes[j] += row[j]
                }
            }
        }
    }

    /// Floats the pass holds for activations and scratch.
    var heldFloats: Int { arena.heldFloats }
}
