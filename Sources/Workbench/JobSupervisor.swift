import Corpus
import Foundation

/// Starts, watches and cancels background `vigil` processes that report through the
/// `jobs` table. Processes are detached (their own session), so they outlive the TUI.
public final class JobSupervisor {
    public let store: CorpusStore
    /// The `vigil` executable to start.
    public let executable: String
    /// Children this process started: pid → (job id, file with the child's stderr).
    private var children: [Int32: (job: Int64, stderr: String)] = [:]

    public init(store: CorpusStore, executable: String) {
        self.store = store
        self.executable = executable
    }

    /// The arguments after `vigil <kind> --job ID --db PATH`.
    public static func arguments(for kind: JobKind, store: CorpusStore) -> [String] {
        switch kind {
        case .teach: return ["--pending"]
        case .train, .predict: return []
        case .cv: return ["--split", "spert"]
        case .eval:
            let test = SentenceSelection.holdoutTest
            let hasTest = (try? store.sentenceIDs(test)) != nil
            return ["--pred", "teacher", "--gold", "gold"] + (hasTest ? ["--split", test.description] : [])
        }
    }

    /// Queues a job row and starts its process; refuses when one of the kind is active.
    /// `arguments` follow the defaults of `arguments(for:store:)`; the job's own option parsing
    /// judges them (the last of a repeated option wins), and a bad one fails the job with its message.
    @discardableResult
    public func start(_ kind: JobKind, arguments: [String] = []) throws -> Int64 {
        if let active = try rows().first(where: { $0.job.kind == kind.rawValue && $0.isActive }) {
            throw JobStartError.alreadyRunning(kind: kind.rawValue, id: active.job.id)
        }
        let extra = Self.arguments(for: kind, store: store) + arguments
        let id = try store.createJob(kind: kind.rawValue, arguments: extra)
        try? FileManager.default.createDirectory(atPath: store.jobOutputDirectory, withIntermediateDirectories: true)
        let stderrPath = store.jobOutputPath(id)
        let argv = [executable, kind.rawValue, "--job", String(id), "--db", store.path] + extra
        do {
            let pid = try Self.spawnDetached(argv, stderrPath: stderrPath)
            children[pid] = (id, stderrPath)
        } catch {
            try? store.finishJob(id, state: .failed, error: "\(error)")
            throw error
        }
        return id
    }

    /// Asks a job to stop: the flag in its row, then SIGTERM to its process.
    public func cancel(_ id: Int64) throws {
        let job = try store.job(id)
        guard !job.state.isFinished else { throw JobStartError.notRunning(id: id) }
        try store.requestCancel(id)
        if let pid = job.pid, pid > 0 { kill(pid, SIGTERM) }
        if job.state == .queued, job.pid == nil {
            try store.finishJob(id, state: .cancelled, error: "cancelled before it started")
        }
    }

    /// The jobs for the panel (newest first), after reaping children: a child that exited
    /// without finishing its row fails it with the child's own error output, and a running
    /// job whose process is gone is marked lost in the store.
    public func rows(limit: Int = 8, now: Date = Date()) throws -> [JobRow] {
        reap()
        failStaleQueuedJobs(now: now)
        try store.markLostJobs(now: now)
        return try store.jobs(limit: limit).map { job in
            let log = (try? store.jobLog(job.id, last: 2)) ?? []
            return JobRow(job: job, isLost: job.state == .lost, log: log)
        }
    }

    /// A workbench-started row still queued long after its process was started (by a
    /// workbench that has quit since) never got adopted: fail it with the process's error
    /// output so it does not block its kind forever.
    private func failStaleQueuedJobs(now: Date) {
        let ours = Set(children.values.map(\.job))
        guard let queued = try? store.jobs(limit: 50).filter({ $0.state == .queued && $0.pid == nil }) else { return }
        for job in queued where !ours.contains(job.id) && now.timeIntervalSince(job.createdAt) > 30 {
            let path = store.jobOutputPath(job.id)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let output = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            try? store.finishJob(job.id, state: .failed, error: Self.errorText(output) ?? "the process never adopted the job")
        }
    }

    /// The error a job's process left in its error output: from the argument parser's `Error:`
    /// line to just before its usage text (the usage's last line is no error), else the last
    /// three lines; nil when it wrote nothing.
    static func errorText(_ output: String) -> String? {
        let lines = output.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        if let start = lines.lastIndex(where: { $0.hasPrefix("Error: ") }) {
            let rest = lines[start...].prefix { !$0.hasPrefix("Usage: ") && !$0.hasPrefix("USAGE: ") && !$0.hasPrefix("  See '") }
            return rest.joined(separator: " ")
        }
        return lines.isEmpty ? nil : lines.suffix(3).joined(separator: " ")
    }

    /// Where job processes' error output goes: `.vigil-jobs/` beside the corpus file.
    var logDirectory: String { store.jobOutputDirectory }

    private func reap() {
        for (pid, child) in children {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            guard result == pid || (result == -1 && errno == ECHILD) else { continue }
            children[pid] = nil
            guard let job = try? store.job(child.job), !job.state.isFinished else { continue }
            let output = (try? String(contentsOfFile: child.stderr, encoding: .utf8)) ?? ""
            try? store.finishJob(child.job, state: job.cancelRequested ? .cancelled : .failed,
                                 error: Self.errorText(output) ?? "the process exited (status \(status)) without finishing the job")
        }
    }

    /// Starts `argv` in a new session with stdin/stdout on /dev/null and stderr in a file.
    static func spawnDetached(_ argv: [String], stderrPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID))
        var cArgs = argv.map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
        guard rc == 0 else { throw JobStartError.spawnFailed(executable: argv[0], code: rc) }
        return pid
    }
}

#if os(Linux)
/// glibc's POSIX_SPAWN_SETSID (only visible to C with _GNU_SOURCE).
private let spawnSetSID: Int32 = 0x80
#else
private let spawnSetSID = Int32(POSIX_SPAWN_SETSID)
#endif

/// Why a job could not be started or cancelled.
public enum JobStartError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyRunning(kind: String, id: Int64)
    case notRunning(id: Int64)
    case spawnFailed(executable: String, code: Int32)

    public var description: String {
        switch self {
        case let .alreadyRunning(kind, id): "a \(kind) job is already running (job \(id))"
        case let .notRunning(id): "job \(id) is not running"
        case let .spawnFailed(executable, code): "cannot start \(executable): \(String(cString: strerror(code)))"
        }
    }
}
