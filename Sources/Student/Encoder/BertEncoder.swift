import Tensor

/// Why the encoder refused an input.
public enum EncoderError: Error, Equatable, CustomStringConvertible {
    case sequenceTooLong(index: Int, length: Int, maximum: Int)
    case idOutOfRange(index: Int, id: Int32, vocabularySize: Int)

    public var description: String {
        switch self {
        case .sequenceTooLong(let index, let length, let maximum):
            return "sequence \(index) has \(length) word pieces; the model takes at most \(maximum)"
        case .idOutOfRange(let index, let id, let size):
            return "sequence \(index) has token id \(id), outside the vocabulary of \(size)"
        }
    }
}

/// The encoder's last hidden states for a batch: (B, T, C), sequence b live in its first
/// `lengths[b]` rows (right padding after that is unspecified).
public struct EncoderOutput: Sendable {
    public var hidden: Tensor
    public var lengths: [Int]

    /// Sequence `b`'s live hidden states as a (lengths[b], C) tensor.
    public func sequence(_ b: Int) -> Tensor {
        let t = hidden.shape[1], c = hidden.shape[2]
        return Tensor(shape: [lengths[b], c], data: Array(hidden.data[(b * t * c)..<((b * t + lengths[b]) * c)]))
    }
}

/// A BERT encoder (post-layer-norm transformer blocks) running on the Tensor kernels.
public struct BertEncoder: Sendable {
    public let config: BertConfig
    public let weights: BertWeights
    private let workspace = EncoderWorkspace()
    /// The four products of every block packed for the AVX-512 GEMM; nil without AVX-512F.
    /// Packed from `weights` here, so an encoder made from updated weights packs them anew.
    private let packedLayers: [PackedBertLayer]?

    /// The precision of the blocks' four products in `forward`: `.bfloat16` only where it was
    /// asked for and the CPU has AVX512-BF16 (`BF16GEMM.inferenceAvailable`). Attention's own
    /// products, layer norms and GELU stay float32 in any case.
    public let precision: MatmulPrecision

    /// An encoder over `weights`; `precision: .bfloat16` rounds the blocks' products to
    /// bfloat16 (float32 accumulation) where the CPU can, and is float32 elsewhere.
    public init(config: BertConfig, weights: BertWeights, precision: MatmulPrecision = .float32) {
        self.config = config
        self.weights = weights
        let layers = NativeKernels.available ? weights.layers.map { PackedBertLayer($0, precision: precision) } : nil
        packedLayers = layers
        self.precision = layers?.first?.qkv.precision ?? .float32
    }

    /// The same encoder with its products in `precision` (packed anew; the weights are shared).
    public func with(precision: MatmulPrecision) -> BertEncoder {
        precision == self.precision ? self : BertEncoder(config: config, weights: weights, precision: precision)
    }

    /// Floating-point operations of one forward pass over `tokens` positions in sequences of `length`
    /// (matrix products only: 2·m·n·k each).
    public func flops(sequences: Int, length: Int) -> Double {
        let c = Double(config.hiddenSize), i = Double(config.intermediateSize), n = Double(sequences * length)
        let perLayer = 2 * n * (3 * c * c + c * c + 2 * c * i) + 2 * 2 * Double(sequences) * Double(length * length) * c
        return perLayer * Double(config.layers)
    }

    /// Runs the encoder over a batch of token-id sequences (token type 0 everywhere).
    public func forward(_ sequences: [[Int32]]) throws(EncoderError) -> EncoderOutput {
        let lengths = sequences.map(\.count)
        for (b, ids) in sequences.enumerated() {
            if ids.count > config.maxPositions {
                throw .sequenceTooLong(index: b, length: ids.count, maximum: config.maxPositions)
            }
            if let bad = ids.first(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
                throw .idOutOfRange(index: b, id: bad, vocabularySize: config.vocabularySize)
            }
        }
        let batch = sequences.count, length = lengths.max() ?? 0
        let c = config.hiddenSize, inter = config.intermediateSize, n = batch * length
        guard n > 0 else { return EncoderOutput(hidden: Tensor(zeros: [batch, length, c]), lengths: lengths) }
        let w = weights
        let output = workspace.with([n * c, n * max(3 * c, inter), n * c, n * c, Parallel.threads * length * length]) { b in
            // x (B, T, C); qkv (B, T, 3C), later (B, T, I); context and tmp (B, T, C); attention scores.
            let x = b[0], qkv = b[1], context = b[2], tmp = b[3], scores = b[4]
            embed(sequences, length: length, into: x)
            if let packedLayers, NativeKernels.enabled {
                for (layer, packed) in zip(w.layers, packedLayers) {
                    packed.qkv.forward(x, rows: n, into: qkv)
                    Attention.forward(qkv: qkv, batch: batch, length: length, channels: c, heads: config.heads,
                                      lengths: lengths, scratch: scores, into: context)
                    packed.attentionOut.forward(context, rows: n, residual: x, into: tmp)
                    Self.norm(tmp, n, c, layer.attentionNormGamma, layer.attentionNormBeta, config.layerNormEps, x)
                    packed.intermediate.forward(x, rows: n, gelu: true, into: qkv)
                    packed.output.forward(qkv, rows: n, residual: x, into: tmp)
                    Self.norm(tmp, n, c, layer.outputNormGamma, layer.outputNormBeta, config.layerNormEps, x)
                }
                return Array(UnsafeBufferPointer(start: x, count: n * c))
            }
            for layer in w.layers {
                Self.dense(x, n, c, layer.qkvWeight, layer.qkvBias, 3 * c, qkv)
                Attention.forward(qkv: qkv, batch: batch, length: length, channels: c, heads: config.heads,
                                  lengths: lengths, scratch: scores, into: context)
                Self.dense(context, n, c, layer.attentionOutWeight, layer.attentionOutBias, c, tmp)
                Elementwise.addResidual(tmp, x, count: n * c)
                Self.norm(tmp, n, c, layer.attentionNormGamma, layer.attentionNormBeta, config.layerNormEps, x)
                Self.dense(x, n, c, layer.intermediateWeight, layer.intermediateBias, inter, qkv)
                GELU.forward(qkv, count: n * inter)
                Self.dense(qkv, n, inter, layer.outputWeight, layer.outputBias, c, tmp)
                Elementwise.addResidual(tmp, x, count: n * c)
                Self.norm(tmp, n, c, layer.outputNormGamma, layer.outputNormBeta, config.layerNormEps, x)
            }
            return Array(UnsafeBufferPointer(start: x, count: n * c))
        }
        return EncoderOutput(hidden: Tensor(shape: [batch, length, c], data: output), lengths: lengths)
    }

    /// Word + position + token-type embeddings, then layer norm; padded rows are zero.
    private func embed(_ sequences: [[Int32]], length: Int, into x: UnsafeMutablePointer<Float>) {
        let c = config.hiddenSize
        let w = weights
        x.update(repeating: 0, count: sequences.count * length * c)
        w.wordEmbeddings.data.withUnsafeBufferPointer { words in
            w.positionEmbeddings.data.withUnsafeBufferPointer { positions in
                w.typeEmbeddings.data.withUnsafeBufferPointer { types in
                    for (b, ids) in sequences.enumerated() {
                        for (t, id) in ids.enumerated() {
                            let row = x + (b * length + t) * c
                            let word = words.baseAddress! + Int(id) * c, position = positions.baseAddress! + t * c
                            for j in 0..<c { row[j] = word[j] + position[j] + types[j] }
                        }
                    }
                }
            }
        }
        Self.norm(x, sequences.count * length, c, w.embeddingNormGamma, w.embeddingNormBeta, config.layerNormEps, x)
    }

    private static func dense(_ input: UnsafePointer<Float>, _ rows: Int, _ inFeatures: Int, _ weight: Tensor, _ bias: Tensor,
                              _ outFeatures: Int, _ out: UnsafeMutablePointer<Float>) {
        weight.data.withUnsafeBufferPointer { wp in
            bias.data.withUnsafeBufferPointer { bp in
                Linear.forward(input, rows: rows, inFeatures: inFeatures, weight: wp.baseAddress!, bias: bp.baseAddress!,
                               outFeatures: outFeatures, into: out)
            }
        }
    }

    private static func norm(_ input: UnsafePointer<Float>, _ rows: Int, _ cols: Int, _ gamma: Tensor, _ beta: Tensor,
                             _ eps: Float, _ out: UnsafeMutablePointer<Float>) {
        gamma.data.withUnsafeBufferPointer { g in
            beta.data.withUnsafeBufferPointer { b in
                LayerNorm.forward(input, rows: rows, cols: cols, gamma: g.baseAddress!, beta: b.baseAddress!, eps: eps, into: out)
            }
        }
    }

}
