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
                say("\(set.count) teacher–student disagreements first")
                return select(0)
            }
            // The queue was empty while the set loaded: open the item the filter now shows.
            return select(cursor)
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
            // Told in the status line, which every size shows (the jobs panel is hidden below 100 columns).
            say(finished.map(Self.finishedText).joined(separator: "; "),
                error: finished.contains { $0.isLost || $0.job.state == .failed || $0.job.state == .lost })
            // A finished job may have brought a new teacher run or student version: the sets
            // behind the filters and the disagreement order are stale.
            filterSets = [:]
            var effects: [Effect] = [.refreshMetrics]
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
        }
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
        if visible.isEmpty { say("no items match the filter '\(filter.rawValue)'") }
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
