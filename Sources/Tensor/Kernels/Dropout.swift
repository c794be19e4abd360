import Core

/// Inverted dropout: each element is zeroed with probability `p`, the survivors scaled by 1/(1-p).
public enum Dropout {
    /// Applies dropout to `x` in place and writes the multiplier of every element (0 or 1/(1-p))
    /// into `mask` for the backward pass. Deterministic: the same `state` gives the same mask.
    /// Each 64-bit draw decides four elements, 16 bits each (p is rounded to a multiple of 2⁻¹⁶).
    public static func forward(_ x: UnsafeMutablePointer<Float>, count: Int, probability p: Float,
                               state: inout RandomState, mask: UnsafeMutablePointer<Float>) {
        fillMask(mask, count: count, probability: p, state: &state)
        Elementwise.multiply(x, x, mask, count: count)
    }

    /// Writes `count` multipliers, each 0 with probability `p` and 1/(1-p) otherwise: element
    /// `4i + k` from bits `16k ..< 16k + 16` of the generator's i-th draw. Threads fill pieces of
    /// the stream at once (`SplitMix64` can jump ahead), with the numbers one thread would draw.
    public static func fillMask(_ mask: UnsafeMutablePointer<Float>, count: Int, probability p: Float,
                                state: inout RandomState) {
        let keep = 1 / (1 - p)
        let threshold = UInt64((Double(p) * 65_536).rounded())
        let draws = (count + 3) / 4
        let start = state.counter
        Parallel.forEachChunk(draws, minimumPerThread: 32_768) { range in
            var generator = SplitMix64(seed: start &+ UInt64(range.lowerBound) &* SplitMix64.increment)
            for draw in range {
                var bits = generator.next()
                let first = 4 * draw
                for i in first..<min(first + 4, count) {
                    mask[i] = bits & 0xFFFF < threshold ? 0 : keep
                    bits >>= 16
                }
            }
        }
        state.advance(by: draws)
    }

    /// `dx = dy ⊙ mask`, in place on `dy`.
    public static func backward(_ dy: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
        Elementwise.multiply(dy, dy, mask, count: count)
    }
}

/// A seeded generator for dropout masks and shuffles: Core's SplitMix64, so the same seed gives
/// the same sequence on every machine.
public struct RandomState: Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The generator's counter (see `SplitMix64`).
    public var counter: UInt64 { generator.state }

    /// Skips `n` draws.
    public mutating func advance(by n: Int) { generator.advance(by: n) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { generator.next() }

    /// A float uniform in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// An integer uniform in `0..<bound` (bound > 0).
    public mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
