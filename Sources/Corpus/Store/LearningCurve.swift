import Core
import Foundation

/// F1 against the share of training sentences (the paper's Figure 4), read off the model
/// versions that `vigil train --fraction` registered: one series per training setup (head,
/// source, split, epochs, learning rate, batch, seed, dropout rates, head options, precision), one
/// point per fraction (its newest version). Versions that predate an option count as trained
/// without it (attention dropout 0, head rate ×1, no relative position, float32).
public struct LearningCurve: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        /// Share of the split's training sentences, in (0, 1].
        public var fraction: Double
        public var version: Int64
        /// (sentence, drug) items trained on, when recorded.
        public var trainItems: Int?
        public var strict: Score
        public var lenient: Score

        public init(fraction: Double, version: Int64, trainItems: Int? = nil, strict: Score, lenient: Score) {
            self.fraction = fraction
            self.version = version
            self.trainItems = trainItems
            self.strict = strict
            self.lenient = lenient
        }
    }

    /// The sentences the points were scored on (`holdout:test`).
    public var scoredOn: String
    public var head: String
    public var source: String
    public var epochs: String
    public var points: [Point]

    public init(scoredOn: String, head: String, source: String, epochs: String, points: [Point]) {
        self.scoredOn = scoredOn
        self.head = head
        self.source = source
        self.epochs = epochs
        self.points = points
    }

    /// One curve per training setup with at least two fractions scored on its split's test
    /// part, the one holding the newest version first.
    public static func curves(from versions: [ModelVersion]) -> [LearningCurve] {
        struct Key: Hashable {
            var head, source, split, epochs, lr, batch, seed, dropout, attentionDropout, headRate, relativePosition, precision, drugPairs, bystanders: String
        }
        var groups: [Key: [Double: (ModelVersion, LayerScores)]] = [:]
        var newest: [Key: Int64] = [:]
        for version in versions {
            guard let split = version.params["split"], let scores = version.metrics[split + ":test"] else { continue }
            let fraction = version.params["fraction"].flatMap(Double.init) ?? 1
            guard fraction > 0, fraction <= 1 else { continue }
            let key = Key(head: version.head ?? "?", source: version.source ?? "?", split: split,
                          epochs: version.params["epochs"] ?? "?", lr: version.params["lr"] ?? "?",
                          batch: version.params["batch"] ?? "?",
                          seed: version.params["seed"] ?? "?", dropout: version.params["dropout"] ?? "?",
                          attentionDropout: version.params["attention_dropout"] ?? "0",
                          headRate: version.params["head_lr_scale"].flatMap(Double.init).map { "\($0)" } ?? "1.0",
                          relativePosition: version.params["relative_position"] ?? "false",
                          precision: version.params["precision"] ?? "fp32",
                          drugPairs: version.params["drug_pairs"].flatMap(Double.init).map { "\($0)" } ?? "0.0",
                          bystanders: version.params["bystanders"] ?? "false")
            if let existing = groups[key]?[fraction], existing.0.id > version.id { continue }
            groups[key, default: [:]][fraction] = (version, scores)
            newest[key] = max(newest[key] ?? 0, version.id)
        }
        return groups.filter { $0.value.count >= 2 }
            .sorted { (newest[$0.key] ?? 0) > (newest[$1.key] ?? 0) }
            .map { key, points in
                LearningCurve(scoredOn: key.split + ":test", head: key.head, source: key.source, epochs: key.epochs,
                              points: points.sorted { $0.key < $1.key }.map { fraction, entry in
                                  Point(fraction: fraction, version: entry.0.id,
                                        trainItems: entry.0.params["train_items"].flatMap(Int.init),
                                        strict: entry.1.strict, lenient: entry.1.lenient)
                              })
            }
    }

    /// "10%", "25%", "100%", "12.5%".
    public static func percent(_ fraction: Double) -> String {
        let p = fraction * 100
        return p == p.rounded() ? String(format: "%.0f%%", p) : String(format: "%.1f%%", p)
    }

    /// The lower end of an F1 axis that shows `values` (percent) with some room: a multiple of 10.
    public static func axisFloor(_ values: [Double]) -> Double {
        guard let low = values.min() else { return 0 }
        return max(0, ((low - 5) / 10).rounded(.down) * 10)
    }

    /// A standalone SVG line chart: lenient and strict F1 (percent) against the training share,
    /// fractions evenly spaced along the x axis.
    public func svg(title: String) -> String {
        let width = 560.0, height = 340.0, left = 56.0, right = 20.0, top = 44.0, bottom = 52.0
        let plotW = width - left - right, plotH = height - top - bottom
        let values = points.flatMap { [$0.lenient.f1 * 100, $0.strict.f1 * 100] }
        let low = Self.axisFloor(values), high = 100.0
        let inset = 32.0 // keeps the end points and their labels off the axes
        func x(_ i: Int) -> Double {
            points.count == 1 ? left + plotW / 2 : left + inset + (plotW - 2 * inset) * Double(i) / Double(points.count - 1)
        }
        func y(_ v: Double) -> Double { top + plotH * (1 - (v - low) / (high - low)) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="14">\(escape(title))</text>

            """
        var tick = low
        while tick <= high + 1e-9 {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(tick)))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(Int(tick))</text>\n"
            tick += (high - low) > 30 ? 10 : 5
        }
        for (i, p) in points.enumerated() {
            out += "<text x=\"\(f(x(i)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(Self.percent(p.fraction))</text>\n"
        }
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">share of training sentences</text>\n"
        out += "<text transform=\"translate(16 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">F1 (%)</text>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(width - right))\" y2=\"\(f(top + plotH))\" stroke=\"#333\"/>\n"
        for (name, color, value) in [("lenient", "#1f77b4", { (p: Point) in p.lenient.f1 }),
                                     ("strict", "#d62728", { (p: Point) in p.strict.f1 })] {
            let coordinates = points.enumerated().map { "\(f(x($0.offset))),\(f(y(value($0.element) * 100)))" }
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
            for (i, p) in points.enumerated() {
                let v = value(p) * 100
                out += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"3.5\" fill=\"\(color)\"/>\n"
                out += "<text x=\"\(f(x(i)))\" y=\"\(f(y(v) - 8))\" text-anchor=\"middle\" fill=\"\(color)\">\(f(v))</text>\n"
            }
            let legendY = name == "lenient" ? top + plotH - 34 : top + plotH - 16
            out += "<line x1=\"\(f(width - right - 110))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(width - right - 90))\" y2=\"\(f(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(f(width - right - 84))\" y=\"\(f(legendY))\">\(name) F1</text>\n"
        }
        return out + "</svg>\n"
    }
}
