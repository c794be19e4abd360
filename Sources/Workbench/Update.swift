import Core
import Corpus
import Foundation
import TerminalUI

/// The smallest screen the workbench draws on; below it shows a message instead.
public let minimumSize = (width: 60, height: 16)

extension WorkbenchModel {
    /// Applies a message: the only way the model changes. Pure: no I/O, clock or
    /// randomness (time arrives as `.tick`); what must happen outside is returned.
    public mutating func update(_ msg: Msg) -> [Effect] {
        let effects = apply(msg)
        // Whatever changed the draft, the focused span stays one of its spans.
        let count = currentDraft?.spans.count ?? 0
        if let f = focusedSpan, f >= count { focusedSpan = count == 0 ? nil : count - 1 }
        return effects
    }

    private mutating func apply(_ msg: Msg) -> [Effect] {
        switch msg {
        case .key(let key):
            return handle(key)
        case let .resize(width, height):
            self.width = width
            self.height = height
            return []
        case .tick(let date):
            now = date
            return []
        case let .sentenceLoaded(detail, ungrounded, exchange):
            return loaded(detail, ungrounded: ungrounded, exchange: exchange)
        case .saved(let decision):
            return saved(decision)
        case .failed(let text):
            saving.removeAll()
            say(text, error: true)
            return []
        case let .filterLoaded(filter, set):
            filterSets[filter] = set
            guard self.filter == filter || (filter == .disagreements && sortByDisagreement) else { return [] }
            applyFilter()
            if filter == .disagreements, sortJumpPending {
                sortJumpPending = false
                say("\(set.count) disagreements first" + (disagreementBasis.isEmpty ? "" : " (\(disagreementBasis))"))
                return select(0)
            }
            if filter == .disagreements, self.filter == .disagreements, !set.isEmpty, !disagreementBasis.isEmpty {
                say("\(set.count) item\(set.count == 1 ? "" : "s") where \(disagreementBasis.replacingOccurrences(of: " vs ", with: " and ")) "
                    + "both labelled the item and gave different spans")
            }
            // The queue was empty while the set loaded: open the item the filter now shows.
            return select(cursor)
        case .disagreementBasis(let text):
            disagreementBasis = text
            return []
        case let .searchResult(query, sentences):
            return found(query, Set(sentences))
        case .drugAdded(let entry):
            return drugAdded(entry)
        case .jobs(let rows):
            let finished = rows.filter { row in
                !row.isActive && jobs.contains { $0.job.id == row.job.id && $0.isActive }
            }
            jobs = rows
            guard !finished.isEmpty else { return [] }
            // Told in the status line, which every size shows (the jobs panel is hidden below 100 columns);
            // a failure's whole error is one key away.
            let failed = finished.contains { $0.isLost || $0.job.state == .failed || $0.job.state == .lost }
            let details = failed ? keymap.keys[.jobDetail]?.first.map { " (\($0.label): details)" } ?? "" : ""
            say(finished.map(Self.finishedText).joined(separator: "; ") + details, error: failed)
            // A finished job may have brought a new teacher run or student version: the sets
            // behind the filters and the disagreement order are stale.
            filterSets = [:]
            var effects: [Effect] = [.refreshMetrics]
            // A new teacher run or student layer changes what the open sentence shows: reload it,
            // unless it holds edits (kept; the next load shows the new layer).
            let newLayer = finished.contains { $0.job.state == .succeeded && ["teach", "predict", "train"].contains($0.job.kind) }
            if newLayer, let detail, unsavedEdits.isEmpty, saving.isEmpty, mode == .normal {
                effects.insert(.loadSentence(detail.id), at: 0)
            }
            if filter.needsSet { effects.append(.loadFilter(filter)) }
            if sortByDisagreement, filter != .disagreements { effects.append(.loadFilter(.disagreements)) }
            return effects
        case let .metrics(scope, rows, trend, curve):
            metricsScope = scope
            metrics = rows
            self.trend = trend
            self.curve = curve
            return []
        case .agreement(let agreement):
            self.agreement = agreement
            return []
        case .themeChanged(let name):
            themeName = name
            say("theme \(name)")
            return []
        case .info(let text):
            say(text)
            return []
        case .storeFailed(let text):
            say("could not read " + text, error: true)
            return []
        case .jobDetail(let detail):
            jobDetail = detail
            jobDetailScroll = 0
            mode = .jobDetail
            return []
        case .changedElsewhere(let changes):
            return changedElsewhere(changes)
        case .mentionsAdded(let entries):
            return mentionsAdded(entries)
        case let .changedUnderneath(item, spans, reason):
            return changedUnderneath(item, spans: spans, reason: reason)
        }
    }

    /// Others' decisions: the queue's states follow; the open sentence is reloaded to show them
    /// unless it holds unsaved edits (kept: a decision on a changed item is then refused, and
    /// the reload comes with the refusal). Tells who changed what in the status line.
    private mutating func changedElsewhere(_ changes: [ReviewChange]) -> [Effect] {
        var changed: [ReviewChange] = []
        var openChanged = false
        for change in changes {
            let m = change.item.drugMentionID
            var differs = false
            if let p = positionOfMention[m], queue[p].state != change.status.state {
                queue[p].state = change.status.state
                differs = true
            }
            if let drug = detail?.drugs.first(where: { $0.mentionID == m }), !drug.review.sameAnswer(as: change.status) {
                differs = true
                openChanged = true
            }
            if differs { changed.append(change) }
        }
        guard !changed.isEmpty else { return [] }
        var effects: [Effect] = [.refreshMetrics] + (team ? [.refreshAgreement] : [])
        let authors = Array(Set(changed.map(\.author))).sorted().joined(separator: ", ")
        var text = changed.count == 1
            ? "\(authors) decided \(changed[0].item) meanwhile: now \(changed[0].status.state.rawValue)"
            : "\(changed.count) items decided meanwhile by \(authors)"
        if openChanged, let detail {
            if unsavedEdits.isEmpty, saving.isEmpty, mode == .normal || mode == .help {
                effects.insert(.loadSentence(detail.id), at: 0)
                text += " (shown)"
            } else {
                text += "; your unsaved edits stay (⏎ shows theirs first)"
            }
        }
        say(text)
        return effects
    }

    /// Drug mentions another workbench added: each a new item after the others of its sentence
    /// (at the end when its sentence is not in the queue); the cursor stays on its item, and the
    /// open sentence is reloaded to show a new drug unless it holds unsaved edits.
    private mutating func mentionsAdded(_ entries: [QueueEntry]) -> [Effect] {
        let new = entries.filter { positionOfMention[$0.item.drugMentionID] == nil }
        guard !new.isEmpty else { return [] }
        let keep = current?.item
        for entry in new {
            let at = queue.lastIndex { $0.item.sentenceID == entry.item.sentenceID }.map { $0 + 1 } ?? queue.count
            queue.insert(entry, at: at)
        }
        positionOfMention = [:]
        for (i, e) in queue.enumerated() { positionOfMention[e.item.drugMentionID] = i }
        let message = new.count == 1 ? "drug mention \(new[0].item) (\(new[0].drug)) added elsewhere"
            : "\(new.count) drug mentions added elsewhere"
        visible = []
        applyFilter()
        if let keep, let p = positionOfMention[keep.drugMentionID], let i = visible.firstIndex(of: p) { cursor = i }
        say(message)
        if let detail, new.contains(where: { $0.item.sentenceID == detail.id }), unsavedEdits.isEmpty, saving.isEmpty,
           mode == .normal {
            return [.loadSentence(detail.id)]
        }
        return []
    }

    /// A decision refused because the item changed since it was shown: back to the item, its
    /// sentence reloaded (their decision shown), the curator's spans kept as an unsaved edit.
    private mutating func changedUnderneath(_ item: ItemKey, spans: [Span], reason: String) -> [Effect] {
        let m = item.drugMentionID
        saving.remove(m)
        decisionsThisSession = max(0, decisionsThisSession - 1)
        restoreDrafts[m] = spans
        guard let position = positionOfMention[m] else { return [] }
        if !visible.contains(position) {
            filter = .all
            applyFilter()
        }
        if detail?.id == item.sentenceID {
            // Reload in place (select would keep the stale sentence); the other drugs' unsaved
            // edits come back over the reload too.
            for other in unsavedEdits where other != m { restoreDrafts[other] = drafts[other]?.spans }
            detail = nil
            drafts = [:]
            editUndo = []
        }
        let effects = visible.firstIndex(of: position).map { select($0) } ?? []
        say("not saved: \(reason); shown again with your spans unsaved: ⏎ records yours over it, u shows theirs",
            error: true)
        return effects
    }

    /// "job 3 train succeeded", "job 4 teach failed: <the error's first line>".
    static func finishedText(_ row: JobRow) -> String {
        let name = "job \(row.job.id) \(row.job.kind)"
        if row.isLost || row.job.state == .lost { return "\(name) lost: its process is gone" }
        switch row.job.state {
        case .failed:
            let first = row.job.error?.split(separator: "\n").first.map(String.init) ?? ""
            return first.isEmpty ? "\(name) failed" : "\(name) failed: \(first)"
        default:
            return "\(name) \(row.job.state.rawValue)"
        }
    }

    mutating func say(_ text: String, error: Bool = false) {
        message = text
        messageIsError = error
    }

    /// Opens the item at `index` of `visible`; loads its sentence when it changes.
    /// Leaving a sentence with unsaved span edits asks first (save, discard or stay).
    public mutating func select(_ index: Int) -> [Effect] {
        guard !visible.isEmpty else { return [] }
        let target = min(max(0, index), visible.count - 1)
        if let detail, detail.id != queue[visible[target]].item.sentenceID, !unsavedEdits.isEmpty {
            mode = .confirm(.leave(to: target))
            return []
        }
        cursor = target
        itemOpenedAt = now
        guard let current else { return [] }
        if detail?.id != current.item.sentenceID {
            detail = nil
            drafts = [:]
            editUndo = []
            focusedSpan = nil
            return [.loadSentence(current.item.sentenceID)]
        }
        focusFirstSpan()
        return []
    }

    mutating func focusFirstSpan() {
        let spans = currentDraft?.spans ?? []
        focusedSpan = spans.isEmpty ? nil : 0
        if let first = spans.first {
            caret = first.start
        } else if let index = currentDrugIndex, let detail {
            caret = min(detail.drugs[index].span.end, max(0, detail.text.unicodeScalars.count - 1))
        }
    }

    private mutating func loaded(_ detail: SentenceDetail, ungrounded: [UngroundedProposal],
                                 exchange: TeacherExchange?) -> [Effect] {
        guard current?.item.sentenceID == detail.id else { return [] }
        self.detail = detail
        self.ungrounded = ungrounded
        self.exchange = exchange
        drafts = [:]
        editUndo = []
        for drug in detail.drugs { drafts[drug.mentionID] = Self.initialDraft(drug, detail) }
        // A dispute starts from every span any curator gave: 1, 2 and 3 choose, edits refine.
        for (m, dispute) in disputes where drafts[m] != nil {
            drafts[m] = Draft(spans: Array(Set(dispute.answers.flatMap { $0.hasADE ? $0.spans : [] })))
        }
        // A refused decision's spans come back over what the item holds now (u shows that).
        for (m, spans) in restoreDrafts {
            guard let theirs = drafts[m] else { continue }
            restoreDrafts[m] = nil
            if let p = positionOfMention[m], let drug = detail.drugs.first(where: { $0.mentionID == m }) {
                queue[p].state = drug.review.state
            }
            guard theirs.spans != spans.sorted() else { continue }
            editUndo.append([m: theirs])
            var mine = Draft(spans: spans)
            mine.edited = true
            drafts[m] = mine
        }
        focusFirstSpan()
        return []
    }

    private mutating func saved(_ decision: SavedDecision) -> [Effect] {
        let mention = decision.item.drugMentionID
        saving.remove(mention)
        if let position = positionOfMention[mention] { queue[position].state = decision.state }
        if var detail, let i = detail.drugs.firstIndex(where: { $0.mentionID == mention }) {
            detail.drugs[i].review = ReviewStatus(decision.state, spans: decision.spans, note: decision.note)
            self.detail = detail
            if decision.action == .decide {
                drafts[mention]?.edited = false
            } else {
                drafts[mention] = Self.initialDraft(detail.drugs[i], detail)
            }
        }
        // The curated layer changed: its scores in the side panel follow (milliseconds, off the
        // main thread), and in a team the agreement too.
        let refresh: [Effect] = [.refreshMetrics] + (team ? [.refreshAgreement] : [])
        switch decision.action {
        case .decide:
            say("saved \(decision.item): \(decision.state.rawValue)")
            return refresh
        case .undo, .redo:
            say("\(decision.action.rawValue) \(decision.item): now \(decision.state.rawValue)")
            return show(mention) + refresh
        }
    }

    /// Moves the cursor to a drug mention, clearing the filter if it hides it.
    mutating func show(_ mention: Int64) -> [Effect] {
        guard let position = positionOfMention[mention] else { return [] }
        if !visible.contains(position) {
            filter = .all
            applyFilter()
        }
        guard let index = visible.firstIndex(of: position) else { return [] }
        return select(index)
    }

    /// Recomputes `visible` for the filter, keeping the current item when it still passes.
    mutating func applyFilter() {
        let keep = current.map { positionOfMention[$0.item.drugMentionID] ?? 0 } ?? 0
        let set = filterSets[filter]
        visible = queue.indices.filter { i in
            let entry = queue[i]
            switch filter {
            case .disagreements: return set?.contains(entry.item.drugMentionID) ?? false
            case .ungrounded: return set?.contains(entry.item.sentenceID) ?? false
            default: return filter.admits(entry.state)
            }
        }
        if sortByDisagreement, let disagreeing = filterSets[.disagreements] {
            // A stable partition: disagreements first, each part in corpus order.
            visible = visible.filter { disagreeing.contains(queue[$0].item.drugMentionID) }
                + visible.filter { !disagreeing.contains(queue[$0].item.drugMentionID) }
        }
        cursor = visible.firstIndex(of: keep)
            ?? (sortByDisagreement ? 0 : visible.firstIndex { $0 >= keep } ?? max(0, visible.count - 1))
        if visible.isEmpty {
            let basis = filter == .disagreements && !disagreementBasis.isEmpty ? " (\(disagreementBasis))" : ""
            say("no items match the filter '\(filter.rawValue)'\(basis)")
        }
    }

    mutating func setFilter(_ new: QueueFilter) -> [Effect] {
        let before = current?.item
        filter = new
        if new.needsSet, filterSets[new] == nil {
            visible = []
            cursor = 0
            return [.loadFilter(new)]
        }
        applyFilter()
        if current?.item != before { return select(cursor) }
        return []
    }

    private mutating func found(_ query: String, _ sentences: Set<Int64>) -> [Effect] {
        guard !visible.isEmpty else { return [] }
        for step in 1...visible.count {
            let index = (cursor + step) % visible.count
            if sentences.contains(queue[visible[index]].item.sentenceID),
               queue[visible[index]].item.sentenceID != current?.item.sentenceID || step == visible.count {
                say("found \"\(query)\"")
                return select(index)
            }
        }
        say("\"\(query)\" not found in the queue", error: true)
        return []
    }

    private mutating func drugAdded(_ entry: QueueEntry) -> [Effect] {
        let sentence = entry.item.sentenceID
        let insertAt = (queue.lastIndex { $0.item.sentenceID == sentence } ?? (queue.count - 1)) + 1
        queue.insert(entry, at: insertAt)
        positionOfMention = [:]
        for (i, e) in queue.enumerated() { positionOfMention[e.item.drugMentionID] = i }
        detail = nil
        filter = .all
        applyFilter()
        say("added drug mention \(entry.item)")
        if let index = visible.firstIndex(of: insertAt) {
            cursor = index
            itemOpenedAt = now
        }
        return [.loadSentence(sentence)]
    }
}
