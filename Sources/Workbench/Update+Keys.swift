import Core
import Corpus
import Foundation
import TerminalUI

extension WorkbenchModel {
    /// Routes a key by mode.
    mutating func handle(_ key: Key) -> [Effect] {
        if key == .resize { return [] }
        if width < minimumSize.width || height < minimumSize.height {
            return keymap.action(for: key, in: .normal) == .quit ? [.quit] : []
        }
        switch mode {
        case .help:
            if let scrolled = scroll(helpScroll, key) { helpScroll = scrolled } else { mode = .normal }
            return []
        case .jobDetail:
            if let scrolled = scroll(jobDetailScroll, key) { jobDetailScroll = scrolled } else { mode = .normal }
            return []
        case .raw:
            mode = .normal
            return []
        case .confirm(let question):
            return answer(question, key)
        case let .prompt(prompt, text):
            return edit(prompt, text, key)
        case let .visual(anchor, purpose):
            guard let action = keymap.action(for: key, in: .visual) else { return [] }
            return visual(action, anchor: anchor, purpose: purpose)
        case .normal:
            message = nil
            guard let action = keymap.action(for: key, in: .normal) else { return [] }
            return perform(action)
        }
    }

    /// How far an overlay (`?`, job details) is scrolled after `key`: by a line with the next and
    /// previous item's keys, a page with PageDown/PageUp, to the top or end with Home/End (the
    /// renderer stops at the last page); nil for any other key, which closes the overlay.
    func scroll(_ offset: Int, _ key: Key) -> Int? {
        let page = max(1, height - 4)
        switch keymap.action(for: key, in: .normal) {
        case .nextItem?: return offset + 1
        case .previousItem?: return max(0, offset - 1)
        case .pageDown?: return offset + page
        case .pageUp?: return max(0, offset - page)
        case .firstItem?: return 0
        case .lastItem?: return Int.max / 2
        default: return nil
        }
    }

    /// The curator's answer to a `.confirm` question.
    private mutating func answer(_ question: Confirmation, _ key: Key) -> [Effect] {
        switch question {
        case .leave(let target):
            switch key {
            case .enter, .char("s"):
                mode = .normal
                return saveEdits() + select(target)
            case .char("d"):
                mode = .normal
                let count = unsavedEdits.count
                for m in unsavedEdits { drafts[m]?.edited = false }
                let effects = select(target)
                say("discarded the span edits of \(count) item(s)")
                return effects
            case .escape:
                mode = .normal
                returnToLoadedSentence()
                say("stayed: ⏎ accepts the edited spans, u undoes the last span change")
                return []
            default:
                return []
            }
        case .quit:
            if key == .char("y") || keymap.action(for: key, in: .normal) == .quit { return [.quit] }
            mode = .normal
            say("not quitting")
            return []
        case .cancelJob(let id):
            mode = .normal
            guard key == .char("y") else { say("job \(id) keeps running"); return [] }
            say("cancelling job \(id)…")
            return [.cancelJob(id)]
        }
    }

    /// Records every unsaved span edit of the sentence as a decision (no spans: no ADE).
    mutating func saveEdits() -> [Effect] {
        guard let detail else { return [] }
        var effects: [Effect] = []
        for m in unsavedEdits {
            let spans = drafts[m]?.spans ?? []
            saving.insert(m)
            decisionsThisSession += 1
            editUndo.removeAll { $0[m] != nil }
            effects.append(decisionEffect(ItemKey(sentenceID: detail.id, drugMentionID: m), spans.isEmpty ? .noADE : .accepted,
                                          spans, note: nil, elapsed: nil))
        }
        return effects
    }

    /// After "stay": the cursor back on an item of the loaded sentence (an edited one first).
    private mutating func returnToLoadedSentence() {
        guard let detail, current?.item.sentenceID != detail.id else { return }
        let mentions = unsavedEdits + detail.drugs.map(\.mentionID)
        if !mentions.contains(where: { m in positionOfMention[m].map(visible.contains) ?? false }) {
            filter = .all
            applyFilter()
        }
        for m in mentions {
            if let p = positionOfMention[m], let index = visible.firstIndex(of: p) {
                cursor = index
                return
            }
        }
    }

    /// Keeps the drafts of `mentions` as they are now, so `u` can bring them back.
    private mutating func rememberEdit(_ mentions: [Int64]) {
        var snapshot: [Int64: Draft] = [:]
        for m in mentions { snapshot[m] = drafts[m] ?? Draft(spans: []) }
        editUndo.append(snapshot)
    }

    private mutating func edit(_ prompt: Prompt, _ text: String, _ key: Key) -> [Effect] {
        switch key {
        case .escape:
            mode = .normal
            return []
        case .enter:
            mode = .normal
            return submit(prompt, text.trimmingCharacters(in: .whitespaces))
        case .backspace:
            if text.isEmpty {
                mode = .normal
            } else {
                mode = .prompt(prompt, text: String(text.dropLast()))
            }
            return []
        case .char(let c):
            mode = .prompt(prompt, text: text + String(Character(c)))
            return []
        default:
            return []
        }
    }

    private mutating func submit(_ prompt: Prompt, _ text: String) -> [Effect] {
        switch prompt {
        case .search:
            let query = text.isEmpty ? lastSearch : text
            guard !query.isEmpty else { return [] }
            lastSearch = query
            return [.search(query)]
        case .jump:
            return jump(text)
        case .flag:
            return decide(.flagged, spans: currentDraft?.spans ?? [], note: text.isEmpty ? nil : text)
        case .command:
            return command(text)
        }
    }

    private mutating func jump(_ text: String) -> [Effect] {
        let parts = text.split(separator: "/")
        if parts.count == 2, let s = Int64(parts[0]), let m = Int64(parts[1]) {
            guard let position = positionOfMention[m], queue[position].item.sentenceID == s else {
                say("no item \(text)", error: true)
                return []
            }
            return show(m)
        }
        guard let n = Int(text), n >= 1, n <= visible.count else {
            say("jump: give a position 1–\(visible.count) or SENTENCE/MENTION", error: true)
            return []
        }
        return select(n - 1)
    }

    /// Runs a `:` command.
    mutating func command(_ text: String) -> [Effect] {
        let words = text.split(separator: " ").map(String.init)
        guard let name = words.first else { return [] }
        let argument = words.dropFirst().joined(separator: " ")
        switch name {
        case "q", "quit", "q!", "wq": return [.quit]
        case "help": mode = .help; return []
        case "job", "jobs":
            if let id = Int64(argument) { return [.loadJobDetail(id)] }
            return perform(.jobDetail)
        case "cancel":
            if let id = Int64(argument) { return [.cancelJob(id)] }
            return perform(.cancelJob)
        case "theme":
            guard !argument.isEmpty else { say(":theme NAME|PATH", error: true); return [] }
            return [.setTheme(argument)]
        case "filter":
            guard let f = QueueFilter(rawValue: argument) else {
                say("filters: \(QueueFilter.allCases.map(\.rawValue).joined(separator: ", "))", error: true)
                return []
            }
            return setFilter(f)
        case "sort":
            switch argument {
            case "disagreement", "disagreements":
                sortByDisagreement = true
                guard let set = filterSets[.disagreements] else {
                    sortJumpPending = true
                    return [.loadFilter(.disagreements)]
                }
                applyFilter()
                say("\(set.count) disagreements first" + (disagreementBasis.isEmpty ? "" : " (\(disagreementBasis))"))
                return select(0)
            case "corpus", "":
                sortByDisagreement = false
                applyFilter()
                say("queue in corpus order")
                return select(cursor)
            default:
                say(":sort disagreement|corpus", error: true)
                return []
            }
        case "layer":
            guard let l = ViewLayer(rawValue: argument) else {
                say("layers: \(ViewLayer.allCases.map(\.rawValue).joined(separator: ", "))", error: true)
                return []
            }
            layer = l
            return []
        default:
            if let kind = JobKind(rawValue: name) { return startJob(kind, arguments: Array(words.dropFirst())) }
            say("unknown command :\(name); commands: \(Self.commandList)", error: true)
            return []
        }
    }

    /// What `:` accepts, for the message an unknown command gets.
    static let commandList = ([":teach :train :predict :eval :cv [--options]"]
        + [":job [ID]", ":cancel [ID]", ":theme NAME", ":filter NAME", ":sort disagreement|corpus", ":layer NAME",
           ":help", ":q"]).joined(separator: " ")

    /// Starts a job unless one of the kind is already running; `arguments` go to the end of its
    /// command line, after the workbench's defaults (so `:train --source gold` overrides them).
    mutating func startJob(_ kind: JobKind, arguments: [String] = []) -> [Effect] {
        if let running = jobs.first(where: { $0.job.kind == kind.rawValue && $0.isActive }) {
            say("a \(kind.rawValue) job is already running (job \(running.job.id))", error: true)
            return []
        }
        say("starting \(kind.rawValue)…")
        return [.startJob(kind, arguments: arguments)]
    }

    mutating func perform(_ action: Action) -> [Effect] {
        switch action {
        case .nextItem: return select(cursor + 1)
        case .previousItem: return select(cursor - 1)
        case .pageDown: return select(cursor + queuePage)
        case .pageUp: return select(cursor - queuePage)
        case .firstItem: return select(0)
        case .lastItem: return select(visible.count - 1)
        case .nextPending:
            guard !visible.isEmpty else { return [] }
            for step in 1...visible.count {
                let index = (cursor + step) % visible.count
                if queue[visible[index]].state == .pending { return select(index) }
            }
            say("no pending item")
            return []
        case .jump: mode = .prompt(.jump, text: ""); return []
        case .search: mode = .prompt(.search, text: ""); return []
        case .command: mode = .prompt(.command, text: ""); return []
        case .flag:
            // Start from the item's current note, if it has one.
            let note = currentDrugIndex.flatMap { detail?.drugs[$0].review.note } ?? ""
            mode = .prompt(.flag, text: note)
            return []
        case .help: mode = .help; helpScroll = 0; return []
        case .quit:
            let running = jobs.filter(\.isActive).map(\.job.id)
            let unsaved = !unsavedEdits.isEmpty
            guard running.isEmpty, !unsaved else {
                mode = .confirm(.quit(runningJobs: running, unsavedEdits: unsaved))
                return []
            }
            return [.quit]
        case .nextFilter, .previousFilter:
            let all = QueueFilter.allCases
            let i = all.firstIndex(of: filter) ?? 0
            return setFilter(all[(i + (action == .nextFilter ? 1 : all.count - 1)) % all.count])
        case .nextDrug, .previousDrug: return cycleDrug(action == .nextDrug ? 1 : -1)
        case .nextSpan, .previousSpan:
            let count = currentDraft?.spans.count ?? 0
            guard count > 0 else { return [] }
            focusedSpan = ((focusedSpan ?? -1) + (action == .nextSpan ? 1 : count - 1) + count) % count
            if let f = focusedSpan, let span = currentDraft?.spans[f] { caret = span.start }
            return []
        case .caretLeft, .caretRight:
            guard let detail else { return [] }
            let words = Words(Array(detail.text.unicodeScalars))
            caret = (action == .caretRight ? words.nextStart(after: caret) : words.previousStart(before: caret)) ?? caret
            return []
        case .acceptItem:
            // Always the curator's working spans: another layer's view is for looking only.
            guard current != nil else { return [] }
            let spans = currentDraft?.spans ?? []
            let viewed = layer
            if viewed != .working && viewed != .diff { layer = .working }
            let effects = decide(spans.isEmpty ? .noADE : .accepted, spans: spans, note: nil)
            if viewed != .working && viewed != .diff {
                say("accepted your working spans (not the \(viewed.rawValue) view's); back to the working view")
            }
            return effects
        case .noADE: return decide(.noADE, spans: [], note: nil)
        case .takeFirst, .takeSecond, .takeUnion:
            guard let dispute = currentDispute else {
                say("not a disputed item: 1, 2 and 3 rule on disputes (open the workbench as an adjudicator)")
                return []
            }
            let answers = dispute.answers
            let spans: [Span]
            switch action {
            case .takeFirst: spans = answers.first.map { $0.hasADE ? $0.spans : [] } ?? []
            case .takeSecond: spans = answers.dropFirst().first.map { $0.hasADE ? $0.spans : [] } ?? []
            default: spans = Array(Set(answers.flatMap { $0.hasADE ? $0.spans : [] })).sorted()
            }
            if let m = current?.item.drugMentionID { drafts[m] = Draft(spans: spans) }
            return decide(spans.isEmpty ? .noADE : .accepted, spans: spans, note: nil)
        case .skip: return decide(.skipped, spans: currentDraft?.spans ?? [], note: nil)
        case .undo:
            // During an edit, `u` takes back the last span change; otherwise the last decision.
            if !editUndo.isEmpty, !unsavedEdits.isEmpty {
                for (m, draft) in editUndo.removeLast() { drafts[m] = draft }
                let spans = currentDraft?.spans ?? []
                focusedSpan = spans.isEmpty ? nil : min(focusedSpan ?? 0, spans.count - 1)
                say("undid the last span change" + (editUndo.isEmpty ? "" : " (\(editUndo.count) more)"))
                return []
            }
            say("undoing…")
            return [.undo]
        case .redo: say("redoing…"); return [.redo]
        case .acceptSpan:
            guard let f = focusedSpan, let m = current?.item.drugMentionID, let spans = drafts[m]?.spans,
                  spans.indices.contains(f) else { return [] }
            drafts[m]?.checked.insert(spans[f])
            return perform(.nextSpan)
        case .rejectSpan:
            guard let f = focusedSpan, let m = current?.item.drugMentionID, var draft = drafts[m],
                  draft.spans.indices.contains(f) else { return [] }
            rememberEdit([m])
            draft.spans.remove(at: f)
            draft.edited = true
            drafts[m] = draft
            focusedSpan = draft.spans.isEmpty ? nil : min(f, draft.spans.count - 1)
            return []
        case .newSpan, .addDrug:
            guard let detail else { return [] }
            let words = Words(Array(detail.text.unicodeScalars))
            guard let word = words.word(at: caret) else { return [] }
            caret = word.start
            layer = .working
            mode = .visual(anchor: word.start, purpose: action == .newSpan ? .span : .drug)
            return []
        case .startLeftWord, .startRightWord, .endLeftWord, .endRightWord,
             .startLeftChar, .startRightChar, .endLeftChar, .endRightChar:
            return moveBoundary(action)
        case .relinkSpan: return relink(copy: false)
        case .copyToDrug: return relink(copy: true)
        case .nextLayer:
            let cycle: [ViewLayer] = [.working, .teacher, .curated, .student, .gold]
            layer = cycle[((cycle.firstIndex(of: layer) ?? -1) + 1) % cycle.count]
            return []
        case .diffView:
            layer = layer == .diff ? .working : .diff
            return []
        case .rawView:
            if exchange == nil {
                say("no raw prompt/response recorded for this sentence")
            } else {
                mode = .raw
            }
            return []
        case .jobDetail:
            guard let job = jobs.first else { say("no jobs yet (:teach, :train, :predict, :eval start one)"); return [] }
            return [.loadJobDetail(job.job.id)]
        case .cancelJob:
            guard let job = jobs.first(where: \.isActive) else { say("no running job"); return [] }
            mode = .confirm(.cancelJob(job.job.id))
            return []
        case .extendSelection, .shrinkSelection, .confirmSelection, .cancelSelection:
            return []
        }
    }

    /// How many items PageDown and PageUp move: about the queue list's height.
    var queuePage: Int { max(1, height / 2 - 4) }

    /// Records a decision on the current item and moves on; the queue shows the new
    /// state only when the database confirms it (`.saved`).
    mutating func decide(_ state: ReviewState, spans: [Span], note: String?) -> [Effect] {
        guard let item = current?.item else { return [] }
        saving.insert(item.drugMentionID)
        decisionsThisSession += 1
        let elapsed = Int(max(0, now.timeIntervalSince(itemOpenedAt)) * 1000)
        drafts[item.drugMentionID]?.spans = spans
        editUndo.removeAll { $0[item.drugMentionID] != nil }
        var effects = [decisionEffect(item, state, spans, note: note, elapsed: elapsed)]
        if cursor + 1 < visible.count { effects += select(cursor + 1) }
        return effects
    }

    /// A curator's decision, or on a disputed item of an adjudicator's queue, a ruling that
    /// names the curators whose answer it matches.
    func decisionEffect(_ item: ItemKey, _ state: ReviewState, _ spans: [Span], note: String?, elapsed: Int?) -> Effect {
        guard let dispute = disputes[item.drugMentionID], state.isDecided else {
            return .decide(item, state, spans, note: note, elapsedMilliseconds: elapsed)
        }
        let ruling = CuratorAnswer(curator: author, state: state, spans: spans)
        return .adjudicate(item, state, spans, sources: dispute.answers.filter { $0.agrees(with: ruling) }.map(\.curator))
    }

    private mutating func cycleDrug(_ step: Int) -> [Effect] {
        guard let detail, let index = currentDrugIndex, detail.drugs.count > 1 else { return [] }
        let target = detail.drugs[(index + step + detail.drugs.count) % detail.drugs.count].mentionID
        return show(target)
    }

    private mutating func moveBoundary(_ action: Action) -> [Effect] {
        guard let detail, let f = focusedSpan, let m = current?.item.drugMentionID, var draft = drafts[m],
              f < draft.spans.count else {
            say("no span selected (] selects one, v makes one)")
            return []
        }
        let words = Words(Array(detail.text.unicodeScalars))
        let span = draft.spans[f]
        let moved: Span?
        switch action {
        case .startLeftWord: moved = words.startLeftWord(span)
        case .startRightWord: moved = words.startRightWord(span)
        case .endLeftWord: moved = words.endLeftWord(span)
        case .endRightWord: moved = words.endRightWord(span)
        case .startLeftChar: moved = words.startLeftChar(span)
        case .startRightChar: moved = words.startRightChar(span)
        case .endLeftChar: moved = words.endLeftChar(span)
        default: moved = words.endRightChar(span)
        }
        guard let moved else { return [] }
        rememberEdit([m])
        draft.spans[f] = moved
        draft.spans.sort()
        draft.checked.remove(span)
        draft.edited = true
        drafts[m] = draft
        focusedSpan = draft.spans.firstIndex(of: moved)
        return []
    }

    private mutating func relink(copy: Bool) -> [Effect] {
        guard let detail, let index = currentDrugIndex, let m = current?.item.drugMentionID,
              var draft = drafts[m] else { return [] }
        guard detail.drugs.count > 1 else {
            say("this sentence has only one drug", error: true)
            return []
        }
        let target = detail.drugs[(index + 1) % detail.drugs.count].mentionID
        rememberEdit([m, target])
        var moving: [Span]
        if copy {
            moving = draft.spans
        } else {
            guard let f = focusedSpan, f < draft.spans.count else { say("no span selected"); return [] }
            moving = [draft.spans.remove(at: f)]
            draft.edited = true
            drafts[m] = draft
        }
        var other = drafts[target] ?? Draft(spans: [])
        other.spans = Array(Set(other.spans).union(moving)).sorted()
        other.edited = true
        drafts[target] = other
        let name = detail.drugs.first { $0.mentionID == target }?.text ?? "?"
        let effects = show(target)
        if let first = moving.first { focusedSpan = drafts[target]?.spans.firstIndex(of: first) }
        say(copy ? "copied \(moving.count) span(s) to \(name): ⏎ to accept" : "moved the span to \(name): ⏎ to accept")
        return effects
    }

    private mutating func visual(_ action: Action, anchor: Int, purpose: VisualPurpose) -> [Effect] {
        guard let detail else { mode = .normal; return [] }
        let words = Words(Array(detail.text.unicodeScalars))
        switch action {
        case .extendSelection:
            caret = words.nextStart(after: caret) ?? caret
        case .shrinkSelection:
            if let previous = words.previousStart(before: caret), previous >= anchor { caret = previous }
        case .cancelSelection:
            mode = .normal
        case .confirmSelection:
            mode = .normal
            guard let span = words.selection(anchor: anchor, caret: caret), let item = current?.item else { return [] }
            if purpose == .drug { return [.addDrugMention(sentenceID: item.sentenceID, span: span)] }
            rememberEdit([item.drugMentionID])
            var draft = drafts[item.drugMentionID] ?? Draft(spans: [])
            if !draft.spans.contains(span) { draft.spans.append(span) }
            draft.spans.sort()
            draft.edited = true
            drafts[item.drugMentionID] = draft
            focusedSpan = draft.spans.firstIndex(of: span)
            say("new span: ⏎ accepts the item")
        default:
            break
        }
        return []
    }
}
