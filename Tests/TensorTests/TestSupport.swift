import Tensor

/// A deterministic pseudo-random tensor (a small LCG), values in [-scale, scale).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    let count = shape.reduce(1, *)
    var data = [Float](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        data[i] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
    }
    return Tensor(shape: shape, data: data)
}
