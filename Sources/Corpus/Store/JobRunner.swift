import Foundation

/// Every kind of background job, as the `job.kind` column and `vigil <kind> --job ID` spell it.
public enum JobKind: String, CaseIterable, Hashable, Sendable, Codable {
    case teach, train, cv, predict, eval
}

/// What a job's work sees of its row: throttled progress, its log, and whether to stop.
public final class JobContext: @unchecked Sendable {
    public let id: Int64
    public let kind: JobKind
    public let store: CorpusStore
    private let stopRequested: () -> Bool
    private let minimumInterval: TimeInterval
    private var lastProgress = Date.distantPast

    init(id: Int64, kind: JobKind, store: CorpusStore, stopRequested: @escaping () -> Bool,
         minimumInterval: TimeInterval) {
        self.id = id
        self.kind = kind
        self.store = store
        self.stopRequested = stopRequested
        self.minimumInterval = minimumInterval
    }

    /// Reports progress to the row, at most once per interval (the last step always), and
    /// returns whether it was written (callers echo the same lines to stderr).
    @discardableResult
    public func progress(done: Int, total: Int?, message: String?) throws -> Bool {
        let now = Date()
        guard now.timeIntervalSince(lastProgress) >= minimumInterval || (total.map { done >= $0 } ?? false) else {
            return false
        }
        lastProgress = now
        try store.reportProgress(id, done: done, total: total, message: message)
        return true
    }

    /// Appends a line to the job's log.
    public func log(_ line: String) throws { try store.logJob(id, line) }

    /// True once a signal asked the process to stop or the row's cancel flag is set.
    public var shouldStop: Bool {
        stopRequested() || ((try? store.isCancelRequested(id)) ?? false)
    }
}

/// Thrown by a job's work that stopped on request: the row ends `cancelled`, not `failed`.
public struct JobCancelled: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// One lifecycle for every job command: adopt the queued row (`--job ID`) or create one, mark
/// it running with this process's pid, run the work, and end the row: `succeeded` with the
/// work's result as JSON, `cancelled` when the work stops on request, `failed` with the
/// error's text otherwise. The work's error is rethrown, so the command's exit status says
/// what happened.
public enum JobRunner {
    public static func run<Result: Encodable>(
        _ kind: JobKind, store: CorpusStore, adopting adopted: Int64? = nil, arguments: [String],
        stopRequested: @escaping () -> Bool = { false },
        cancellation: (Error) -> String? = { ($0 as? JobCancelled)?.reason },
        progressInterval: TimeInterval = 1,
        _ work: (JobContext) throws -> Result
    ) throws -> (job: Int64, result: Result) {
        let id = try adopted ?? store.createJob(kind: kind.rawValue, arguments: arguments)
        try store.startJob(id, pid: getpid())
        let context = JobContext(id: id, kind: kind, store: store, stopRequested: stopRequested,
                                 minimumInterval: progressInterval)
        let result: Result
        do {
            result = try work(context)
        } catch {
            if let reason = cancellation(error) {
                try? store.finishJob(id, state: .cancelled, error: reason)
            } else {
                try? store.finishJob(id, state: .failed, error: "\(error)")
            }
            throw error
        }
        try store.finishJob(id, state: .succeeded, result: try Self.json(result))
        return (id, result)
    }

    /// The result as the row stores it: sorted keys, no escaped slashes; a `String` result is
    /// taken as JSON text already.
    static func json<Result: Encodable>(_ result: Result) throws -> String {
        if let text = result as? String { return text }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(result), as: UTF8.self)
    }
}
