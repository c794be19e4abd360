import Core
import Corpus
import Foundation
import TerminalUI

/// The queue filters, in the order `f` cycles through them.
public enum QueueFilter: String, CaseIterable, Hashable, Sendable {
    case all, pending, accepted, noADE = "no-ade", flagged, disagreements, ungrounded

    /// True for filters that need a set computed by the runner (not the review state).
    public var needsSet: Bool { self == .disagreements || self == .ungrounded }

    public func admits(_ state: ReviewState) -> Bool {
        switch self {
        case .all, .disagreements, .ungrounded: true
        case .pending: state == .pending || state == .skipped
        case .accepted: state == .accepted
        case .noADE: state == .noADE
        case .flagged: state == .flagged
        }
    }
}


/// A job as the side panel shows it.
public struct JobRow: Hashable, Sendable {
    public var job: Job
    /// Running, but its process is gone.
    public var isLost: Bool
    public var log: [String]
    public init(job: Job, isLost: Bool, log: [String]) {
        self.job = job
        self.isLost = isLost
        self.log = log
    }
    public var stateLabel: String { isLost ? "lost" : job.state.rawValue }
    public var isActive: Bool { !isLost && !job.state.isFinished }
}

/// Everything the workbench can show about one job: a failed job's error is never cut here.
public struct JobDetail: Hashable, Sendable {
    public var job: Job
    /// The job's log, oldest first (its final error is the last line).
    public var log: [String]
    /// What the job's process wrote to its error output (`.vigil-jobs/job-ID.stderr`), if anything.
    public var output: String?
    public var outputPath: String
    public init(job: Job, log: [String], output: String?, outputPath: String) {
        self.job = job
        self.log = log
        self.output = output
        self.outputPath = outputPath
    }
}

/// One layer's scores against gold.
public struct MetricRow: Hashable, Sendable {
    public var layer: String
    public var strict: Score
    public var lenient: Score
    public init(layer: String, strict: Score, lenient: Score) {
        self.layer = layer
        self.strict = strict
        self.lenient = lenient
    }
}

/// A decision's outcome as the database recorded it.
public struct SavedDecision: Hashable, Sendable {
    public var item: ItemKey
    public var state: ReviewState
    public var spans: [Span]
    public var note: String?
    public var action: ReviewEvent.Action
    public init(item: ItemKey, state: ReviewState, spans: [Span], note: String?, action: ReviewEvent.Action) {
        self.item = item
        self.state = state
        self.spans = spans
        self.note = note
        self.action = action
    }
}

/// Everything that can happen to the workbench.
public enum Msg: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(Date)
    case sentenceLoaded(SentenceDetail, ungrounded: [UngroundedProposal], exchange: TeacherExchange?)
    case saved(SavedDecision)
    case failed(String)
    /// A read of the corpus outside a curator's action failed (the scores, the agreement, a
    /// poll, a sentence's teacher evidence): said in the status line as an error, nothing else changes.
    case storeFailed(String)
    case filterLoaded(QueueFilter, Set<Int64>)
    /// What the disagreement filter compares (the latest teacher and student layers).
    case disagreementBasis(String)
    case searchResult(query: String, sentences: [Int64])
    case drugAdded(QueueEntry)
    case jobs([JobRow])
    case metrics(scope: String, rows: [MetricRow], trend: [MetricRow], curve: LearningCurve? = nil)
    case themeChanged(String)
    case agreement(Agreement)
    case info(String)
    case jobDetail(JobDetail)
    /// Another process added these drug mentions (new items) since the last poll.
    case mentionsAdded([QueueEntry])
    /// Another process decided these items since the last poll (as this curator sees them).
    case changedElsewhere([ReviewChange])
    /// A decision refused because the item changed since it was shown (`reason` says how);
    /// `spans` are the curator's, kept as an unsaved edit when the item is shown again.
    case changedUnderneath(ItemKey, spans: [Span], reason: String)
}

/// What `update` asks the runner to do: values, so tests assert on them.
public enum Effect: Hashable, Sendable {
    case loadSentence(Int64)
    case decide(ItemKey, ReviewState, [Span], note: String?, elapsedMilliseconds: Int?)
    /// An adjudicator's ruling on a disputed item, from these curators' answers (none: drafted).
    case adjudicate(ItemKey, ReviewState, [Span], sources: [String])
    /// Recompute the team's agreement for the side panel (off the main thread).
    case refreshAgreement
    case undo
    case redo
    case loadFilter(QueueFilter)
    case search(String)
    case addDrugMention(sentenceID: Int64, span: Span)
    /// A background job, with options added to its command line (`:train --epochs 10`).
    case startJob(JobKind, arguments: [String] = [])
    case cancelJob(Int64)
    /// Read one job's details for the details view.
    case loadJobDetail(Int64)
    case refreshMetrics
    case setTheme(String)
    case quit
}
