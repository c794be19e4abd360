import Tensor

/// One transformer block's parameters, Q, K and V fused into one (3C, C) projection.
public struct BertLayerWeights: Sendable {
    public var qkvWeight: Tensor      // (3C, C): query, key, value rows stacked
    public var qkvBias: Tensor        // (3C)
    public var attentionOutWeight: Tensor // (C, C)
    public var attentionOutBias: Tensor   // (C)
    public var attentionNormGamma: Tensor // (C)
    public var attentionNormBeta: Tensor  // (C)
    public var intermediateWeight: Tensor // (I, C)
    public var intermediateBias: Tensor   // (I)
    public var outputWeight: Tensor       // (C, I)
    public var outputBias: Tensor         // (C)
    public var outputNormGamma: Tensor    // (C)
    public var outputNormBeta: Tensor     // (C)
}

/// Every encoder parameter of a BERT checkpoint, checked against its config.
public struct BertWeights: Sendable {
    public var wordEmbeddings: Tensor     // (V, C)
    public var positionEmbeddings: Tensor // (P, C)
    public var typeEmbeddings: Tensor     // (types, C)
    public var embeddingNormGamma: Tensor // (C)
    public var embeddingNormBeta: Tensor  // (C)
    public var layers: [BertLayerWeights]
    /// The pooler (C, C) and its bias, when the checkpoint has one (the tagger does not use it).
    public var pooler: (weight: Tensor, bias: Tensor)?

    /// The Hugging Face names and shapes this config expects (without any `bert.` prefix).
    static func expectedShapes(_ c: BertConfig) -> [(String, [Int])] {
        let h = c.hiddenSize, i = c.intermediateSize
        var shapes: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [c.vocabularySize, h]),
            ("embeddings.position_embeddings.weight", [c.maxPositions, h]),
            ("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h]),
            ("embeddings.LayerNorm.weight", [h]), ("embeddings.LayerNorm.bias", [h]),
        ]
        for l in 0..<c.layers {
            let p = "encoder.layer.\(l)."
            for part in ["query", "key", "value"] {
                shapes.append((p + "attention.self.\(part).weight", [h, h]))
                shapes.append((p + "attention.self.\(part).bias", [h]))
            }
            shapes += [
                (p + "attention.output.dense.weight", [h, h]), (p + "attention.output.dense.bias", [h]),
                (p + "attention.output.LayerNorm.weight", [h]), (p + "attention.output.LayerNorm.bias", [h]),
                (p + "intermediate.dense.weight", [i, h]), (p + "intermediate.dense.bias", [i]),
                (p + "output.dense.weight", [h, i]), (p + "output.dense.bias", [h]),
                (p + "output.LayerNorm.weight", [h]), (p + "output.LayerNorm.bias", [h]),
            ]
        }
        return shapes
    }

    /// Tensors that are not encoder parameters and may be present: position-id buffers,
    /// pre-training heads (`cls.`), and Vigil's own head (`vigil_head.`).
    static func isIgnorable(_ name: String) -> Bool {
        name.hasSuffix("embeddings.position_ids") || name.hasPrefix("cls.") || name.hasPrefix(TaggerHead.prefix)
    }

    /// Reads and validates the encoder from `file`: names with or without a `bert.` prefix,
    /// every expected tensor present with its shape, no unknown tensor, pooler optional.
    public init(file: SafeTensorsFile, config: BertConfig) throws(CheckpointError) {
        let prefix = file.entries.keys.contains { $0.hasPrefix("bert.") } ? "bert." : ""
        var tensors: [String: Tensor] = [:]
        var expected = Self.expectedShapes(config)
        let hasPooler = file.entries[prefix + "pooler.dense.weight"] != nil || file.entries[prefix + "pooler.dense.bias"] != nil
        if hasPooler {
            expected += [("pooler.dense.weight", [config.hiddenSize, config.hiddenSize]), ("pooler.dense.bias", [config.hiddenSize])]
        }
        let known = Set(expected.map { prefix + $0.0 })
        for name in file.names where !known.contains(name) && !Self.isIgnorable(name) {
            throw .unexpectedTensor(path: file.path, tensor: name)
        }
        for (name, shape) in expected {
            guard let entry = file.entries[prefix + name] else { throw .missingTensor(path: file.path, tensor: prefix + name) }
            guard entry.shape == shape else {
                throw .wrongShape(path: file.path, tensor: prefix + name, found: entry.shape, expected: shape)
            }
            tensors[name] = try file.tensor(prefix + name)
        }
        func take(_ name: String) -> Tensor { tensors[name]! } // every expected name was loaded above
        wordEmbeddings = take("embeddings.word_embeddings.weight")
        positionEmbeddings = take("embeddings.position_embeddings.weight")
        typeEmbeddings = take("embeddings.token_type_embeddings.weight")
        embeddingNormGamma = take("embeddings.LayerNorm.weight")
        embeddingNormBeta = take("embeddings.LayerNorm.bias")
        layers = (0..<config.layers).map { l in
            let p = "encoder.layer.\(l)."
            let h = config.hiddenSize
            let qkv = ["query", "key", "value"].map { take(p + "attention.self.\($0).weight").data }.flatMap { $0 }
            let qkvBias = ["query", "key", "value"].map { take(p + "attention.self.\($0).bias").data }.flatMap { $0 }
            return BertLayerWeights(
                qkvWeight: Tensor(shape: [3 * h, h], data: qkv), qkvBias: Tensor(shape: [3 * h], data: qkvBias),
                attentionOutWeight: take(p + "attention.output.dense.weight"),
                attentionOutBias: take(p + "attention.output.dense.bias"),
                attentionNormGamma: take(p + "attention.output.LayerNorm.weight"),
                attentionNormBeta: take(p + "attention.output.LayerNorm.bias"),
                intermediateWeight: take(p + "intermediate.dense.weight"), intermediateBias: take(p + "intermediate.dense.bias"),
                outputWeight: take(p + "output.dense.weight"), outputBias: take(p + "output.dense.bias"),
                outputNormGamma: take(p + "output.LayerNorm.weight"), outputNormBeta: take(p + "output.LayerNorm.bias"))
        }
        pooler = hasPooler ? (take("pooler.dense.weight"), take("pooler.dense.bias")) : nil
    }

    /// Random weights for a config (normal-ish, std 0.02, layer norms at identity), for
    /// benchmarks and tests that need a model of a given size.
    public init(random config: BertConfig, seed: UInt64) {
        var state = seed
        func random(_ shape: [Int]) -> Tensor {
            let count = shape.reduce(1, *)
            var data = [Float](repeating: 0, count: count)
            for i in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                data[i] = (Float(state >> 40) / Float(1 << 24) - 0.5) * 0.07
            }
            return Tensor(shape: shape, data: data)
        }
        let h = config.hiddenSize, i = config.intermediateSize
        let ones = Tensor(shape: [h], data: [Float](repeating: 1, count: h)), zeros = Tensor(zeros: [h])
        wordEmbeddings = random([config.vocabularySize, h])
        positionEmbeddings = random([config.maxPositions, h])
        typeEmbeddings = random([config.typeVocabularySize, h])
        embeddingNormGamma = ones
        embeddingNormBeta = zeros
        layers = (0..<config.layers).map { _ in
            BertLayerWeights(qkvWeight: random([3 * h, h]), qkvBias: random([3 * h]),
                             attentionOutWeight: random([h, h]), attentionOutBias: random([h]),
                             attentionNormGamma: ones, attentionNormBeta: zeros,
                             intermediateWeight: random([i, h]), intermediateBias: random([i]),
                             outputWeight: random([h, i]), outputBias: random([h]),
                             outputNormGamma: ones, outputNormBeta: zeros)
        }
        pooler = nil
    }

    /// The parameters under their Hugging Face names (Q, K, V split again), for saving.
    public func namedTensors() -> [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = [
            ("embeddings.word_embeddings.weight", wordEmbeddings),
            ("embeddings.position_embeddings.weight", positionEmbeddings),
            ("embeddings.token_type_embeddings.weight", typeEmbeddings),
            ("embeddings.LayerNorm.weight", embeddingNormGamma), ("embeddings.LayerNorm.bias", embeddingNormBeta),
        ]
        for (l, layer) in layers.enumerated() {
            let p = "encoder.layer.\(l).", h = layer.qkvBias.count / 3
            for (k, part) in ["query", "key", "value"].enumerated() {
                out.append((p + "attention.self.\(part).weight",
                            Tensor(shape: [h, h], data: Array(layer.qkvWeight.data[(k * h * h)..<((k + 1) * h * h)]))))
                out.append((p + "attention.self.\(part).bias",
                            Tensor(shape: [h], data: Array(layer.qkvBias.data[(k * h)..<((k + 1) * h)]))))
            }
            out += [
                (p + "attention.output.dense.weight", layer.attentionOutWeight),
                (p + "attention.output.dense.bias", layer.attentionOutBias),
                (p + "attention.output.LayerNorm.weight", layer.attentionNormGamma),
                (p + "attention.output.LayerNorm.bias", layer.attentionNormBeta),
                (p + "intermediate.dense.weight", layer.intermediateWeight), (p + "intermediate.dense.bias", layer.intermediateBias),
                (p + "output.dense.weight", layer.outputWeight), (p + "output.dense.bias", layer.outputBias),
                (p + "output.LayerNorm.weight", layer.outputNormGamma), (p + "output.LayerNorm.bias", layer.outputNormBeta),
            ]
        }
        if let pooler { out += [("pooler.dense.weight", pooler.weight), ("pooler.dense.bias", pooler.bias)] }
        return out
    }
}
