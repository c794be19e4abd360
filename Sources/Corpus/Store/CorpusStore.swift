import Foundation
import Core
import GRDB

/// The Vigil corpus: one SQLite file (WAL, foreign keys on) that the workbench, the
/// command line and background jobs read and write at the same time.
public final class CorpusStore: Sendable {
    /// The underlying pool; exposed for tests and for modules that add their own queries.
    public let pool: DatabasePool
    /// Where the database lives.
    public let path: String
    /// Holds the shared lock on `CorpusLock.path(for: path)` while the store lives (-1: none).
    private let lockDescriptor: Int32

    /// Opens the corpus at `path` and brings its schema up to date. Only commands that make
    /// corpora (`import`, `demo`) pass `create: true`: for every other one a missing file is
    /// `CorpusError.noCorpus`, so a mistyped `--db` never becomes an empty corpus.
    public init(path: String, create: Bool = false) throws {
        guard create || FileManager.default.fileExists(atPath: path) else { throw CorpusError.noCorpus(path: path) }
        self.path = path
        lockDescriptor = CorpusLock.shared(path)
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Other processes (jobs, a second TUI) write the same file: wait for them.
        config.busyMode = .timeout(30)
        config.label = "vigil"
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            if lockDescriptor >= 0 { close(lockDescriptor) }  // deinit does not run for a half-made store
            throw CorpusError.cannotOpen(path: path, reason: "\(error)")
        }
        try Schema.migrator.migrate(pool)
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    /// The migrations this file has applied, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Schema.migrator.appliedMigrations(db) }
    }
}

/// Errors of the corpus store, each naming what it was about.
public enum CorpusError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// No corpus file at this path (and the command does not create one).
    case noCorpus(path: String)
    case unknownLayer(String)
    case unknownSplit(String)
    case unknownSplitPart(split: String, part: String)
    case splitExists(String)
    case invalidSplit(String)
    case unknownItem(sentenceID: Int64, drugMentionID: Int64)
    case invalidSpan(sentenceID: Int64, span: Span, reason: String)
    case unknownJob(Int64)
    /// Another job is working on this teacher run.
    case teacherRunBusy(run: Int64, job: Int64, pid: Int32?, host: String?)
    case nothingToUndo(author: String)
    case nothingToRedo(author: String)
    case unknownCurator(String)
    case notAdjudicator(String)
    case notDisputed(ItemKey)
    case notAssigned(ItemKey, curator: String)
    case invalidReview(String)
    /// A decision made on a screen that showed another status than the item has now.
    case changedSinceShown(ItemKey, now: ReviewState, by: String?)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open the corpus: \(reason)"
        case let .noCorpus(path):
            return "\(path): no corpus there (check --db / $VIGIL_DB; `vigil import …` or `vigil demo` creates one)"
        case let .unknownLayer(s): return "layer '\(s)' does not exist in this corpus"
        case let .unknownSplit(s): return "split '\(s)' does not exist (see `vigil stats` for the splits)"
        case let .unknownSplitPart(split, part): return "split '\(split)' has no part '\(part)'"
        case let .splitExists(s): return "split '\(s)' already exists (pass --replace to rebuild it)"
        case let .invalidSplit(s): return s
        case let .unknownItem(s, d): return "sentence \(s) has no drug mention \(d)"
        case let .invalidSpan(s, span, reason): return "sentence \(s): span \(span): \(reason)"
        case let .unknownJob(id): return "job \(id) does not exist"
        case let .teacherRunBusy(run, job, pid, host):
            let process = pid.map { " (pid \($0)\(host.map { " on \($0)" } ?? ""))" } ?? ""
            return "teacher run \(run) is already being worked on by job \(job)\(process): one run, one active job; wait for it, or stop it with `kill \(pid.map(String.init) ?? "PID")` and resume"
        case let .nothingToUndo(author): return "nothing to undo for \(author)"
        case let .nothingToRedo(author): return "nothing to redo for \(author)"
        case let .unknownCurator(name):
            return name.isEmpty ? "no curator name given (--as NAME or $VIGIL_CURATOR)"
                : "'\(name)' is not a curator of this corpus (see `vigil curators`; add one with `vigil curators add \(name)`)"
        case let .notAdjudicator(name):
            return "\(name) is not an adjudicator (`vigil curators set \(name) --role adjudicator` makes them one)"
        case let .notDisputed(item):
            return "item \(item) is not disputed: its curators agree, or fewer than two have decided it; nothing to adjudicate"
        case let .notAssigned(item, curator):
            return "item \(item) is assigned to other curators, not to \(curator); nothing was recorded"
        case let .invalidReview(message): return message
        case let .changedSinceShown(item, now, by):
            return "\(item) changed since it was shown: now \(now.rawValue)" + (by.map { " (by \($0))" } ?? "")
        }
    }
}
