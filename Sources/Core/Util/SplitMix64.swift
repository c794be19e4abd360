/// A small seeded generator (SplitMix64): the same seed gives the same splits and
/// shot choices on every platform and Swift version.
///
/// Its k-th output after state `s` is a function of `s + k·increment` alone, so a long stream can
/// be cut into pieces that threads fill at once (`SplitMix64(seed: s &+ k &* increment)` starts
/// at output k + 1) with the same numbers as one thread.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// The counter: every `next()` adds `increment` and returns a mix of the sum.
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// Skips `n` outputs.
    public mutating func advance(by n: Int) {
        state &+= UInt64(n) &* Self.increment
    }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    /// Fisher–Yates with an explicit generator; `Array.shuffled(using:)` makes no
    /// promise that its algorithm stays the same across Swift versions.
    public func seededShuffle(seed: UInt64) -> [Element] {
        var rng = SplitMix64(seed: seed)
        var result = self
        guard count > 1 else { return result }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            result.swapAt(i, j)
        }
        return result
    }
}
