#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB

/// How a job's process is judged alive: by its pid on its own host, by its heartbeat elsewhere.
public enum JobLiveness {
    /// A job on another host (or an old row without one) that has not reported for this long is lost.
    public static let heartbeatLimit: TimeInterval = 15 * 60

    /// This machine's host name, recorded with each job it runs.
    public static let currentHost: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(cString: buffer)
        return name.isEmpty ? "localhost" : name
    }()

    /// True while a process with this pid exists on this host (a zombie counts until reaped).
    public static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Why a running job is lost, or nil while it may still be running.
    static func lostReason(_ job: Job, now: Date, heartbeatLimit: TimeInterval,
                           isAlive: (Int32) -> Bool = processExists) -> String? {
        guard job.state == .running else { return nil }
        if job.host == currentHost, let pid = job.pid {
            return isAlive(pid) ? nil : "its process (pid \(pid) on \(currentHost)) is gone"
        }
        let last = job.heartbeatAt ?? job.startedAt ?? job.createdAt
        guard now.timeIntervalSince(last) > heartbeatLimit else { return nil }
        let minutes = Int(now.timeIntervalSince(last) / 60)
        return "no heartbeat for \(minutes) min from pid \(job.pid.map(String.init) ?? "?") on \(job.host ?? "an unknown host")"
    }
}

extension CorpusStore {
    /// Marks running jobs whose process is gone as `lost`: on this host when their pid no longer
    /// exists, elsewhere when their heartbeat is older than `heartbeatLimit`. A lost teach job
    /// says how to resume its run. Returns the jobs it marked.
    @discardableResult
    public func markLostJobs(now: Date = Date(), heartbeatLimit: TimeInterval = JobLiveness.heartbeatLimit) throws -> [Job] {
        try pool.write { db in
            var marked: [Job] = []
            for row in try Row.fetchAll(db, sql: "SELECT * FROM job WHERE state = 'running'") {
                var job = Self.job(from: row)
                guard let reason = JobLiveness.lostReason(job, now: now, heartbeatLimit: heartbeatLimit) else { continue }
                var error = "lost: \(reason) without finishing the job"
                if job.kind == "teach" {
                    error += job.teacherRunID.map { "; teacher run \($0) is resumable: vigil teach --resume --run \($0)" }
                        ?? "; resumable with vigil teach --resume"
                }
                try db.execute(sql: "UPDATE job SET state = 'lost', error = ?, finished_at = ? WHERE id = ? AND state = 'running'",
                               arguments: [error, now, job.id])
                try Self.logJob(job.id, error, db)
                job.state = .lost
                job.error = error
                marked.append(job)
            }
            return marked
        }
    }

    /// Claims teacher run `run` for job `job`: one run, one active job. Refused, naming the job
    /// that holds it, while another queued or running job works on the run (lost ones are
    /// marked first, so a killed run can be resumed).
    public func claimTeacherRun(_ run: Int64, job: Int64) throws {
        try markLostJobs()
        try pool.write { db in
            if let row = try Row.fetchOne(db, sql: """
                SELECT * FROM job WHERE teacher_run_id = ? AND id <> ? AND state IN ('queued', 'running') LIMIT 1
                """, arguments: [run, job]) {
                let holder = Self.job(from: row)
                throw CorpusError.teacherRunBusy(run: run, job: holder.id, pid: holder.pid, host: holder.host)
            }
            try db.execute(sql: "UPDATE job SET teacher_run_id = ? WHERE id = ?", arguments: [run, job])
            if db.changesCount == 0 { throw CorpusError.unknownJob(job) }
        }
    }

    /// The file that holds the error output of a job the workbench started:
    /// `.vigil-jobs/job-ID.stderr` beside the corpus file.
    public func jobOutputPath(_ id: Int64) -> String {
        jobOutputDirectory + "/job-\(id).stderr"
    }

    /// `.vigil-jobs/` beside the corpus file.
    public var jobOutputDirectory: String { (path as NSString).deletingLastPathComponent + "/.vigil-jobs" }
}
