/// One item as agreement sees it: the decided answers of the people who curated it, and
/// what gold and the teacher say about it where they have answered.
public struct AgreementItem: Sendable {
    public var sentenceID: Int64
    public var drugMentionID: Int64
    public var drug: String
    /// Decided answers (accepted or no ADE) by curator name; imports are not curators.
    public var answers: [String: CuratorAnswer]
    /// Gold's ADE spans for the drug, nil when gold has not answered the item.
    public var gold: [Span]?
    /// The latest teacher run's spans, nil when the teacher has not answered the item.
    public var teacher: [Span]?

    public init(sentenceID: Int64, drugMentionID: Int64, drug: String, answers: [String: CuratorAnswer],
                gold: [Span]? = nil, teacher: [Span]? = nil) {
        self.sentenceID = sentenceID
        self.drugMentionID = drugMentionID
        self.drug = drug
        self.answers = answers
        self.gold = gold
        self.teacher = teacher
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
        var byCurator: [String: [Int]] = [:]
        for (index, item) in items.enumerated() {
            for name in item.answers.keys { byCurator[name, default: []].append(index) }
        }
        curators = names.map { name in
            let mine = byCurator[name, default: []].map { items[$0] }
            let withGold = mine.filter { $0.gold != nil }
            var curator = Curator(name: name, items: mine.count, goldItems: withGold.count, goldStrictF1: nil,
                                  goldLenientF1: nil, teacherItems: 0, teacherUnchanged: 0)
            if !withGold.isEmpty {
                let (strict, lenient) = Self.scores(withGold.map { (Self.adeSpans($0.answers[name]!), $0.gold!) })
                curator.goldStrictF1 = Self.f1(strict)
                curator.goldLenientF1 = Self.f1(lenient)
            }
            for item in mine {
                guard let teacher = item.teacher else { continue }
                curator.teacherItems += 1
                if Self.adeSpans(item.answers[name]!) == Array(Set(teacher)).sorted() { curator.teacherUnchanged += 1 }
            }
            return curator
        }

        var pairs: [Pair] = []
        for (i, a) in names.enumerated() {
            let mineA = Set(byCurator[a, default: []])
            for b in names[(i + 1)...] {
                let shared = byCurator[b, default: []].filter(mineA.contains).map { items[$0] }
                let answersA = shared.map { $0.answers[a]! }, answersB = shared.map { $0.answers[b]! }
                let (strict, lenient) = Self.scores(zip(answersB, answersA).map { (Self.adeSpans($0), Self.adeSpans($1)) })
                pairs.append(Pair(
                    a: a, b: b, items: shared.count, pairsA: strict.tp + strict.fn, pairsB: strict.tp + strict.fp,
                    strictF1: Self.f1(strict), lenientF1: Self.f1(lenient),
                    kappa: Self.cohensKappa(answersA.map(\.hasADE), answersB.map(\.hasADE)),
                    disagreements: zip(answersA, answersB).filter { !$0.agrees(with: $1) }.count))
            }
        }
        self.pairs = pairs

        let units = items.filter { $0.answers.count > 1 }.map { $0.answers.values.map(\.hasADE) }
        alphaItems = units.count
        alpha = Self.krippendorffAlpha(units)
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

    /// Strict and lenient totals over items, each (predicted, reference) spans of one drug
    /// mention: `Evaluation`'s matching, item by item (pairs only match within their item).
    static func scores(_ items: [([Span], [Span])]) -> (strict: Score, lenient: Score) {
        var strict = Score(), lenient = Score()
        for (predicted, reference) in items {
            strict = strict + Evaluation.score(predicted: predicted, gold: reference, .strict)
            lenient = lenient + Evaluation.score(predicted: predicted, gold: reference, .lenient)
        }
        return (strict, lenient)
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
        guard !a.isEmpty else { return nil }
        let n = Double(a.count)
        let observed = Double(zip(a, b).filter { $0 == $1 }.count) / n
        let a1 = Double(a.filter { $0 }.count) / n, b1 = Double(b.filter { $0 }.count) / n
        let expected = a1 * b1 + (1 - a1) * (1 - b1)
        guard expected < 1 else { return nil }
        return (observed - expected) / (1 - expected)
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
