import Core
import Corpus
import Foundation
import TerminalUI

/// Runs the effects `update` returns, against the corpus and the job supervisor, and
/// turns their outcomes into messages. The only place the workbench does I/O.
public final class EffectRunner {
    public let store: CorpusStore
    public let supervisor: JobSupervisor?
    public let author: String
    /// Loads a theme by name or path (set by the app; nil refuses `:theme`).
    public var loadTheme: ((String) throws -> Theme)?
    /// Called with a newly loaded theme.
    public var applyTheme: ((Theme) -> Void)?
    public private(set) var quitRequested = false
    /// Messages produced off the main thread (metrics, agreement), collected by `drain`.
    private let mailbox = Mailbox()
    /// The one background thread those are computed on.
    private let worker = Refresher()
    /// The status each item had when its sentence was last loaded (or this workbench last
    /// decided it): a decision is recorded only if the item still has it.
    private var shown: [Int64: ReviewStatus] = [:]
    /// The review events this workbench recorded, so that a poll reports only others'.
    private var ownEvents: Set<Int64> = []
    /// The newest review event seen (nil: not watching for others' changes).
    private var watchedThrough: Int64?
    /// The newest drug mention seen, and the ones this workbench added.
    private var mentionsThrough: Int64 = 0
    private var ownMentions: Set<Int64> = []
    /// The review log's newest event when this workbench opened.
    private var openedAfter: Int64 = 0
    /// The decisions (not undos or redos) this workbench recorded.
    private var decisions: Set<Int64> = []

    public init(store: CorpusStore, supervisor: JobSupervisor?, author: String) {
        self.store = store
        self.supervisor = supervisor
        self.author = author
    }

    deinit { worker.stop() }

    /// Runs one effect; returns the messages it produced.
    public func run(_ effect: Effect) -> [Msg] {
        do {
            return try perform(effect)
        } catch {
            return [.failed("\(error)")]
        }
    }

    /// Messages finished in the background since the last call.
    public func drain() -> [Msg] { mailbox.take() }

    private func perform(_ effect: Effect) throws -> [Msg] {
        switch effect {
        case .loadSentence(let id):
            guard let detail = try store.sentenceDetail(id, curator: author) else { return [.failed("sentence \(id) does not exist")] }
            // The teacher's evidence behind the proposal: strings it could not place, and the
            // raw prompt and response.
            var ungrounded: [UngroundedProposal] = []
            var exchange: TeacherExchange?
            // Without it the sentence still opens; the status line says what could not be read.
            var problems: [Msg] = []
            if let run = detail.teacherRun {
                do {
                    ungrounded = try store.ungroundedProposals(sentenceID: id, teacherRun: run)
                    exchange = try store.teacherExchange(sentenceID: id, teacherRun: run)
                } catch {
                    problems.append(.storeFailed("the teacher's evidence for sentence \(id): \(error)"))
                }
            }
            for drug in detail.drugs { shown[drug.mentionID] = drug.review }
            return [.sentenceLoaded(detail, ungrounded: ungrounded, exchange: exchange)] + problems
        case let .decide(item, state, spans, note, elapsed):
            do {
                let event = try store.decide(item, state: state, spans: spans, author: author, note: note,
                                             elapsedMilliseconds: elapsed, shown: shown[item.drugMentionID])
                return [.saved(record(event))]
            } catch let error as CorpusError {
                if case .changedSinceShown = error {
                    return [.changedUnderneath(item, spans: spans, reason: "\(error)")]
                }
                return [.failed("not saved: \(item): \(error)")]
            } catch {
                return [.failed("not saved: \(item): \(error)")]
            }
        case let .adjudicate(item, state, spans, sources):
            do {
                let event = try store.adjudicate(item, state: state, spans: spans, adjudicator: author, sources: sources)
                return [.saved(record(event)),
                        .info("ruled \(state.rawValue) on \(item)" + (sources.isEmpty ? " (your own draft)" : " with \(sources.joined(separator: ", "))"))]
            } catch {
                return [.failed("not saved: \(item): \(error)")]
            }
        case .refreshAgreement:
            refreshAgreementInBackground()
            return []
        case .undo:
            return [.saved(record(try store.undo(author: author, check: notAnotherWorkbenchs())))]
        case .redo:
            return [.saved(record(try store.redo(author: author, check: notAnotherWorkbenchs())))]
        case .loadFilter(let filter):
            switch filter {
            case .disagreements:
                return [.disagreementBasis(try Self.disagreementBasis(store)),
                        .filterLoaded(filter, try store.teacherStudentDisagreements())]
            case .ungrounded:
                guard let run = try ifPresent({ try store.layer(LayerRef(.teacher)) })?.version else {
                    return [.filterLoaded(filter, [])]
                }
                return [.filterLoaded(filter, try store.sentencesWithUngrounded(teacherRun: run))]
            default:
                return []
            }
        case .search(let query):
            return [.searchResult(query: query, sentences: try store.searchSentences(query))]
        case let .addDrugMention(sentenceID, span):
            let id = try store.addCuratorMention(sentenceID: sentenceID, span: span)
            ownMentions.insert(id)
            let text = try store.sentenceTexts([sentenceID])[sentenceID].flatMap { ScalarText($0).text(at: span) } ?? ""
            return [.drugAdded(QueueEntry(item: ItemKey(sentenceID: sentenceID, drugMentionID: id), state: .pending,
                                          drug: text))]
        case .startJob(let kind, let arguments):
            guard let supervisor else { return [.failed("jobs cannot be started from here")] }
            let id = try supervisor.start(kind, arguments: arguments)
            return [.jobs(try supervisor.rows()), .info("started \(kind.rawValue) job \(id)")]
        case .cancelJob(let id):
            guard let supervisor else { return [.failed("jobs cannot be cancelled from here")] }
            try supervisor.cancel(id)
            return [.jobs(try supervisor.rows()), .info("asked job \(id) to stop")]
        case .loadJobDetail(let id):
            let job = try store.job(id)
            let path = store.jobOutputPath(id)
            let output = (try? String(contentsOfFile: path, encoding: .utf8))
                .flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
            return [.jobDetail(JobDetail(job: job, log: try store.jobLog(id, last: 200), output: output, outputPath: path))]
        case .refreshMetrics:
            refreshMetricsInBackground()
            return []
        case .setTheme(let name):
            guard let loadTheme else { return [.failed("themes cannot be changed here")] }
            let theme = try loadTheme(name)
            applyTheme?(theme)
            return [.themeChanged(theme.name)]
        case .quit:
            quitRequested = true
            return []
        }
    }

    /// The job rows now (a poll); a store error is said in the status line.
    public func pollJobs() -> [Msg] {
        guard let supervisor else { return [] }
        do {
            return [.jobs(try supervisor.rows())]
        } catch {
            return [.storeFailed("the jobs: \(error)")]
        }
    }

    /// What the disagreement filter compares: `teacher:2 vs student:3`, or which side is missing.
    static func disagreementBasis(_ store: CorpusStore) throws -> String {
        let teacher = try ifPresent { try store.layer(LayerRef(.teacher)) }
        let student = try ifPresent { try store.layer(LayerRef(.student)) }
        switch (teacher, student) {
        case let (t?, s?): return "\(t) vs \(s)"
        case (nil, nil): return "no teacher run nor student layer yet"
        case (nil, _): return "no teacher run yet (:teach)"
        case (_, nil): return "no student layer yet (:predict)"
        }
    }

    /// Starts reporting others' decisions: those after review event `id` (read before the
    /// queue was loaded, so nothing falls between).
    public func watchChanges(after id: Int64, mentionsAfter mention: Int64 = .max) {
        watchedThrough = id
        openedAfter = id
        mentionsThrough = mention
    }

    /// Others' decisions since the last poll (another workbench, a CLI, an import): one
    /// primary-key lookup when nothing changed, else the changed items as this curator sees
    /// them. Their statuses become what a decision on them is checked against only when the
    /// model reloads their sentence. A store error is said in the status line (and the poll
    /// tried again next time).
    public func pollChanges() -> [Msg] {
        guard let after = watchedThrough else { return [] }
        do {
            let (last, changes) = try store.reviewChanges(after: after, curator: author, excluding: ownEvents)
            watchedThrough = last
            ownEvents = ownEvents.filter { $0 > last }
            var messages: [Msg] = []
            // Drug mentions another workbench added (`D`): new items, in their sentence's place.
            let newest = try store.lastDrugMentionID()
            if newest > mentionsThrough {
                let entries = try store.queueEntries(curator: author, afterMention: mentionsThrough)
                mentionsThrough = newest
                let others = entries.filter { !ownMentions.contains($0.item.drugMentionID) }
                if !others.isEmpty { messages.append(.mentionsAdded(others)) }
            }
            if !changes.isEmpty { messages.append(.changedElsewhere(changes)) }
            return messages
        } catch {
            return [.storeFailed("others' changes: \(error)")]
        }
    }

    /// Refuses to undo or redo a decision that another workbench open under the same name
    /// recorded while this one was open (it is that one's to take back); decisions from before
    /// this workbench opened stay undoable, as after a restart.
    private func notAnotherWorkbenchs() -> @Sendable (ReviewEvent) throws -> Void {
        let opened = watchedThrough.map { _ in openedAfter } ?? Int64.max, mine = decisions
        return { event in
            guard event.id > opened, !mine.contains(event.id) else { return }
            throw WorkbenchError.decidedElsewhere(event.item)
        }
    }

    /// A decision this workbench recorded: its status is what the screen now shows.
    private func record(_ event: ReviewEvent) -> SavedDecision {
        ownEvents.insert(event.id)
        if event.action == .decide { decisions.insert(event.id) }
        // A ruling changes what the item resolves to, not the adjudicator's own answer: no check then.
        shown[event.item.drugMentionID] = event.scope == .answer
            ? ReviewStatus(event.stateAfter, spans: event.spansAfter, note: event.note) : nil
        return Self.saved(event)
    }

    static func saved(_ event: ReviewEvent) -> SavedDecision {
        SavedDecision(item: event.item, state: event.stateAfter, spans: event.spansAfter, note: event.note,
                      action: event.action)
    }

    /// Scores every layer against gold on the test split (on the background worker); asked for
    /// after every decision, so requests that arrive while one runs are folded into one more run.
    /// A store error is said in the status line.
    public func refreshMetricsInBackground() {
        let store = self.store
        let mailbox = self.mailbox
        worker.request(.metrics) {
            do {
                mailbox.put(try Self.metrics(store))
            } catch {
                mailbox.put(.storeFailed("the scores: \(error)"))
            }
        }
    }

    /// Recomputes the curators' agreement on the background worker; one computation at a time
    /// (a request while one runs is folded into the next). A store error is said in the status line.
    public func refreshAgreementInBackground() {
        let store = self.store, mailbox = self.mailbox
        worker.request(.agreement) {
            do {
                let agreement = Agreement(items: try store.agreementItems())
                if !agreement.pairs.isEmpty { mailbox.put(.agreement(agreement)) }
            } catch {
                mailbox.put(.storeFailed("the agreement: \(error)"))
            }
        }
    }

    /// Strict and lenient scores per layer, and per model version for the trend.
    public static func metrics(_ store: CorpusStore) throws -> Msg {
        guard let gold = try ifPresent({ try store.layer(.gold) }) else { return .metrics(scope: "", rows: [], trend: []) }
        let test = SentenceSelection.holdoutTest
        let selection: SentenceSelection = try ifPresent({ try store.sentenceIDs(test) }) != nil ? test : .all
        let scope = selection == .all ? "all sentences" : test.description
        let goldPairs = try store.pairs(in: gold, sentences: selection)
        func score(_ layer: LayerInfo) throws -> MetricRow {
            let e = Evaluation(predicted: try store.pairs(in: layer, sentences: selection, within: gold), gold: goldPairs)
            return MetricRow(layer: layer.description, strict: e.strict, lenient: e.lenient)
        }
        var rows: [MetricRow] = []
        for ref in [LayerRef(.teacher), .curated, LayerRef(.student)] {
            if let layer = try ifPresent({ try store.layer(ref) }) { rows.append(try score(layer)) }
        }
        // The trend is of model versions, what training made: not prediction runs or imports.
        let versions = try store.modelVersions()
        let trained = Set(versions.filter { $0.origin == .trained }.map(\.id))
        let trend = try store.layers().filter { $0.kind == .student && trained.contains($0.version ?? -1) }.map(score)
        let curve = LearningCurve.curves(from: versions).first
        return .metrics(scope: scope, rows: rows, trend: trend, curve: curve)
    }
}

/// A locked list of messages handed from background threads to the main loop.
final class Mailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Msg] = []

    func put(_ msg: Msg) {
        lock.lock()
        messages.append(msg)
        lock.unlock()
    }

    func take() -> [Msg] {
        lock.lock()
        defer { lock.unlock() }
        let result = messages
        messages = []
        return result
    }
}

/// Runs background work on one long-lived thread (started at the first request, ended by
/// `stop`), one piece at a time. Each slot holds at most one waiting request: a request while
/// one of its slot waits replaces it, so a burst of decisions costs two evaluations and the
/// scores that arrive last are those of the newest corpus, never an older run finishing late.
final class Refresher: @unchecked Sendable {
    /// What a request refreshes; requests of one slot fold into one.
    enum Slot: Sendable { case metrics, agreement }

    private let condition = NSCondition()
    private var waiting: [(slot: Slot, work: @Sendable () -> Void)] = []
    private var started = false
    private var stopped = false

    func request(_ slot: Slot, _ work: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return }
        if let index = waiting.firstIndex(where: { $0.slot == slot }) {
            waiting[index].work = work
        } else {
            waiting.append((slot, work))
        }
        if !started {
            started = true
            let thread = Thread { self.loop() }
            thread.name = "vigil-workbench-refresh"
            thread.start()
        }
        condition.signal()
    }

    /// Ends the thread once the piece it runs (if any) is done; waiting requests are dropped.
    func stop() {
        condition.lock()
        stopped = true
        waiting = []
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while waiting.isEmpty, !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                return
            }
            let next = waiting.removeFirst()
            condition.unlock()
            next.work()
        }
    }
}

/// `read()`, or nil when what it reads is not in the corpus (no such layer, split or part):
/// a missing layer is a normal state of a corpus, any other store error is not, and is thrown.
func ifPresent<T>(_ read: () throws -> T) throws -> T? {
    do {
        return try read()
    } catch let error as CorpusError {
        switch error {
        case .unknownLayer, .unknownSplit, .unknownSplitPart: return nil
        default: throw error
        }
    }
}

/// Why the workbench refused an effect.
public enum WorkbenchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The decision to undo or redo was recorded by another workbench under the same name.
    case decidedElsewhere(ItemKey)

    public var description: String {
        switch self {
        case .decidedElsewhere(let item):
            return "your latest decision (\(item)) was made in another workbench open under your name: undo it there"
        }
    }
}
