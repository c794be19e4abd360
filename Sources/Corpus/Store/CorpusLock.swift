import Foundation
import GRDB

/// Who has a corpus open, told by `flock` on a lock file beside it, `PATH-lock` (issue 26
/// item 2). Every `CorpusStore` holds a shared lock on it for its lifetime (workbenches, jobs,
/// commands); `vigil demo` replaces a corpus only while it holds the exclusive lock, so it never
/// deletes a file another process has open. The lock file is never removed: a process that
/// opened it must find the same file that the next one locks.
public enum CorpusLock {
    /// The lock file of the corpus at `path`.
    public static func path(for corpus: String) -> String { corpus + "-lock" }

    /// Takes the shared lock (waiting while a `vigil demo` replaces the file, which takes
    /// milliseconds); returns the descriptor that holds it, or -1 when the lock file cannot be
    /// opened (a read-only folder, where nobody can remove the corpus either).
    static func shared(_ corpus: String) -> Int32 {
        let lockPath = path(for: corpus)
        var fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { fd = open(lockPath, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return -1 }
        while flock(fd, LOCK_SH) != 0, errno == EINTR {}
        return fd
    }
}

/// The exclusive lock on a corpus: while it lives, no `CorpusStore` in any process (this one
/// included) has the corpus open, and none can open it.
public final class ExclusiveCorpusLock {
    private let descriptor: Int32

    /// Takes the lock without waiting; nil when the corpus is open somewhere.
    public init?(corpus: String) throws {
        let lockPath = CorpusLock.path(for: corpus)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CorpusError.cannotOpen(path: lockPath, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}

extension CorpusStore {
    /// The review events (decisions, undos, redos) in the corpus file at `path`, read without
    /// opening a store, so without taking the shared lock: `vigil demo` counts them while it
    /// holds the exclusive one.
    public static func reviewEventCount(atPath path: String) throws -> Int {
        var config = Configuration()
        config.readonly = true
        do {
            return try DatabaseQueue(path: path, configuration: config).read { db in
                guard try db.tableExists("review_event") else { return 0 }
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM review_event") ?? 0
            }
        } catch {
            throw CorpusError.cannotOpen(path: path, reason: "\(error)")
        }
    }
}
