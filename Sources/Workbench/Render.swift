import Core
import Corpus
import Foundation
import TerminalUI

extension WorkbenchModel {
    /// Draws the whole screen into a buffer of the model's size: roles only, no terminal.
    public func render() -> ScreenBuffer {
        var b = ScreenBuffer(width: width, height: height)
        guard width >= minimumSize.width, height >= minimumSize.height else {
            renderTooSmall(&b)
            return b
        }
        renderHeader(&b)
        let side = width >= 100 ? min(44, width / 3) : 0
        let main = Rect(x: 0, y: 1, width: width - side, height: height - 3)
        renderMain(&b, main)
        if side > 0 { renderSidePanel(&b, Rect(x: width - side, y: 1, width: side, height: height - 3)) }
        renderMessageLine(&b, y: height - 2)
        renderStatusLine(&b, y: height - 1)
        switch mode {
        case .help: renderHelp(&b)
        case .raw: renderRaw(&b)
        case .jobDetail: renderJobDetail(&b)
        default: break
        }
        return b
    }

    private func renderTooSmall(_ b: inout ScreenBuffer) {
        let text = "Terminal too small: \(width)×\(height). Vigil needs at least \(minimumSize.width)×\(minimumSize.height). Enlarge the window, or press q to quit."
        for (i, line) in TextWrap.strings(text, width: max(1, width)).enumerated() where i < height {
            b.put(line, x: 0, y: i, role: .error)
        }
    }

    private func renderHeader(_ b: inout ScreenBuffer) {
        b.fill(Rect(x: 0, y: 0, width: width, height: 1), role: .header)
        let total = queue.count
        let done = doneCount
        let percent = total > 0 ? done * 100 / total : 0
        // Which corpus this is (a mistyped --db shows at once), cut from the left when long.
        let name = corpusName.count > 24 ? "…" + corpusName.suffix(23) : corpusName
        var x = b.put(name.isEmpty ? " Vigil " : " Vigil · \(name) ", x: 0, y: 0, role: .header)
        // The view next: on a narrow screen the end of the header is cut, and which layer's
        // spans are shown must stay visible.
        x = b.put(" view \(layer.rawValue) ", x: x + 1, y: 0, role: .header)
        if !disputes.isEmpty { x = b.put(" adjudicating \(disputes.count) disputes ", x: x + 1, y: 0, role: .header) }
        x = b.put(" filter \(filter.rawValue) (\(visible.count)) ", x: x + 1, y: 0, role: .header)
        x = b.put(" done \(done)/\(total) (\(percent)%) ", x: x + 1, y: 0, role: .header)
        x = b.put(String(format: " %.0f items/h ", itemsPerHour), x: x + 1, y: 0, role: .header)
        b.put(" theme \(themeName) ", x: x + 1, y: 0, role: .header)
    }

    private func renderMain(_ b: inout ScreenBuffer, _ area: Rect) {
        var y = area.y
        let x = area.x + 1
        let right = area.maxX - 1
        guard let current else {
            b.put(queue.isEmpty ? "The corpus has no (sentence, drug) items yet: import some (vigil import …), or try vigil demo."
                  : "No items match the filter '\(filter.rawValue)' (f changes it).", x: x, y: y + 1, role: .dim, limit: right)
            renderQueue(&b, Rect(x: area.x, y: y + 3, width: area.width, height: area.maxY - y - 3))
            return
        }
        let state = saving.contains(current.item.drugMentionID) ? "saving…" : current.state.rawValue
        b.put("Item \(cursor + 1)/\(visible.count)  ·  \(current.item)  ·  \(state)", x: x, y: y, role: .panelTitle, limit: right)
        y += 1
        guard let detail, detail.id == current.item.sentenceID else {
            b.put("loading…", x: x, y: y + 1, role: .dim)
            return
        }
        // Drugs of the sentence, each in its colour; the item's drug marked.
        var dx = b.put("Drugs: ", x: x, y: y, role: .dim, limit: right)
        for (k, drug) in detail.drugs.enumerated() {
            let selected = drug.mentionID == current.item.drugMentionID
            dx = b.put(selected ? "▸" : " ", x: dx, y: y, role: .drugSelected, limit: right)
            dx = b.put(drug.text, x: dx, y: y, role: selected ? .drugSelected : Role.drug(k), limit: right)
            let edited = drafts[drug.mentionID]?.edited == true ? "*" : ""
            dx = b.put(" \(Self.symbol(drug.review.state))\(edited)  ", x: dx, y: y, role: .dim, limit: right)
        }
        y += 2
        // The sentence, wrapped, with roles per scalar.
        let scalars = Array(detail.text.unicodeScalars)
        let roles = sentenceRoles(detail, scalars)
        let textWidth = max(10, area.width - 4)
        let lines = TextWrap.lines(scalars, width: textWidth)
        let maxLines = max(3, (area.height - 8) / 2)
        for range in lines.prefix(maxLines) {
            var cx = x + 1
            for i in range {
                let s = scalars[i].value < 0x20 ? " " : scalars[i]
                cx = b.put(s, x: cx, y: y, role: roles[i], limit: area.maxX - 1)
            }
            y += 1
        }
        if lines.count > maxLines { b.put("…", x: x + 1, y: y, role: .dim); y += 1 }
        y += 1
        // The item's spans in the view's layer.
        let drug = currentDrugIndex.map { detail.drugs[$0] }
        let shown = shownSpans(current.item.drugMentionID)
        let draft = currentDraft
        let edited = draft?.edited == true && (layer == .working || layer == .diff) ? ", edited" : ""
        let empty = shown.isEmpty ? emptyText(layer, current.item.drugMentionID, detail) : ""
        b.put("ADEs of \(drug?.text ?? "?") (\(layer.rawValue)\(edited)): \(empty)",
              x: x, y: y, role: .panelTitle, limit: right)
        y += 1
        if layer == .diff { y = renderDiffLegend(&b, detail, current.item.drugMentionID, x: x, y: y, right: right) }
        let text = ScalarText(detail.text)
        for (i, span) in shown.enumerated() where y < area.maxY - 4 {
            let focused = (layer == .working || layer == .diff) && focusedSpan == i
            var sx = b.put(focused ? " ▸ " : "   ", x: x, y: y, role: .text)
            sx = b.put(text.text(at: span) ?? "?", x: sx, y: y, role: focused ? .adeFocused : .adeSelected, limit: right)
            let checked = draft?.checked.contains(span) == true ? " ✓" : ""
            b.put(" \(span)\(checked)", x: sx, y: y, role: .dim, limit: right)
            y += 1
        }
        // The note typed after `!`, on the item it explains (at most two lines).
        if let note = drug?.review.note, !note.isEmpty, y < area.maxY - 4 {
            let lines = TextWrap.strings("⚑ note: " + note, width: max(10, right - x - 1))
            for (i, line) in lines.prefix(2).enumerated() {
                b.put(i == 1 && lines.count > 2 ? line + "…" : line, x: x, y: y, role: .message, limit: right)
                y += 1
            }
        }
        if let dispute = currentDispute, y < area.maxY - 5 {
            y = renderDispute(dispute, text, &b, x: x, y: y, right: right)
        }
        if !ungrounded.isEmpty, y < area.maxY - 4 {
            var tx = b.put("Ungrounded: ", x: x, y: y, role: .dim, limit: right)
            for u in ungrounded {
                tx = b.put("\"\(u.text)\"", x: tx, y: y, role: .ungrounded, limit: right)
                tx = b.put(" (\(u.drug): \(u.reason.rawValue))  ", x: tx, y: y, role: .dim, limit: right)
            }
            y += 1
        }
        renderQueue(&b, Rect(x: area.x, y: y + 1, width: area.width, height: area.maxY - y - 1))
    }

    /// What an empty span list means in a view: the layer says no ADE, has not labelled the
    /// item, or is not in the corpus at all (one word, `none`, used to say all three).
    func emptyText(_ view: ViewLayer, _ mention: Int64, _ detail: SentenceDetail) -> String {
        let kind: LayerKind
        switch view {
        case .working, .diff: return "none (⏎ records no ADE)"
        case .teacher: kind = .teacher
        case .student: kind = .student
        case .gold: kind = .gold
        case .curated:
            return detail.answered[.curated]?.contains(mention) == true ? "no ADE (decided)" : "not decided yet"
        }
        guard detail.spans[kind] != nil else { return "no \(kind.rawValue) layer in this corpus" }
        guard detail.answered[kind]?.contains(mention) == true else { return "not labelled by the \(kind.rawValue) layer" }
        return "no ADE"
    }

    /// The diff view's key: what its three colours mean, and which side is missing when one is.
    private func renderDiffLegend(_ b: inout ScreenBuffer, _ detail: SentenceDetail, _ mention: Int64,
                                  x: Int, y: Int, right: Int) -> Int {
        var lx = b.put(" colours: ", x: x, y: y, role: .dim, limit: right)
        lx = b.put("teacher only", x: lx, y: y, role: .teacherOnly, limit: right)
        lx = b.put(" · ", x: lx, y: y, role: .dim, limit: right)
        lx = b.put("student only", x: lx, y: y, role: .studentOnly, limit: right)
        lx = b.put(" · ", x: lx, y: y, role: .dim, limit: right)
        lx = b.put("both", x: lx, y: y, role: .agreed, limit: right)
        b.put(" · list: your spans", x: lx, y: y, role: .dim, limit: right)
        var y = y + 1
        let sides: [(LayerKind, String)] = [(.teacher, "teacher"), (.student, "student")]
        let missing = sides.compactMap { kind, name -> String? in
            guard let spans = detail.spans[kind] else { return "no \(name) layer" }
            guard detail.answered[kind]?.contains(mention) == true else { return "\(name) has not labelled this item" }
            return spans[mention]?.isEmpty ?? true ? "\(name) says no ADE" : nil
        }
        if !missing.isEmpty {
            b.put(" " + missing.joined(separator: "; "), x: x, y: y, role: .dim, limit: right)
            y += 1
        }
        return y
    }

    /// The curators' answers on a disputed item, side by side: each span coloured by whether
    /// both gave it, only A, or only B (as the diff view colours teacher and student).
    private func renderDispute(_ dispute: Dispute, _ text: ScalarText, _ b: inout ScreenBuffer, x: Int, y: Int,
                               right: Int) -> Int {
        var y = y
        b.put("Curators disagree (\(String(format: "%.2f", dispute.disagreement))): 1 takes A · 2 takes B · 3 the union · ⏎ your draft",
              x: x, y: y, role: .panelTitle, limit: right)
        y += 1
        let sets = dispute.answers.map { Set($0.hasADE ? $0.spans : []) }
        for (k, answer) in dispute.answers.prefix(4).enumerated() {
            let label = k < 2 ? ["A", "B"][k] : "\(k + 1)"
            var sx = b.put(" \(label) \(answer.curator): ", x: x, y: y, role: .dim, limit: right)
            if !answer.hasADE { sx = b.put("no ADE", x: sx, y: y, role: .text, limit: right) }
            for span in answer.hasADE ? answer.spans : [] {
                let others = sets.enumerated().filter { $0.offset != k }.map(\.element)
                let shared = others.allSatisfy { $0.contains(span) }
                let role: Role = shared ? .agreed : k == 0 ? .teacherOnly : .studentOnly
                sx = b.put(text.text(at: span) ?? "?", x: sx, y: y, role: role, limit: right)
                sx = b.put(" \(span)  ", x: sx, y: y, role: .dim, limit: right)
            }
            y += 1
        }
        return y
    }

    static func symbol(_ state: ReviewState) -> String {
        switch state {
        case .pending: "·"
        case .accepted: "✓"
        case .noADE: "∅"
        case .skipped: "»"
        case .flagged: "⚑"
        }
    }

    /// The role of every scalar of the sentence in the current view.
    func sentenceRoles(_ detail: SentenceDetail, _ scalars: [Unicode.Scalar]) -> [Role] {
        var roles = Array(repeating: Role.text, count: scalars.count)
        func paint(_ span: Span, _ role: Role) {
            for i in max(0, span.start)..<min(scalars.count, span.end) { roles[i] = role }
        }
        let selected = current?.item.drugMentionID
        for drug in detail.drugs where drug.mentionID != selected {
            for span in shownSpans(drug.mentionID, layer: layer == .diff ? .working : layer) { paint(span, .adeOther) }
        }
        if let selected {
            if layer == .diff {
                let teacher = Set(detail.spans[.teacher]?[selected] ?? [])
                let student = Set(detail.spans[.student]?[selected] ?? [])
                for span in teacher.subtracting(student) { paint(span, .teacherOnly) }
                for span in student.subtracting(teacher) { paint(span, .studentOnly) }
                for span in teacher.intersection(student) { paint(span, .agreed) }
            } else {
                let spans = shownSpans(selected)
                for span in spans { paint(span, .adeSelected) }
                if layer == .working, let f = focusedSpan, f < spans.count { paint(spans[f], .adeFocused) }
            }
        }
        for (k, drug) in detail.drugs.enumerated() { paint(drug.span, Role.drug(k)) }
        if case let .visual(anchor, _) = mode, let sel = Words(scalars).selection(anchor: anchor, caret: caret) {
            paint(sel, .selection)
        } else if mode == .normal, caret >= 0, caret < scalars.count {
            roles[caret] = .cursor
        }
        return roles
    }

    private func renderQueue(_ b: inout ScreenBuffer, _ area: Rect) {
        guard area.height >= 2 else { return }
        b.put("Queue · \(filterLabel) · \(visible.count) of \(queue.count) items", x: area.x + 1, y: area.y,
              role: .panelTitle, limit: area.maxX - 1)
        let rows = area.height - 1
        let first = max(0, min(cursor - rows / 2, visible.count - rows))
        for row in 0..<rows {
            let index = first + row
            guard index < visible.count else { break }
            let entry = queue[visible[index]]
            let y = area.y + 1 + row
            let isCurrent = index == cursor
            let state = saving.contains(entry.item.drugMentionID) ? "…" : Self.symbol(entry.state)
            let line = "\(isCurrent ? "▸" : " ") \(String(index + 1).leftPadded(6)) \(state) \(entry.item.description.padded(10)) \(entry.drug)"
            b.put(line, x: area.x + 1, y: y, role: isCurrent ? .queueCurrent : .text, limit: area.maxX - 1)
            if isCurrent { b.paint(Rect(x: area.x + 1, y: y, width: area.width - 2, height: 1), role: .queueCurrent) }
        }
    }

    /// The filter's name, and for disagreements what it compares: its count depends on which
    /// teacher and student layers are the latest.
    var filterLabel: String {
        guard filter == .disagreements || sortByDisagreement, !disagreementBasis.isEmpty else { return filter.rawValue }
        return filter == .disagreements ? "disagreements (\(disagreementBasis))"
            : "\(filter.rawValue), disagreements first (\(disagreementBasis))"
    }

    private func renderMessageLine(_ b: inout ScreenBuffer, y: Int) {
        if case let .prompt(prompt, text) = mode {
            let label: String
            switch prompt {
            case .jump: label = "jump to (N or SENTENCE/MENTION): "
            case .search: label = "/"
            case .flag: label = "flag note: "
            case .command: label = ":"
            }
            let x = b.put(label + text, x: 0, y: y, role: .message)
            b.put(" ", x: x, y: y, role: .cursor)
            return
        }
        if case .confirm(let question) = mode {
            b.put(confirmText(question), x: 0, y: y, role: .error)
            return
        }
        if let message { b.put(message, x: 0, y: y, role: messageIsError ? .error : .message) }
    }

    /// The question a `.confirm` mode asks, with its answers.
    func confirmText(_ question: Confirmation) -> String {
        switch question {
        case .leave:
            let names = unsavedEdits.map { m in detail?.drugs.first { $0.mentionID == m }?.text ?? "\(m)" }
            return "Unsaved span edits (\(names.joined(separator: ", "))): s save, d discard, Esc stay"
        case let .quit(running, unsaved):
            var parts: [String] = []
            if !running.isEmpty {
                let list = running.map { id in "#\(id) " + (jobs.first { $0.job.id == id }?.job.kind ?? "") }
                parts.append("\(running.count) job(s) still running (\(list.joined(separator: ", "))) go on after you quit")
            }
            if unsaved { parts.append("unsaved span edits will be lost") }
            return "Quit? " + parts.joined(separator: "; ") + ": y quits, any other key stays"
        case .cancelJob(let id):
            let kind = jobs.first { $0.job.id == id }?.job.kind ?? "job"
            return "Cancel job \(id) (\(kind))? y cancels it, any other key keeps it running"
        }
    }

    private func renderStatusLine(_ b: inout ScreenBuffer, y: Int) {
        b.fill(Rect(x: 0, y: y, width: width, height: 1), role: .statusLine)
        let hints: [(key: String, label: String)]
        switch mode {
        case .normal:
            hints = keymap.hints([.nextItem, .previousItem, .acceptItem, .noADE, .rejectSpan, .newSpan,
                                  .endRightWord, .endLeftWord, .undo, .nextFilter, .command, .help, .quit])
        case .visual:
            hints = keymap.hints([.extendSelection, .shrinkSelection, .confirmSelection, .cancelSelection])
        case .prompt:
            hints = [("⏎", "submit"), ("Esc", "cancel")]
        case .help, .jobDetail:
            hints = scrollHints
        case .raw:
            hints = [("any key", "close")]
        case .confirm(.leave):
            hints = [("s", "save"), ("d", "discard"), ("Esc", "stay")]
        case .confirm:
            hints = [("y", "yes"), ("any key", "no")]
        }
        // Who you are, always visible at the right end: decisions are recorded under this name.
        let who = " \(author) "
        let whoWidth = TextWidth.of(who)
        let limit = whoWidth + 2 < width ? width - whoWidth - 1 : width
        if limit < width { b.put(who, x: limit, y: y, role: .statusKey) }
        var x = 1
        if case .visual(_, let purpose) = mode {
            x = b.put(purpose == .span ? "VISUAL new span " : "VISUAL new drug ", x: x, y: y, role: .statusKey)
        }
        for hint in hints {
            let needed = TextWidth.of(hint.key) + TextWidth.of(hint.label) + 3
            guard x + needed <= limit else { break }
            x = b.put(hint.key, x: x, y: y, role: .statusKey)
            x = b.put(" \(hint.label)  ", x: x, y: y, role: .statusLine)
        }
    }

    /// A framed box for overlays; returns the inner area.
    func box(_ b: inout ScreenBuffer, _ rect: Rect, title: String) -> Rect {
        b.fill(rect, role: .panel)
        for x in rect.x..<rect.maxX {
            b.put("─", x: x, y: rect.y, role: .panel)
            b.put("─", x: x, y: rect.maxY - 1, role: .panel)
        }
        for y in rect.y..<rect.maxY {
            b.put("│", x: rect.x, y: y, role: .panel)
            b.put("│", x: rect.maxX - 1, y: y, role: .panel)
        }
        b.put("┌", x: rect.x, y: rect.y, role: .panel)
        b.put("┐", x: rect.maxX - 1, y: rect.y, role: .panel)
        b.put("└", x: rect.x, y: rect.maxY - 1, role: .panel)
        b.put("┘", x: rect.maxX - 1, y: rect.maxY - 1, role: .panel)
        b.put(" \(title) ", x: rect.x + 2, y: rect.y, role: .panelTitle, limit: rect.maxX - 2)
        return Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
    }

    private func renderHelp(_ b: inout ScreenBuffer) {
        let inner = box(&b, Rect(x: 2, y: 1, width: width - 4, height: height - 2),
                        title: "Keys · remap them in [keys] of the config file · other keys close")
        var lines: [(String, Role)] = []
        var group = ""
        for entry in keymap.helpLines() {
            if entry.group != group {
                group = entry.group
                lines.append((group, .panelTitle))
            }
            let wrapped = TextWrap.strings(entry.help, width: max(10, width - 27))
            for (i, part) in wrapped.enumerated() {
                lines.append(("  " + (i == 0 ? entry.keys : "").padded(16) + " " + part, .panel))
            }
        }
        for (i, line) in lines.dropFirst(min(helpScroll, max(0, lines.count - inner.height))).prefix(inner.height).enumerated() {
            b.put(line.0, x: inner.x, y: inner.y + i, role: line.1, limit: inner.maxX)
        }
    }

    /// The status line of a scrolled overlay: the keys that scroll it, and that any other closes
    /// (what the overlay's title says too).
    var scrollHints: [(key: String, label: String)] {
        let line = [keymap.keys[.nextItem]?.first, keymap.keys[.previousItem]?.first].compactMap { $0?.label }
        let page = [keymap.keys[.pageDown]?.first, keymap.keys[.pageUp]?.first].compactMap { $0?.label }
        return [(line.joined(separator: "/"), "scroll"), (page.joined(separator: "/"), "page"), ("other keys", "close")]
            .filter { !$0.key.isEmpty }
    }

    /// One job's details: what ran, how it ended, its whole error (wrapped, never cut), its log
    /// and what its process wrote to its error output.
    func jobDetailLines(width: Int) -> [(String, Role)] {
        guard let detail = jobDetail else { return [] }
        let job = detail.job
        var lines: [(String, Role)] = []
        func wrapped(_ text: String, _ role: Role) {
            for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lines += TextWrap.strings(String(paragraph), width: max(10, width)).map { ($0, role) }
            }
        }
        let state = job.state == .lost ? "lost" : job.state.rawValue
        lines.append(("#\(job.id) \(job.kind) \(state)" + (job.progress.map { String(format: " · %.0f%%", $0 * 100) } ?? ""),
                      job.state == .failed || job.state == .lost ? .error : job.state == .succeeded ? .success : .panelTitle))
        wrapped("vigil " + ([job.kind] + job.arguments).joined(separator: " "), .panel)
        if let message = job.message, !message.isEmpty { wrapped(message, .dim) }
        if let error = job.error, !error.isEmpty {
            lines.append(("Error", .panelTitle))
            wrapped(error, .error)
        }
        if !detail.log.isEmpty {
            lines.append(("Log (last \(detail.log.count) lines)", .panelTitle))
            for line in detail.log { wrapped(line, .panel) }
        }
        if let output = detail.output {
            lines.append(("Error output (\(detail.outputPath))", .panelTitle))
            wrapped(output.hasSuffix("\n") ? String(output.dropLast()) : output, .panel)
        }
        return lines
    }

    private func renderJobDetail(_ b: inout ScreenBuffer) {
        guard let detail = jobDetail else { return }
        let inner = box(&b, Rect(x: 2, y: 1, width: width - 4, height: height - 2),
                        title: "Job \(detail.job.id) · other keys close")
        let lines = jobDetailLines(width: inner.width)
        let first = min(jobDetailScroll, max(0, lines.count - inner.height))
        for (i, line) in lines.dropFirst(first).prefix(inner.height).enumerated() {
            b.put(line.0, x: inner.x, y: inner.y + i, role: line.1, limit: inner.maxX)
        }
    }

    private func renderRaw(_ b: inout ScreenBuffer) {
        guard let exchange else { return }
        let inner = box(&b, Rect(x: 2, y: 1, width: width - 4, height: height - 2),
                        title: "Teacher exchange · \(exchange.model)\(exchange.fromCache ? " (from the cache)" : "") · any key closes")
        var lines: [(String, Role)] = [("Prompt", .panelTitle)]
        for paragraph in exchange.prompt.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += TextWrap.strings(String(paragraph), width: inner.width).map { ($0, .panel) }
        }
        lines.append(("Response", .panelTitle))
        for paragraph in exchange.response.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += TextWrap.strings(String(paragraph), width: inner.width).map { ($0, .panel) }
        }
        // Show the end (the response) when it does not all fit.
        for (i, line) in lines.suffix(inner.height).enumerated() {
            b.put(line.0, x: inner.x, y: inner.y + i, role: line.1, limit: inner.maxX)
        }
    }
}

extension String {
    func padded(_ n: Int) -> String {
        let w = TextWidth.of(self)
        return w >= n ? self : self + String(repeating: " ", count: n - w)
    }

    func leftPadded(_ n: Int) -> String {
        count >= n ? self : String(repeating: " ", count: n - count) + self
    }
}
