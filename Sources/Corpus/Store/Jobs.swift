import Core
import Foundation
import GRDB

/// A background job as the `job` table records it.
public struct Job: Hashable, Sendable {
    public enum State: String, Sendable, CaseIterable {
        /// `lost`: the process went away (killed, crashed, its machine gone) without finishing the row.
        case queued, running, succeeded, failed, cancelled, lost
        public var isFinished: Bool { self != .queued && self != .running }
    }
    public var id: Int64
    public var kind: String
    public var state: State
    public var arguments: [String]
    public var done: Int
    public var total: Int?
    public var message: String?
    public var pid: Int32?
    public var cancelRequested: Bool
    public var createdAt: Date
    public var startedAt: Date?
    public var heartbeatAt: Date?
    public var finishedAt: Date?
    /// A JSON document the job leaves behind (metrics, a model version id…).
    public var result: String?
    public var error: String?
    /// The host the job's process runs on (its pid means something only there).
    public var host: String?
    /// The teacher run a teach job works on, once it has claimed it.
    public var teacherRunID: Int64?

    /// done / total in [0, 1], when the total is known.
    public var progress: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(done) / Double(total))
    }
}

extension CorpusStore {
    /// Queues a job of `kind` (e.g. `teach`, `train`, `eval`) with its command-line arguments
    /// (credentials in URLs are redacted before they are stored).
    public func createJob(kind: String, arguments: [String] = []) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO job(kind, state, args, created_at) VALUES (?, 'queued', ?, ?)",
                           arguments: [kind, try JSONText.encode(arguments.map(Redaction.redact)), Date()])
            return db.lastInsertedRowID
        }
    }

    /// Marks a job running in process `pid` on this host, after marking the jobs whose
    /// process is gone as lost (so a dead job never blocks a new one).
    public func startJob(_ id: Int64, pid: Int32) throws {
        try markLostJobs()
        try updateJobRow(id, sql: "state = 'running', pid = ?, host = ?, started_at = ?, heartbeat_at = ?",
                         arguments: [pid, JobLiveness.currentHost, Date(), Date()])
    }

    /// Reports progress; also serves as the job's heartbeat.
    public func reportProgress(_ id: Int64, done: Int, total: Int?, message: String?) throws {
        try updateJobRow(id, sql: "done = ?, total = ?, message = ?, heartbeat_at = ?",
                         arguments: [done, total, message.map(Redaction.redact), Date()])
    }

    /// Appends a line to the job's log (credentials in URLs redacted).
    public func logJob(_ id: Int64, _ line: String) throws {
        try pool.write { db in try Self.logJob(id, line, db) }
    }

    static func logJob(_ id: Int64, _ line: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO job_log(job_id, at, line) VALUES (?, ?, ?)",
                       arguments: [id, Date(), Redaction.redact(line)])
    }

    /// Ends a job with its final state, result document and error message (credentials in URLs
    /// redacted); the error also goes into the job's log, so `vigil jobs --log` shows it.
    public func finishJob(_ id: Int64, state: Job.State, result: String? = nil, error: String? = nil) throws {
        precondition(state.isFinished, "finishJob needs a final state")
        let error = error.map(Redaction.redact)
        try pool.write { db in
            try db.execute(sql: "UPDATE job SET state = ?, result = ?, error = ?, finished_at = ? WHERE id = ?",
                           arguments: [state.rawValue, result.map(Redaction.redact), error, Date(), id])
            if db.changesCount == 0 { throw CorpusError.unknownJob(id) }
            if let error { try Self.logJob(id, "\(state.rawValue): \(error)", db) }
        }
    }

    /// Asks a job to stop: it checks this flag between steps (the TUI also sends SIGTERM).
    public func requestCancel(_ id: Int64) throws {
        try updateJobRow(id, sql: "cancel_requested = 1", arguments: [])
    }

    public func isCancelRequested(_ id: Int64) throws -> Bool {
        try pool.read { db in
            guard let flag = try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM job WHERE id = ?", arguments: [id])
            else { throw CorpusError.unknownJob(id) }
            return flag
        }
    }

    /// Jobs, newest first.
    public func jobs(limit: Int = 50) throws -> [Job] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM job ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.job(from:))
        }
    }

    public func job(_ id: Int64) throws -> Job {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]) else {
                throw CorpusError.unknownJob(id)
            }
            return Self.job(from: row)
        }
    }

    /// The last `count` log lines of a job, oldest first.
    public func jobLog(_ id: Int64, last count: Int = 20) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT line FROM (SELECT id, line FROM job_log WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id
                """, arguments: [id, count])
        }
    }

    private func updateJobRow(_ id: Int64, sql: String, arguments: StatementArguments) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE job SET \(sql) WHERE id = ?", arguments: arguments + [id])
            if db.changesCount == 0 { throw CorpusError.unknownJob(id) }
        }
    }

    static func job(from row: Row) -> Job {
        let args: String = row["args"]
        return Job(
            id: row["id"], kind: row["kind"], state: Job.State(rawValue: row["state"]) ?? .failed,
            arguments: (try? JSONText.decode([String].self, args)) ?? [],
            done: row["done"], total: row["total"], message: row["message"], pid: row["pid"],
            cancelRequested: row["cancel_requested"], createdAt: row["created_at"], startedAt: row["started_at"],
            heartbeatAt: row["heartbeat_at"], finishedAt: row["finished_at"], result: row["result"], error: row["error"],
            host: row["host"], teacherRunID: row["teacher_run_id"])
    }
}
