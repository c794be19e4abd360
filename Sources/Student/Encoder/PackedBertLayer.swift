import Tensor

/// One transformer block's four products with their weights packed for the AVX-512 GEMM
/// (`PackedLinear`), built once when an encoder is made from its weights.
struct PackedBertLayer: Sendable {
    let qkv: PackedLinear
    let attentionOut: PackedLinear
    let intermediate: PackedLinear
    let output: PackedLinear

    init(_ layer: BertLayerWeights, precision: MatmulPrecision) {
        qkv = PackedLinear(weight: layer.qkvWeight, bias: layer.qkvBias, precision: precision)
        attentionOut = PackedLinear(weight: layer.attentionOutWeight, bias: layer.attentionOutBias, precision: precision)
        intermediate = PackedLinear(weight: layer.intermediateWeight, bias: layer.intermediateBias, precision: precision)
        output = PackedLinear(weight: layer.outputWeight, bias: layer.outputBias, precision: precision)
    }
}
