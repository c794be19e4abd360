import Core
import Corpus
import Foundation
import TerminalUI

/// The layer the sentence view shows. `working` is the curator's draft.
public enum ViewLayer: String, CaseIterable, Hashable, Sendable {
    case working, teacher, curated, student, gold, diff
}

/// The spans a curator is working on for one drug of the current sentence.
public struct Draft: Hashable, Sendable {
    public var spans: [Span]
    /// Spans the curator marked as checked (`a`).
    public var checked: Set<Span> = []
    /// True once edited since it was loaded or saved.
    public var edited = false
    public init(spans: [Span]) { self.spans = spans.sorted() }
}

/// What the keyboard is doing.
public enum Mode: Hashable, Sendable {
    case normal
    /// Selecting words from `anchor` to the caret: a new span, or a new drug mention.
    case visual(anchor: Int, purpose: VisualPurpose)
    case prompt(Prompt, text: String)
    case help
    case raw
    /// One job's details (`J`, `:job ID`): its command line, whole error, log and error output.
    case jobDetail
    /// A question the curator answers before the workbench goes on (see `Confirmation`).
    case confirm(Confirmation)
}

/// What a `.confirm` mode asks about.
public enum Confirmation: Hashable, Sendable {
    /// Leaving the sentence (for the item at this index of `visible`) would drop unsaved span edits:
    /// save them, discard them, or stay.
    case leave(to: Int)
    /// Quitting: jobs are still running (they go on), or span edits are unsaved.
    case quit(runningJobs: [Int64], unsavedEdits: Bool)
    /// `X`: cancel this running job?
    case cancelJob(Int64)
}

public enum VisualPurpose: Hashable, Sendable { case span, drug }
public enum Prompt: String, Hashable, Sendable { case jump, search, flag, command }

/// The workbench state: a value. `update` changes it; `render` draws it.
public struct WorkbenchModel: Sendable {
    public var width = 80
    public var height = 24
    public var keymap: Keymap
    public var author: String
    public var mode: Mode = .normal

    // Queue
    public var queue: [QueueEntry]
    /// Queue indices that pass the filter, in order.
    public var visible: [Int] = []
    /// Index into `visible`.
    public var cursor = 0
    public var filter: QueueFilter = .all
    public var filterSets: [QueueFilter: Set<Int64>] = [:]
    /// Items on which the latest teacher and student layers disagree come first (`:sort`).
    public var sortByDisagreement = false
    /// What the disagreements filter compares (`teacher:2 vs student:3, items both labelled`),
    /// shown beside its count; empty until its set is loaded.
    public var disagreementBasis = ""
    /// `:sort disagreement` waits for the set, then opens the first disagreement.
    var sortJumpPending = false
    var positionOfMention: [Int64: Int] = [:]

    // The current sentence
    public var detail: SentenceDetail?
    public var drafts: [Int64: Draft] = [:]
    public var focusedSpan: Int?
    /// Scalar offset of the caret in the sentence.
    public var caret = 0
    public var layer: ViewLayer = .working
    public var ungrounded: [UngroundedProposal] = []
    public var exchange: TeacherExchange?
    /// Items with a decision sent to the database and not yet confirmed.
    public var saving: Set<Int64> = []
    /// Span edits of this sentence, newest last: the drafts each edit changed, as they were
    /// before it (`u` during an edit restores the last one).
    public var editUndo: [[Int64: Draft]] = []
    /// A curator's spans of a decision refused because the item changed underneath: they come
    /// back as an unsaved edit when its sentence is loaded again.
    public var restoreDrafts: [Int64: [Span]] = [:]
    /// The review log's newest event when the queue was loaded: the runner reports others'
    /// decisions after it.
    public var reviewVersion: Int64 = 0
    /// The newest drug mention when the queue was loaded: mentions added later are new items.
    public var mentionVersion: Int64 = 0

    // Team
    /// The disputed items of an adjudicator's queue, by drug mention, with every curator's
    /// answer; empty for a curator (their queue is their own work).
    public var disputes: [Int64: Dispute] = [:]
    /// Agreement between the curators, for the side panel (nil until computed, or one curator).
    public var agreement: Agreement?
    /// More than one curator works on this corpus: agreement is worth refreshing.
    public var team = false

    // Status and panels
    public var message: String?
    public var messageIsError = false
    public var jobs: [JobRow] = []
    public var metricsScope = ""
    public var metrics: [MetricRow] = []
    public var trend: [MetricRow] = []
    /// The newest learning curve of the model versions (`vigil train --fraction`), if any.
    public var curve: LearningCurve?
    public var themeName: String
    /// The corpus file's name, shown in the header.
    public var corpusName = ""
    public var lastSearch = ""
    public var helpScroll = 0
    /// The job the details view shows (`J`, `:job ID`), and how far it is scrolled.
    public var jobDetail: JobDetail?
    public var jobDetailScroll = 0

    // Clock and progress (the clock arrives as messages; update never reads it)
    public var now: Date
    public var sessionStart: Date
    public var itemOpenedAt: Date
    public var decisionsThisSession = 0

    public init(queue: [QueueEntry], keymap: Keymap = .standard, author: String, themeName: String, now: Date) {
        self.queue = queue
        self.keymap = keymap
        self.author = author
        self.themeName = themeName
        self.now = now
        sessionStart = now
        itemOpenedAt = now
        for (i, entry) in queue.enumerated() { positionOfMention[entry.item.drugMentionID] = i }
        visible = Array(queue.indices)
    }

    /// The queue entry under the cursor.
    public var current: QueueEntry? {
        guard cursor >= 0, cursor < visible.count else { return nil }
        return queue[visible[cursor]]
    }

    /// The current drug in `detail`, when loaded.
    public var currentDrugIndex: Int? {
        guard let current, let detail, detail.id == current.item.sentenceID else { return nil }
        return detail.drugs.firstIndex { $0.mentionID == current.item.drugMentionID }
    }

    /// The draft of the current item.
    public var currentDraft: Draft? {
        current.flatMap { drafts[$0.item.drugMentionID] }
    }

    /// Drafts of the loaded sentence with span edits that are neither saved nor being saved.
    public var unsavedEdits: [Int64] {
        drafts.filter { $0.value.edited && !saving.contains($0.key) }.map(\.key).sorted()
    }

    /// Items decided (accepted or no ADE) out of all.
    public var doneCount: Int { queue.reduce(0) { $0 + ($1.state.isDecided ? 1 : 0) } }

    /// Decisions per hour in this session.
    public var itemsPerHour: Double {
        let hours = now.timeIntervalSince(sessionStart) / 3600
        return hours > 1.0 / 360 ? Double(decisionsThisSession) / hours : 0
    }

    /// The spans the view shows for a drug in `layer` (the draft in working and diff views).
    public func shownSpans(_ mentionID: Int64, layer: ViewLayer? = nil) -> [Span] {
        switch layer ?? self.layer {
        case .working, .diff: return drafts[mentionID]?.spans ?? []
        case .teacher: return detail?.spans[.teacher]?[mentionID] ?? []
        case .curated: return detail?.spans[.curated]?[mentionID] ?? []
        case .student: return detail?.spans[.student]?[mentionID] ?? []
        case .gold: return detail?.spans[.gold]?[mentionID] ?? []
        }
    }

    /// The dispute of the current item, when adjudicating.
    public var currentDispute: Dispute? {
        current.flatMap { disputes[$0.item.drugMentionID] }
    }

    /// The starting draft for a drug: its saved decision, else the teacher's (or the
    /// student's) proposal.
    static func initialDraft(_ drug: SentenceDetail.Drug, _ detail: SentenceDetail) -> Draft {
        switch drug.review.state {
        case .accepted: return Draft(spans: drug.review.spans)
        case .noADE: return Draft(spans: [])
        default:
            if let teacher = detail.spans[.teacher], detail.answered[.teacher]?.contains(drug.mentionID) == true
                || teacher[drug.mentionID] != nil {
                return Draft(spans: teacher[drug.mentionID] ?? [])
            }
            return Draft(spans: detail.spans[.student]?[drug.mentionID] ?? [])
        }
    }
}
