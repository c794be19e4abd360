/// How `vigil assign` shares items out: each item to one curator, a seeded share of them
/// (the overlap) to two, so that agreement can be measured on it; loads kept even.
public struct AssignmentPlan: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var item: Int64
        public var curators: [String]
    }

    public enum PlanError: Error, Equatable, CustomStringConvertible {
        case noCurators
        case duplicateCurator(String)
        case overlapOutOfRange(Double)
        case overlapNeedsTwoCurators

        public var description: String {
            switch self {
            case .noCurators: return "no curators given (--curators alice,bob,...)"
            case let .duplicateCurator(name): return "curator '\(name)' is named twice in --curators"
            case let .overlapOutOfRange(value): return "--overlap \(value) is outside 0...1 (it is the share of items that two curators decide)"
            case .overlapNeedsTwoCurators: return "--overlap above 0 needs at least two curators: an item is shared between two"
            }
        }
    }

    public var entries: [Entry]

    /// Plans `items` (in the order they should be worked, all unassigned) for `curators`.
    /// `load` is what each curator already has, so re-running for new items or a new
    /// curator evens the load out. The same inputs and seed give the same plan.
    public init(items: [Int64], curators: [String], overlap: Double, seed: UInt64,
                load: [String: Int] = [:]) throws {
        guard !curators.isEmpty else { throw PlanError.noCurators }
        var seen: Set<String> = []
        for name in curators where !seen.insert(name).inserted { throw PlanError.duplicateCurator(name) }
        guard overlap >= 0, overlap <= 1, !overlap.isNaN else { throw PlanError.overlapOutOfRange(overlap) }
        if overlap > 0, curators.count < 2 { throw PlanError.overlapNeedsTwoCurators }

        var random = SplitMix64(seed: seed ^ 0x6173_7369_676E) // "assign"
        let doubledCount = Int((overlap * Double(items.count)).rounded())
        let doubled = Set(Array(items.indices).shuffled(using: &random).prefix(doubledCount))
        // Ties in load go to a seeded order of the curators, not always to the first named.
        let order = Dictionary(uniqueKeysWithValues: curators.shuffled(using: &random).enumerated().map { ($1, $0) })
        var load = Dictionary(uniqueKeysWithValues: curators.map { ($0, load[$0] ?? 0) })
        entries = items.enumerated().map { index, item in
            let ranked = curators.sorted { (load[$0]!, order[$0]!) < (load[$1]!, order[$1]!) }
            let chosen = Array(ranked.prefix(doubled.contains(index) ? 2 : 1))
            for name in chosen { load[name]! += 1 }
            return Entry(item: item, curators: chosen)
        }
    }

    /// Items per curator in this plan.
    public var counts: [String: Int] {
        entries.reduce(into: [:]) { counts, entry in for name in entry.curators { counts[name, default: 0] += 1 } }
    }
}
