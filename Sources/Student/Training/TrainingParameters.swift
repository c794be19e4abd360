import Tensor

/// Every trainable parameter of a tagger (encoder and head) in one flat buffer with named
/// views, with a gradient buffer of the same layout.
///
/// Names: `embeddings.word|position|type`, `embeddings.norm.gamma|beta`, and per layer `l`
/// `layer.l.qkv|attention_out|intermediate|output.weight|bias`, `layer.l.attention_norm|output_norm.gamma|beta`;
/// the head's `head.weight1`, `head.bias1` (and `head.weight2`, `head.bias2` for the MLP heads,
/// `head.skip` for the residual head, `head.distance` with the relative-position bias).
/// Biases and layer-norm parameters do not decay.
public final class TrainingParameters: @unchecked Sendable {
    public let config: BertConfig
    public let headKind: HeadKind
    public let mlpSize: Int
    /// Whether the head has the relative-position (distance) bias.
    public let relativePosition: Bool
    public let values: FlatBuffer
    public let gradients: FlatBuffer

    /// The layout for a config and head.
    public static func layout(config c: BertConfig, head: HeadKind, mlpSize: Int, relativePosition: Bool = false) -> ParameterLayout {
        let h = c.hiddenSize, i = c.intermediateSize
        var layout = ParameterLayout()
        layout.add("embeddings.word", [c.vocabularySize, h], decays: true)
        layout.add("embeddings.position", [c.maxPositions, h], decays: true)
        layout.add("embeddings.type", [c.typeVocabularySize, h], decays: true)
        layout.add("embeddings.norm.gamma", [h], decays: false)
        layout.add("embeddings.norm.beta", [h], decays: false)
        for l in 0..<c.layers {
            let p = "layer.\(l)."
            layout.add(p + "qkv.weight", [3 * h, h], decays: true)
            layout.add(p + "qkv.bias", [3 * h], decays: false)
            layout.add(p + "attention_out.weight", [h, h], decays: true)
            layout.add(p + "attention_out.bias", [h], decays: false)
            layout.add(p + "attention_norm.gamma", [h], decays: false)
            layout.add(p + "attention_norm.beta", [h], decays: false)
            layout.add(p + "intermediate.weight", [i, h], decays: true)
            layout.add(p + "intermediate.bias", [i], decays: false)
            layout.add(p + "output.weight", [h, i], decays: true)
            layout.add(p + "output.bias", [h], decays: false)
            layout.add(p + "output_norm.gamma", [h], decays: false)
            layout.add(p + "output_norm.beta", [h], decays: false)
        }
        switch head {
        case .concat:
            layout.add("head.weight1", [1, 2 * h], decays: true)
            layout.add("head.bias1", [1], decays: false)
        case .interaction, .residual:
            layout.add("head.weight1", [mlpSize, 3 * h], decays: true)
            layout.add("head.bias1", [mlpSize], decays: false)
            layout.add("head.weight2", [1, mlpSize], decays: true)
            layout.add("head.bias2", [1], decays: false)
            if head == .residual { layout.add("head.skip", [1, 2 * h], decays: true) }
        }
        if relativePosition { layout.add("head.distance", [DrugDistance.bucketCount], decays: false) }
        return layout
    }

    /// The parameters of `model` (encoder and head) copied into a flat buffer; gradients zero.
    public init(model: StudentModel) {
        config = model.config
        headKind = model.head.kind
        mlpSize = model.head.mlpSize
        relativePosition = model.head.distanceBias != nil
        let layout = Self.layout(config: config, head: headKind, mlpSize: mlpSize, relativePosition: relativePosition)
        values = FlatBuffer(layout: layout)
        gradients = FlatBuffer(layout: layout)
        let w = model.encoder.weights
        values.set("embeddings.word", w.wordEmbeddings)
        values.set("embeddings.position", w.positionEmbeddings)
        values.set("embeddings.type", w.typeEmbeddings)
        values.set("embeddings.norm.gamma", w.embeddingNormGamma)
        values.set("embeddings.norm.beta", w.embeddingNormBeta)
        for (l, layer) in w.layers.enumerated() {
            for (name, tensor) in Self.layerTensors(layer) { values.set("layer.\(l)." + name, tensor) }
        }
        let head = model.head
        values.set("head.weight1", head.weight1)
        values.set("head.bias1", head.bias1)
        if let w2 = head.weight2, let b2 = head.bias2 {
            values.set("head.weight2", w2)
            values.set("head.bias2", b2)
        }
        if let skip = head.skipWeight { values.set("head.skip", skip) }
        if let distance = head.distanceBias { values.set("head.distance", distance) }
    }

    private static func layerTensors(_ layer: BertLayerWeights) -> [(String, Tensor)] {
        [("qkv.weight", layer.qkvWeight), ("qkv.bias", layer.qkvBias),
         ("attention_out.weight", layer.attentionOutWeight), ("attention_out.bias", layer.attentionOutBias),
         ("attention_norm.gamma", layer.attentionNormGamma), ("attention_norm.beta", layer.attentionNormBeta),
         ("intermediate.weight", layer.intermediateWeight), ("intermediate.bias", layer.intermediateBias),
         ("output.weight", layer.outputWeight), ("output.bias", layer.outputBias),
         ("output_norm.gamma", layer.outputNormGamma), ("output_norm.beta", layer.outputNormBeta)]
    }

    /// `base` with its encoder and head replaced by the current parameter values (for
    /// evaluation during training and for saving).
    public func model(basedOn base: StudentModel) -> StudentModel {
        var w = base.encoder.weights
        w.wordEmbeddings = values.tensor("embeddings.word")
        w.positionEmbeddings = values.tensor("embeddings.position")
        w.typeEmbeddings = values.tensor("embeddings.type")
        w.embeddingNormGamma = values.tensor("embeddings.norm.gamma")
        w.embeddingNormBeta = values.tensor("embeddings.norm.beta")
        w.layers = (0..<config.layers).map { l in
            let t = { (name: String) in self.values.tensor("layer.\(l)." + name) }
            return BertLayerWeights(
                qkvWeight: t("qkv.weight"), qkvBias: t("qkv.bias"),
                attentionOutWeight: t("attention_out.weight"), attentionOutBias: t("attention_out.bias"),
                attentionNormGamma: t("attention_norm.gamma"), attentionNormBeta: t("attention_norm.beta"),
                intermediateWeight: t("intermediate.weight"), intermediateBias: t("intermediate.bias"),
                outputWeight: t("output.weight"), outputBias: t("output.bias"),
                outputNormGamma: t("output_norm.gamma"), outputNormBeta: t("output_norm.beta"))
        }
        var tensors = [values.tensor("head.weight1"), values.tensor("head.bias1")]
        if headKind.hasMLP { tensors += [values.tensor("head.weight2"), values.tensor("head.bias2")] }
        if headKind == .residual { tensors.append(values.tensor("head.skip")) }
        var model = base
        model.encoder = BertEncoder(config: config, weights: w)
        model.head = TaggerHead(kind: headKind, hiddenSize: config.hiddenSize, tensors: tensors,
                                distanceBias: relativePosition ? values.tensor("head.distance") : nil)
        return model
    }
}
