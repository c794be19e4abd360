/// One curator's current answer on one item (a drug mention of a sentence).
public struct CuratorAnswer: Hashable, Sendable {
    public var curator: String
    public var state: ReviewState
    /// Sorted, without duplicates.
    public var spans: [Span]

    public init(curator: String, state: ReviewState, spans: [Span]) {
        self.curator = curator
        self.state = state
        self.spans = Array(Set(spans)).sorted()
    }

    /// Two answers say the same thing: same state and, when accepted, the same spans.
    /// An accepted answer with no span says "no ADE", as `no-ade` does.
    public func agrees(with other: CuratorAnswer) -> Bool {
        hasADE == other.hasADE && (!hasADE || spans == other.spans)
    }

    /// The item-level label agreement is measured on: "this drug causes an ADE here".
    public var hasADE: Bool { state == .accepted && !spans.isEmpty }
}

/// Where the answer that counts for an item comes from.
public enum ResolutionKind: String, Sendable, CaseIterable, Codable {
    /// Nobody has answered.
    case none
    /// One curator answered (or several answered, but only one decided).
    case single
    /// Two or more curators decided and say the same.
    case agreed
    /// An adjudicator decided; this overrides every curator.
    case adjudicated
    /// Curators decided differently and no adjudicator has spoken: left out of the curated layer.
    case disputed
}

/// The answer that counts for one item, and why.
public struct Resolution: Hashable, Sendable {
    public var kind: ResolutionKind
    /// The counting state: `pending` for `none` and `disputed`.
    public var state: ReviewState
    public var spans: [Span]
    /// The curator whose answer is recorded (the adjudicator for `adjudicated`, the latest
    /// of the agreeing curators for `agreed`); nil for `none` and `disputed`.
    public var curator: String?

    /// Names that start with this are imports (`import:FILE`), not people: an imported answer
    /// counts only until a person decides the item, and never takes part in agreement.
    public static let importPrefix = "import:"

    public static func isImport(_ curator: String) -> Bool { curator.hasPrefix(importPrefix) }

    /// Resolves an item. `answers` and `adjudications` are in the order they were last
    /// changed, oldest first.
    ///
    /// The rule: the latest decided adjudication; else the decided answers of people (of
    /// imports when no person decided) if they all agree; else, when nobody decided, the
    /// latest answer's state (skipped, flagged) with no spans; disagreement is `disputed`.
    public static func resolve(answers: [CuratorAnswer], adjudications: [CuratorAnswer] = []) -> Resolution {
        if let last = adjudications.last(where: { $0.state.isDecided }) {
            return Resolution(kind: .adjudicated, state: last.state, spans: last.state == .accepted ? last.spans : [],
                              curator: last.curator)
        }
        let decided = answers.filter { $0.state.isDecided }
        let people = decided.filter { !isImport($0.curator) }
        let counting = people.isEmpty ? decided : people
        guard let latest = counting.last else {
            guard let last = answers.last else {
                return Resolution(kind: .none, state: .pending, spans: [], curator: nil)
            }
            return Resolution(kind: last.state == .pending ? .none : .single, state: last.state, spans: [],
                              curator: last.state == .pending ? nil : last.curator)
        }
        guard counting.allSatisfy({ $0.agrees(with: latest) }) else {
            return Resolution(kind: .disputed, state: .pending, spans: [], curator: nil)
        }
        return Resolution(kind: counting.count == 1 ? .single : .agreed, state: latest.state,
                          spans: latest.state == .accepted ? latest.spans : [], curator: latest.curator)
    }

    /// How much the decided answers of an item disagree, 0 (all the same) to 1 (nothing
    /// shared): one minus the mean pairwise lenient F1 of their spans, where two "no ADE"
    /// answers agree fully. Adjudication queues are ordered by it, most disputed first.
    public static func disagreement(_ answers: [CuratorAnswer]) -> Double {
        let decided = answers.filter { $0.state.isDecided && !isImport($0.curator) }
        guard decided.count > 1 else { return 0 }
        var total = 0.0, pairs = 0
        for i in decided.indices {
            for j in decided.indices where j > i {
                total += Agreement.spanF1(decided[i].hasADE ? decided[i].spans : [],
                                          decided[j].hasADE ? decided[j].spans : [], .lenient)
                pairs += 1
            }
        }
        return 1 - total / Double(pairs)
    }
}
