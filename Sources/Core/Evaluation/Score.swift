/// Micro-averaged counts and the precision, recall and F1 they give.
public struct Score: Hashable, Sendable, Codable {
    public var tp: Int
    public var fp: Int
    public var fn: Int

    public init(tp: Int = 0, fp: Int = 0, fn: Int = 0) {
        self.tp = tp
        self.fp = fp
        self.fn = fn
    }

    /// tp / (tp + fp); 0 when nothing was predicted.
    public var precision: Double { tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp) }
    /// tp / (tp + fn); 0 when there is nothing to find.
    public var recall: Double { tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn) }
    /// Harmonic mean of precision and recall; 0 when both are 0.
    public var f1: Double {
        let p = precision, r = recall
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    public static func + (a: Score, b: Score) -> Score {
        Score(tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn)
    }

    private enum CodingKeys: String, CodingKey { case precision, recall, f1, tp, fp, fn }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
        try c.encode(f1, forKey: .f1)
        try c.encode(tp, forKey: .tp)
        try c.encode(fp, forKey: .fp)
        try c.encode(fn, forKey: .fn)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(tp: try c.decode(Int.self, forKey: .tp),
                  fp: try c.decode(Int.self, forKey: .fp),
                  fn: try c.decode(Int.self, forKey: .fn))
    }
}
