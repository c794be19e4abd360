/// End-to-end (drug, ADE) evaluation of one layer against another.
///
/// A predicted pair and a gold pair match when they are in the same sentence, name the
/// same drug (`DrugKey.matches`) and their ADE spans are identical (strict) or overlap
/// (lenient). Matching is one-to-one: each gold pair is matched at most once and each
/// predicted pair at most once, choosing the matching that maximises true positives.
public struct Evaluation: Sendable {
    /// How two spans must relate to count as the same ADE.
    public enum Criterion: String, Sendable, CaseIterable {
        case strict, lenient

        func accepts(_ a: Span, _ b: Span) -> Bool {
            switch self {
            case .strict: return a == b
            case .lenient: return a.overlaps(b)
            }
        }
    }

    /// One disagreement between prediction and gold.
    public struct Error: Hashable, Sendable {
        public enum Kind: String, Sendable {
            /// A prediction overlapping an unmatched gold span of the same drug, but not exact.
            case boundary
            /// A prediction with no gold counterpart, even leniently.
            case spurious
            /// A gold pair nothing predicted, even leniently.
            case missed
        }
        public var kind: Kind
        public var sentenceID: Int64
        public var drug: String
        public var predicted: Span?
        public var gold: Span?
    }

    public var strict: Score
    public var lenient: Score
    public var goldPairs: Int
    public var predictedPairs: Int
    /// Strict and lenient scores per normalized drug name.
    public var perDrug: [String: (strict: Score, lenient: Score)]
    /// Strict errors, classified by what the lenient match says about them.
    public var errors: [Error]

    public func score(_ criterion: Criterion) -> Score {
        criterion == .strict ? strict : lenient
    }

    /// Evaluates `predicted` against `gold`. Duplicate pairs are counted as given.
    public init(predicted: [ADEPair], gold: [ADEPair]) {
        goldPairs = gold.count
        predictedPairs = predicted.count
        strict = Score()
        lenient = Score()
        perDrug = [:]
        errors = []

        var goldBySentence: [Int64: [ADEPair]] = [:]
        for pair in gold { goldBySentence[pair.sentenceID, default: []].append(pair) }
        var predBySentence: [Int64: [ADEPair]] = [:]
        for pair in predicted { predBySentence[pair.sentenceID, default: []].append(pair) }
        let sentences = Set(goldBySentence.keys).union(predBySentence.keys).sorted()

        for sentence in sentences {
            let g = goldBySentence[sentence] ?? []
            let p = predBySentence[sentence] ?? []
            let strictMatch = Self.match(p, g, .strict)
            let lenientMatch = Self.match(p, g, .lenient)
            strict = strict + tally(p, g, strictMatch, keyPath: \.strict)
            lenient = lenient + tally(p, g, lenientMatch, keyPath: \.lenient)
            collectErrors(sentence, p, g, strictMatch)
        }
    }

    /// Counts one sentence's matching into the per-drug table; returns the sentence's score.
    private mutating func tally(
        _ p: [ADEPair], _ g: [ADEPair], _ predToGold: [Int?], keyPath: WritableKeyPath<DrugScores, Score>
    ) -> Score {
        var total = Score()
        var goldMatched = Array(repeating: false, count: g.count)
        for (i, m) in predToGold.enumerated() {
            if let m {
                goldMatched[m] = true
                total.tp += 1
                bump(p[i].drug.name, keyPath) { $0.tp += 1 }
            } else {
                total.fp += 1
                bump(p[i].drug.name, keyPath) { $0.fp += 1 }
            }
        }
        for (j, matched) in goldMatched.enumerated() where !matched {
            total.fn += 1
            bump(g[j].drug.name, keyPath) { $0.fn += 1 }
        }
        return total
    }

    private typealias DrugScores = (strict: Score, lenient: Score)

    private mutating func bump(
        _ drug: String, _ keyPath: WritableKeyPath<DrugScores, Score>, _ change: (inout Score) -> Void
    ) {
        var entry = perDrug[drug] ?? (Score(), Score())
        change(&entry[keyPath: keyPath])
        perDrug[drug] = entry
    }

    private mutating func collectErrors(_ sentence: Int64, _ p: [ADEPair], _ g: [ADEPair], _ strictMatch: [Int?]) {
        var goldMatched = Array(repeating: false, count: g.count)
        for m in strictMatch { if let m { goldMatched[m] = true } }
        let unmatchedPred = p.indices.filter { strictMatch[$0] == nil }
        let unmatchedGold = g.indices.filter { !goldMatched[$0] }
        // Among what strict left over, a lenient matching tells boundary errors apart.
        let leftoverP = unmatchedPred.map { p[$0] }
        let leftoverG = unmatchedGold.map { g[$0] }
        let lenientLeftover = Self.match(leftoverP, leftoverG, .lenient)
        var leftoverGoldUsed = Array(repeating: false, count: leftoverG.count)
        for (i, m) in lenientLeftover.enumerated() {
            if let m {
                leftoverGoldUsed[m] = true
                errors.append(Error(kind: .boundary, sentenceID: sentence, drug: leftoverP[i].drug.name,
                                    predicted: leftoverP[i].span, gold: leftoverG[m].span))
            } else {
                errors.append(Error(kind: .spurious, sentenceID: sentence, drug: leftoverP[i].drug.name,
                                    predicted: leftoverP[i].span, gold: nil))
            }
        }
        for (j, used) in leftoverGoldUsed.enumerated() where !used {
            errors.append(Error(kind: .missed, sentenceID: sentence, drug: leftoverG[j].drug.name,
                                predicted: nil, gold: leftoverG[j].span))
        }
    }

    /// The score of one drug's predicted spans against its gold spans in one sentence: the
    /// same one-to-one matching as the full evaluation, without its per-drug tables and error
    /// lists (summing these over items gives the full evaluation's totals).
    public static func score(predicted: [Span], gold: [Span], _ criterion: Criterion) -> Score {
        if predicted.isEmpty || gold.isEmpty { return Score(tp: 0, fp: predicted.count, fn: gold.count) }
        // Most answers agree exactly: every span matches its equal, under either criterion.
        if predicted == gold { return Score(tp: predicted.count, fp: 0, fn: 0) }
        let drug = DrugKey(mentionID: 0, name: "")
        let matched = match(predicted.map { ADEPair(sentenceID: 0, drug: drug, span: $0) },
                            gold.map { ADEPair(sentenceID: 0, drug: drug, span: $0) }, criterion)
            .reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        return Score(tp: matched, fp: predicted.count - matched, fn: gold.count - matched)
    }

    /// Maximum one-to-one matching of predictions to gold pairs of one sentence
    /// (Kuhn's augmenting paths; sentences hold a handful of pairs).
    /// Returns, for each prediction, the index of its gold pair or `nil`.
    static func match(_ p: [ADEPair], _ g: [ADEPair], _ criterion: Criterion) -> [Int?] {
        if p.isEmpty || g.isEmpty { return Array(repeating: nil, count: p.count) }
        var edges: [[Int]] = p.map { pred in
            g.indices.filter { pred.drug.matches(g[$0].drug) && criterion.accepts(pred.span, g[$0].span) }
        }
        // Prefer exact and nearest candidates first so ties resolve predictably.
        for i in edges.indices {
            let s = p[i].span
            edges[i].sort { a, b in
                let da = abs(g[a].span.start - s.start) + abs(g[a].span.end - s.end)
                let db = abs(g[b].span.start - s.start) + abs(g[b].span.end - s.end)
                return (da, a) < (db, b)
            }
        }
        var goldOwner: [Int?] = Array(repeating: nil, count: g.count)

        func augment(_ i: Int, _ seen: inout [Bool]) -> Bool {
            for j in edges[i] where !seen[j] {
                seen[j] = true
                if goldOwner[j] == nil || augment(goldOwner[j]!, &seen) {
                    goldOwner[j] = i
                    return true
                }
            }
            return false
        }
        for i in p.indices where !edges[i].isEmpty {
            var seen = Array(repeating: false, count: g.count)
            _ = augment(i, &seen)
        }
        var predToGold: [Int?] = Array(repeating: nil, count: p.count)
        for (j, owner) in goldOwner.enumerated() { if let owner { predToGold[owner] = j } }
        return predToGold
    }
}
