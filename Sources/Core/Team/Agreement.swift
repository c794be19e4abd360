/// One item as agreement sees it: the decided answers of the people who curated it, and
/// what gold and the teacher say about it where they have answered.
public struct AgreementItem: Sendable {
    public var sentenceID: Int64
    public var drugMentionID: Int64
    public var drug: String
    /// Decided answers (accepted or no ADE) by curator name; imports are not curators.
    public var answers: [String: CuratorAnswer]
    /// Gold's ADE spans for the drug (sorted, no duplicates), nil when gold has not answered the item.
    public var gold: [Span]?
    /// The latest teacher run's spans (sorted), nil when the teacher has not answered the item.
    public var teacher: [Span]?

    public init(sentenceID: Int64, drugMentionID: Int64, drug: String, answers: [String: CuratorAnswer],
                gold: [Span]? = nil, teacher: [Span]? = nil) {
        self.sentenceID = sentenceID
        self.drugMentionID = drugMentionID
        self.drug = drug
        self.answers = answers
        self.gold = gold.map { Array(Set($0)).sorted() }
        self.teacher = teacher.map { Array(Set($0)).sorted() }
    }
}

/// How far curators agree, measured as the paper measures a model: end-to-end (drug, ADE)
/// pairs, strict (same span) and lenient (overlapping span), plus chance-corrected agreement
/// on the item-level label "this drug causes an ADE here" (Cohen's kappa per pair,
/// Krippendorff's alpha over everyone).
public struct Agreement: Sendable, Encodable {
    /// Two curators on the items both decided. F1 is symmetric: either may be the reference.
    public struct Pair: Sendable, Encodable {
        public var a: String
        public var b: String
        /// Items both decided.
        public var items: Int
        /// (drug, ADE) pairs each gave on those items.
        public var pairsA: Int
        public var pairsB: Int
        public var strictF1: Double
        public var lenientF1: Double
        /// Cohen's kappa on "has an ADE"; nil when chance agreement is total (one label only).
        public var kappa: Double?
        /// Items where the two answers differ (strictly).
        public var disagreements: Int

        enum CodingKeys: String, CodingKey {
            case a, b, items, disagreements, kappa
            case pairsA = "pairs_a", pairsB = "pairs_b", strictF1 = "strict_f1", lenientF1 = "lenient_f1"
        }
    }

    /// One curator against the references that exist.
    public struct Curator: Sendable, Encodable {
        public var name: String
        /// Items decided.
        public var items: Int
        /// Items decided where gold has answered, and the F1 against gold there.
        public var goldItems: Int
        public var goldStrictF1: Double?
        public var goldLenientF1: Double?
        /// Items decided where the teacher answered, and how many kept its spans unchanged.
        public var teacherItems: Int
        public var teacherUnchanged: Int

        public var teacherUnchangedRate: Double? {
            teacherItems == 0 ? nil : Double(teacherUnchanged) / Double(teacherItems)
        }

        enum CodingKeys: String, CodingKey {
            case name, items
            case goldItems = "gold_items", goldStrictF1 = "gold_strict_f1", goldLenientF1 = "gold_lenient_f1"
            case teacherItems = "teacher_items", teacherUnchanged = "teacher_unchanged"
        }
    }

    public var curators: [Curator]
    public var pairs: [Pair]
    /// Krippendorff's alpha (nominal) on "has an ADE" over every item two or more curators
    /// decided; nil when there is no such item or only one label occurs.
    public var alpha: Double?
    /// The items alpha is computed on.
    public var alphaItems: Int

    public init(items: [AgreementItem]) {
        let names = Set(items.flatMap(\.answers.keys)).sorted()
        let column = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let k = names.count
        // One row per item, one column per curator: their ADE spans ([] for "no ADE"), nil
        // where they have not decided. Everything below is a pass over this table.
        var table = [[Span]?](repeating: nil, count: items.count * k)
        for (i, item) in items.enumerated() {
            for (name, answer) in item.answers { table[i * k + column[name]!] = Self.adeSpans(answer) }
        }

        curators = names.enumerated().map { c, name in
            var curator = Curator(name: name, items: 0, goldItems: 0, goldStrictF1: nil, goldLenientF1: nil,
                                  teacherItems: 0, teacherUnchanged: 0)
            var strict = Score(), lenient = Score()
            for (i, item) in items.enumerated() {
                guard let spans = table[i * k + c] else { continue }
                curator.items += 1
                if let gold = item.gold {
                    curator.goldItems += 1
                    strict = strict + Evaluation.score(predicted: spans, gold: gold, .strict)
                    lenient = lenient + Evaluation.score(predicted: spans, gold: gold, .lenient)
                }
                if let teacher = item.teacher {
                    curator.teacherItems += 1
                    if spans == teacher { curator.teacherUnchanged += 1 }
                }
            }
            if curator.goldItems > 0 {
                curator.goldStrictF1 = Self.f1(strict)
                curator.goldLenientF1 = Self.f1(lenient)
            }
            return curator
        }

        var pairs: [Pair] = []
        for a in 0..<k {
            for b in (a + 1)..<max(a + 1, k) {
                var strict = Score(), lenient = Score()
                var labels = LabelCounts()
                var shared = 0, disagreements = 0
                for i in items.indices {
                    guard let spansA = table[i * k + a], let spansB = table[i * k + b] else { continue }
                    shared += 1
                    strict = strict + Evaluation.score(predicted: spansB, gold: spansA, .strict)
                    lenient = lenient + Evaluation.score(predicted: spansB, gold: spansA, .lenient)
                    labels.add(!spansA.isEmpty, !spansB.isEmpty)
                    if spansA != spansB { disagreements += 1 }
                }
                pairs.append(Pair(
                    a: names[a], b: names[b], items: shared, pairsA: strict.tp + strict.fn, pairsB: strict.tp + strict.fp,
                    strictF1: Self.f1(strict), lenientF1: Self.f1(lenient), kappa: labels.kappa,
                    disagreements: disagreements))
            }
        }
        self.pairs = pairs

        // Alpha on binary labels: per item, how many curators decided and how many saw an ADE.
        var units: [(values: Int, ones: Int)] = []
        for i in items.indices {
            var values = 0, ones = 0
            for c in 0..<k {
                guard let spans = table[i * k + c] else { continue }
                values += 1
                if !spans.isEmpty { ones += 1 }
            }
            if values > 1 { units.append((values, ones)) }
        }
        alphaItems = units.count
        alpha = Self.krippendorffAlpha(binary: units)
    }

    /// A 2×2 table of two raters' binary labels.
    struct LabelCounts {
        var both = 0, onlyA = 0, onlyB = 0, neither = 0

        mutating func add(_ a: Bool, _ b: Bool) {
            switch (a, b) {
            case (true, true): both += 1
            case (true, false): onlyA += 1
            case (false, true): onlyB += 1
            case (false, false): neither += 1
            }
        }

        /// Cohen's kappa: (p_o - p_e) / (1 - p_e), with p_e from each rater's own label rates;
        /// nil without items or when chance agreement is total.
        var kappa: Double? {
            let n = Double(both + onlyA + onlyB + neither)
            guard n > 0 else { return nil }
            let observed = Double(both + neither) / n
            let a1 = Double(both + onlyA) / n, b1 = Double(both + onlyB) / n
            let expected = a1 * b1 + (1 - a1) * (1 - b1)
            guard expected < 1 else { return nil }
            return (observed - expected) / (1 - expected)
        }
    }

    /// Krippendorff's alpha (nominal) for binary labels given per unit as (values, ones):
    /// the coincidence counts are o_11 = Σ ones(ones-1)/(m-1), o_00 likewise for zeros and
    /// o_01 = o_10 = Σ ones·zeros/(m-1); the same figure as `krippendorffAlpha(_:)`.
    static func krippendorffAlpha(binary units: [(values: Int, ones: Int)]) -> Double? {
        var o11 = 0.0, o00 = 0.0, o01 = 0.0
        for unit in units where unit.values > 1 {
            let m = Double(unit.values), ones = Double(unit.ones), zeros = m - ones
            o11 += ones * (ones - 1) / (m - 1)
            o00 += zeros * (zeros - 1) / (m - 1)
            o01 += ones * zeros / (m - 1)
        }
        let n1 = o11 + o01, n0 = o00 + o01, n = n1 + n0
        guard n > 1, n1 * n0 > 0 else { return nil }
        return 1 - (n - 1) * (2 * o01) / (2 * n1 * n0)
    }

    /// The pair for two curators, in either order.
    public func pair(_ x: String, _ y: String) -> Pair? {
        pairs.first { ($0.a == x && $0.b == y) || ($0.a == y && $0.b == x) }
    }

    public func curator(_ name: String) -> Curator? { curators.first { $0.name == name } }

    /// F1 where two empty sides agree fully (no pairs on either side is agreement, not 0).
    private static func f1(_ score: Score) -> Double {
        score.tp + score.fp + score.fn == 0 ? 1 : score.f1
    }



    private static func adeSpans(_ answer: CuratorAnswer) -> [Span] {
        answer.hasADE ? answer.spans : []
    }

    /// F1 between two span sets of one item, `criterion` deciding a match; 1 when both are empty.
    public static func spanF1(_ a: [Span], _ b: [Span], _ criterion: Evaluation.Criterion) -> Double {
        f1(Evaluation.score(predicted: b, gold: a, criterion))
    }

    /// Cohen's kappa for two raters' binary labels on the same items:
    /// (p_o - p_e) / (1 - p_e), with p_e from each rater's own label rates.
    public static func cohensKappa(_ a: [Bool], _ b: [Bool]) -> Double? {
        precondition(a.count == b.count, "kappa needs the same items for both raters")
        var counts = LabelCounts()
        for (x, y) in zip(a, b) { counts.add(x, y) }
        return counts.kappa
    }

    /// Krippendorff's alpha for nominal labels, each unit holding the labels of the raters
    /// who coded it (missing raters simply absent; units with one label are not pairable and
    /// are ignored): 1 - (n - 1) * D_o / D_e over the coincidence matrix.
    public static func krippendorffAlpha<Label: Hashable>(_ units: [[Label]]) -> Double? {
        var coincidences: [Label: [Label: Double]] = [:]
        for unit in units where unit.count > 1 {
            let weight = 1 / Double(unit.count - 1)
            for (i, c) in unit.enumerated() {
                for (j, k) in unit.enumerated() where i != j { coincidences[c, default: [:]][k, default: 0] += weight }
            }
        }
        let totals = coincidences.mapValues { $0.values.reduce(0, +) }
        let n = totals.values.reduce(0, +)
        guard n > 1 else { return nil }
        var observed = 0.0, expected = 0.0
        for (c, row) in coincidences {
            for (k, count) in row where k != c { observed += count }
        }
        for (c, nc) in totals {
            for (k, nk) in totals where k != c { expected += nc * nk }
        }
        guard expected > 0 else { return nil }
        return 1 - (n - 1) * observed / expected
    }
}
