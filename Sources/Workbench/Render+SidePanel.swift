import Core
import Corpus
import Foundation
import TerminalUI

extension WorkbenchModel {
    /// The jobs panel's title: the longest that fits (never cut mid-word), with the keys from the keymap.
    func jobsTitle(width: Int) -> String {
        let detail = keymap.keys[.jobDetail]?.first.map { "\($0.label) details" }
        let cancel = keymap.keys[.cancelJob]?.first.map { "\($0.label) cancels" }
        let keys = [detail, cancel].compactMap { $0 }.joined(separator: ", ")
        let candidates = ["Jobs  (:teach :train :predict :eval · \(keys))", "Jobs  (:teach :train :eval · \(keys))",
                          "Jobs  (\(keys))", "Jobs"]
        return candidates.first { TextWidth.of($0) <= width } ?? "Jobs"
    }

    /// Jobs with progress, scores against gold, model versions with their F1 trend.
    func renderSidePanel(_ b: inout ScreenBuffer, _ area: Rect) {
        b.fill(area, role: .panel)
        for y in area.y..<area.maxY { b.put("│", x: area.x, y: y, role: .panel) }
        let x = area.x + 2
        let right = area.maxX - 1
        var y = area.y
        b.put(jobsTitle(width: right - x), x: x, y: y, role: .panelTitle, limit: right)
        y += 1
        if jobs.isEmpty {
            b.put("no jobs yet", x: x, y: y, role: .dim, limit: right)
            y += 1
        }
        let jobBudget = max(2, (area.height - 10))
        let startY = y
        for row in jobs where y - startY + 3 <= jobBudget {
            let job = row.job
            let role: Role = row.isLost || job.state == .failed ? .error : job.state == .succeeded ? .success : .panel
            b.put("#\(job.id) \(job.kind) \(row.stateLabel)", x: x, y: y, role: role, limit: right)
            let timing = timingText(job)
            b.put(timing, x: max(x, right - TextWidth.of(timing)), y: y, role: .dim, limit: right)
            y += 1
            if row.isActive {
                let barWidth = max(4, area.width - 10)
                let fraction = job.progress ?? 0
                let filled = Int((Double(barWidth) * fraction).rounded(.down))
                var bx = b.put(String(repeating: " ", count: filled), x: x, y: y, role: .progress)
                bx = b.put(String(repeating: "·", count: barWidth - filled), x: bx, y: y, role: .progressTrack)
                b.put(job.progress.map { String(format: " %3.0f%%", $0 * 100) } ?? "   ?", x: bx, y: y, role: .panel, limit: right)
                y += 1
            }
            if let error = job.error, !row.isActive {
                b.put(error.replacingOccurrences(of: "\n", with: " "), x: x + 1, y: y, role: .error, limit: right)
                y += 1
            } else {
                for line in (row.log.isEmpty ? [job.message].compactMap { $0 } : row.log).suffix(row.isActive ? 2 : 1) {
                    b.put(line, x: x + 1, y: y, role: .dim, limit: right)
                    y += 1
                }
            }
        }
        y += 1
        guard y < area.maxY - 2 else { return }
        b.put("Scores vs gold\(metricsScope.isEmpty ? "" : " · " + metricsScope)", x: x, y: y, role: .panelTitle, limit: right)
        y += 1
        if metrics.isEmpty {
            b.put("no layer to score yet", x: x, y: y, role: .dim, limit: right)
            y += 1
        } else {
            b.put("layer        P     R     F1", x: x, y: y, role: .dim, limit: right)
            y += 1
            for m in metrics where y < area.maxY - 3 {
                b.put(m.layer.padded(10) + " S " + Self.prf(m.strict), x: x, y: y, role: .panel, limit: right)
                b.put(String(repeating: " ", count: 10) + " L " + Self.prf(m.lenient), x: x, y: y + 1, role: .panel, limit: right)
                y += 2
            }
        }
        if let agreement, !agreement.pairs.isEmpty, y + 3 < area.maxY - 2 {
            y += 1
            let alpha = agreement.alpha.map { String(format: " · α %.2f", $0) } ?? ""
            b.put("Agreement (strict/lenient F1, κ)\(alpha)", x: x, y: y, role: .panelTitle, limit: right)
            y += 1
            for pair in agreement.pairs.prefix(4) where y < area.maxY - 3 {
                let kappa = pair.kappa.map { String(format: "%.2f", $0) } ?? "-"
                let line = "\(pair.a)–\(pair.b)".padded(12) + String(format: " %5.1f %5.1f ", pair.strictF1 * 100, pair.lenientF1 * 100)
                    + "κ \(kappa) n \(pair.items)"
                b.put(line, x: x, y: y, role: .panel, limit: right)
                y += 1
            }
        }
        y += 1
        guard y < area.maxY - 1 else { return }
        b.put("Model versions (strict F1)", x: x, y: y, role: .panelTitle, limit: right)
        y += 1
        if trend.isEmpty {
            b.put("none yet (:train)", x: x, y: y, role: .dim, limit: right)
            return
        }
        let bars = Array("▁▂▃▄▅▆▇█")
        let line = String(trend.map { bars[min(bars.count - 1, Int($0.strict.f1 * Double(bars.count)))] })
        let last = trend.last.map { " \($0.layer) \(String(format: "%.1f", $0.strict.f1 * 100))" } ?? ""
        b.put(line + last, x: x, y: y, role: .panel, limit: right)
        y += 2
        if let curve, y + curve.points.count + 2 <= area.maxY {
            renderCurve(curve, &b, x: x, y: y, right: right)
        }
    }

    /// The learning curve as horizontal bars, one per training share: lenient F1 on an axis
    /// from `LearningCurve.axisFloor` to 100, in eighths of a cell.
    func renderCurve(_ curve: LearningCurve, _ b: inout ScreenBuffer, x: Int, y: Int, right: Int) {
        let floor = LearningCurve.axisFloor(curve.points.map { $0.lenient.f1 * 100 })
        b.put("Learning curve (lenient F1)", x: x, y: y, role: .panelTitle, limit: right)
        let labelWidth = 5, valueWidth = 6
        let barWidth = max(4, right - x - labelWidth - valueWidth - 1)
        let eighths = Array("▏▎▍▌▋▊▉")
        for (row, point) in curve.points.enumerated() {
            let value = point.lenient.f1 * 100
            let share = max(0, min(1, (value - floor) / (100 - floor)))
            let units = Int((share * Double(barWidth * 8)).rounded())
            var bar = String(repeating: "█", count: units / 8)
            if units % 8 > 0 { bar.append(eighths[units % 8 - 1]) }
            let label = LearningCurve.percent(point.fraction)
            let ly = y + 1 + row
            b.put(String(repeating: " ", count: max(0, labelWidth - label.count)) + label, x: x, y: ly, role: .dim, limit: right)
            b.put(bar, x: x + labelWidth + 1, y: ly, role: .success, limit: right)
            b.put(String(format: "%5.1f", value), x: x + labelWidth + 1 + barWidth, y: ly, role: .panel, limit: right)
        }
        b.put("axis \(Int(floor))–100 · \(curve.scoredOn)", x: x, y: y + 1 + curve.points.count,
              role: .dim, limit: right)
    }

    static func prf(_ s: Score) -> String {
        String(format: "%5.1f %5.1f %5.1f", s.precision * 100, s.recall * 100, s.f1 * 100)
    }

    /// Elapsed time, and the ETA while running with known progress.
    func timingText(_ job: Job) -> String {
        guard let started = job.startedAt else { return "" }
        let end = job.finishedAt ?? now
        let elapsed = max(0, end.timeIntervalSince(started))
        var text = Self.duration(elapsed)
        if !job.state.isFinished, let p = job.progress, p > 0, p < 1 {
            text += " eta " + Self.duration(elapsed * (1 - p) / p)
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
    }
}
