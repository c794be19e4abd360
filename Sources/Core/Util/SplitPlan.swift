/// Seeded assignment of sentences to the parts of a split.
public enum SplitPlan {
    /// Shuffles `ids` with `seed` and cuts them by `ratios` (e.g. 8:1:1) into `names`.
    /// Part sizes are floor(n·rᵢ/Σr); the remainder goes to the parts in order.
    public static func ratio(_ ids: [Int64], ratios: [Int], names: [String], seed: UInt64) -> [Int64: String] {
        precondition(ratios.count == names.count && !ratios.isEmpty && ratios.allSatisfy { $0 >= 0 })
        let total = ratios.reduce(0, +)
        precondition(total > 0)
        let shuffled = ids.sorted().seededShuffle(seed: seed)
        var sizes = ratios.map { shuffled.count * $0 / total }
        var remainder = shuffled.count - sizes.reduce(0, +)
        var i = 0
        while remainder > 0 {
            if ratios[i % ratios.count] > 0 { sizes[i % ratios.count] += 1; remainder -= 1 }
            i += 1
        }
        var result: [Int64: String] = [:]
        var offset = 0
        for (part, size) in zip(names, sizes) {
            for id in shuffled[offset..<(offset + size)] { result[id] = part }
            offset += size
        }
        return result
    }

    /// Shuffles `ids` with `seed` and deals them into `k` folds `fold0`…`fold{k-1}`.
    public static func folds(_ ids: [Int64], k: Int, seed: UInt64) -> [Int64: String] {
        precondition(k >= 2)
        var result: [Int64: String] = [:]
        for (i, id) in ids.sorted().seededShuffle(seed: seed).enumerated() {
            result[id] = "fold\(i % k)"
        }
        return result
    }

    /// The usual part names for a ratio with 2 or 3 parts.
    public static func defaultPartNames(count: Int) -> [String]? {
        switch count {
        case 2: return ["train", "test"]
        case 3: return ["train", "dev", "test"]
        default: return nil
        }
    }
}
