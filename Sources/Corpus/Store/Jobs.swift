import Foundation
import GRDB

/// A background job as the `job` table records it.
public struct Job: Hashable, Sendable {
    public enum State: String, Sendable, CaseIterable {
        case queued, running, succeeded, failed, cancelled
        public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
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

    /// done / total in [0, 1], when the total is known.
    public var progress: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(done) / Double(total))
    }
}

extension CorpusStore {
    /// Queues a job of `kind` (e.g. `teach`, `train`, `eval`) with its command-line arguments.
    public func createJob(kind: String, arguments: [String] = []) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO job(kind, state, args, created_at) VALUES (?, 'queued', ?, ?)",
                           arguments: [kind, try JSONText.encode(arguments), Date()])
            return db.lastInsertedRowID
        }
    }

    /// Marks a job running in process `pid`.
    public func startJob(_ id: Int64, pid: Int32) throws {
        try updateJobRow(id, sql: "state = 'running', pid = ?, started_at = ?, heartbeat_at = ?",
                         arguments: [pid, Date(), Date()])
    }

    /// Reports progress; also serves as the job's heartbeat.
    public func reportProgress(_ id: Int64, done: Int, total: Int?, message: String?) throws {
        try updateJobRow(id, sql: "done = ?, total = ?, message = ?, heartbeat_at = ?",
                         arguments: [done, total, message, Date()])
    }

    /// Appends a line to the job's log.
    public func logJob(_ id: Int64, _ line: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO job_log(job_id, at, line) VALUES (?, ?, ?)", arguments: [id, Date(), line])
        }
    }

    /// Ends a job with its final state, result document and error message.
    public func finishJob(_ id: Int64, state: Job.State, result: String? = nil, error: String? = nil) throws {
        precondition(state.isFinished, "finishJob needs a final state")
        try updateJobRow(id, sql: "state = ?, result = ?, error = ?, finished_at = ?",
                         arguments: [state.rawValue, result, error, Date()])
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

    private static func job(from row: Row) -> Job {
        let args: String = row["args"]
        return Job(
            id: row["id"], kind: row["kind"], state: Job.State(rawValue: row["state"]) ?? .failed,
            arguments: (try? JSONText.decode([String].self, args)) ?? [],
            done: row["done"], total: row["total"], message: row["message"], pid: row["pid"],
            cancelRequested: row["cancel_requested"], createdAt: row["created_at"], startedAt: row["started_at"],
            heartbeatAt: row["heartbeat_at"], finishedAt: row["finished_at"], result: row["result"], error: row["error"])
    }
}
