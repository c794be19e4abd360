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
    /// Messages produced off the main thread (metrics), collected by `drain`.
    private let mailbox = Mailbox()
    private let metricsRefresher = Refresher()
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
            if let run = detail.teacherRun {
                ungrounded = (try? store.ungroundedProposals(sentenceID: id, teacherRun: run)) ?? []
                exchange = try? store.teacherExchange(sentenceID: id, teacherRun: run)
            }
            for drug in detail.drugs { shown[drug.mentionID] = drug.review }
            return [.sentenceLoaded(detail, ungrounded: ungrounded, exchange: exchange)]
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
                return [.disagreementBasis(Self.disagreementBasis(store)),
                        .filterLoaded(filter, try store.teacherStudentDisagreements())]
            case .ungrounded:
                guard let run = (try? store.layer(LayerRef(.teacher)))?.version else { return [.filterLoaded(filter, [])] }
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

    /// The job rows now (a poll).
    public func pollJobs() -> [Msg] {
        guard let supervisor, let rows = try? supervisor.rows() else { return [] }
        return [.jobs(rows)]
    }

    /// What the disagreement filter compares: `teacher:2 vs student:3`, or which side is missing.
    static func disagreementBasis(_ store: CorpusStore) -> String {
        let teacher = try? store.layer(LayerRef(.teacher)), student = try? store.layer(LayerRef(.student))
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
    /// model reloads their sentence.
    public func pollChanges() -> [Msg] {
        guard let after = watchedThrough,
              let (last, changes) = try? store.reviewChanges(after: after, curator: author, excluding: ownEvents)
        else { return [] }
        watchedThrough = last
        ownEvents = ownEvents.filter { $0 > last }
        var messages: [Msg] = []
        // Drug mentions another workbench added (`D`): new items, in their sentence's place.
        if let newest = try? store.lastDrugMentionID(), newest > mentionsThrough,
           let entries = try? store.queueEntries(curator: author, afterMention: mentionsThrough) {
            mentionsThrough = newest
            let others = entries.filter { !ownMentions.contains($0.item.drugMentionID) }
            if !others.isEmpty { messages.append(.mentionsAdded(others)) }
        }
        if !changes.isEmpty { messages.append(.changedElsewhere(changes)) }
        return messages
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

    /// Scores every layer against gold on the test split (off the main thread); asked for after
    /// every decision, so requests that arrive while one runs are folded into one more run.
    public func refreshMetricsInBackground() {
        let store = self.store
        let mailbox = self.mailbox
        metricsRefresher.request {
            if let msg = try? Self.metrics(store) { mailbox.put(msg) }
        }
    }

    /// Recomputes the curators' agreement off the main thread; one computation at a time
    /// (a request while one runs is folded into the next).
    public func refreshAgreementInBackground() {
        let store = self.store, mailbox = self.mailbox, flag = agreementRefresh
        guard flag.begin() else { return }
        Thread.detachNewThread {
            repeat {
                if let items = try? store.agreementItems() {
                    let agreement = Agreement(items: items)
                    if !agreement.pairs.isEmpty { mailbox.put(.agreement(agreement)) }
                }
            } while flag.finishOrRepeat()
        }
    }

    private let agreementRefresh = RefreshFlag()

    /// Strict and lenient scores per layer, and per model version for the trend.
    public static func metrics(_ store: CorpusStore) throws -> Msg {
        guard let gold = try? store.layer(.gold) else { return .metrics(scope: "", rows: [], trend: []) }
        let test = SentenceSelection.split(name: "holdout", parts: ["test"])
        let selection: SentenceSelection = (try? store.sentenceIDs(test)) != nil ? test : .all
        let scope = selection == .all ? "all sentences" : "holdout:test"
        let goldPairs = try store.pairs(in: gold, sentences: selection)
        func score(_ layer: LayerInfo) throws -> MetricRow {
            let e = Evaluation(predicted: try store.pairs(in: layer, sentences: selection, within: gold), gold: goldPairs)
            return MetricRow(layer: layer.description, strict: e.strict, lenient: e.lenient)
        }
        var rows: [MetricRow] = []
        for ref in [LayerRef(.teacher), .curated, LayerRef(.student)] {
            if let layer = try? store.layer(ref) { rows.append(try score(layer)) }
        }
        // The trend is of model versions, what training made: not prediction runs or imports.
        let versions = try store.modelVersions()
        let trained = Set(versions.filter { $0.origin == .trained }.map(\.id))
        let trend = try store.layers().filter { $0.kind == .student && trained.contains($0.version ?? -1) }.map(score)
        let curve = LearningCurve.curves(from: versions).first
        return .metrics(scope: scope, rows: rows, trend: trend, curve: curve)
    }
}

/// One background refresh at a time: `begin` while one runs asks it to run once more.
final class RefreshFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false
    private var again = false

    func begin() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if running { again = true; return false }
        running = true
        return true
    }

    func finishOrRepeat() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if again { again = false; return true }
        running = false
        return false
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

/// Runs background work one piece at a time: a request while one runs waits, replacing any
/// that waits already, so a burst of decisions costs two evaluations and the scores that arrive
/// last are those of the newest corpus, never an older run finishing late.
final class Refresher: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false
    private var next: (@Sendable () -> Void)?

    func request(_ work: @escaping @Sendable () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        next = work
        guard !running else { return }
        running = true
        Thread.detachNewThread { self.drain() }
    }

    private func drain() {
        while true {
            lock.lock()
            guard let work = next else {
                running = false
                lock.unlock()
                return
            }
            next = nil
            lock.unlock()
            work()
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
