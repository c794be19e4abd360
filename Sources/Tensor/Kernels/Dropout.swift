/// Inverted dropout: each element is zeroed with probability `p`, the survivors scaled by 1/(1-p).
public enum Dropout {
    /// Applies dropout to `x` in place and writes the multiplier of every element (0 or 1/(1-p))
    /// into `mask` for the backward pass. Deterministic: the same `state` gives the same mask.
    public static func forward(_ x: UnsafeMutablePointer<Float>, count: Int, probability p: Float,
                               state: inout RandomState, mask: UnsafeMutablePointer<Float>) {
        let keep = 1 / (1 - p)
        for i in 0..<count {
            mask[i] = state.nextUnitFloat() < p ? 0 : keep
            x[i] *= mask[i]
        }
    }

    /// `dx = dy ⊙ mask`, in place on `dy`.
    public static func backward(_ dy: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] *= mask[i] }
    }
}

/// A small seeded generator (SplitMix64) for dropout masks and shuffles: the same seed gives the
/// same sequence on every machine.
public struct RandomState: Sendable, Equatable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float uniform in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// An integer uniform in `0..<bound` (bound > 0).
    public mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
