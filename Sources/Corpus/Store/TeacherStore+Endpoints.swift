import Core
import Foundation
import GRDB

/// One endpoint a teacher run has sent requests to.
public struct TeacherRunEndpoint: Hashable, Sendable {
    /// `KIND URL`, as the run records it (never credentials).
    public var endpoint: String
    public var kind: String?
    /// The base URL the endpoint was reached by (without credentials).
    public var baseURL: String?
    public var firstUsedAt: Date
    public var lastUsedAt: Date
}

extension CorpusStore {
    /// Records that run `run` sends requests to `endpoint` now (credentials redacted): a new
    /// endpoint is added to the run's list, a known one has its last use updated.
    public func recordTeacherRunEndpoint(run: Int64, endpoint: String, kind: String?, baseURL: String?) throws {
        let now = Date()
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO teacher_run_endpoint(teacher_run_id, endpoint, kind, base_url, first_used_at, last_used_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (teacher_run_id, endpoint) DO UPDATE SET last_used_at = excluded.last_used_at,
                    kind = excluded.kind, base_url = excluded.base_url
                """, arguments: [run, Redaction.redact(endpoint), kind, baseURL.map(Redaction.url), now, now])
        }
    }

    /// Every endpoint run `run` has used, in the order it first used them.
    public func teacherRunEndpoints(run: Int64) throws -> [TeacherRunEndpoint] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM teacher_run_endpoint WHERE teacher_run_id = ? ORDER BY first_used_at, id
                """, arguments: [run]).map { row in
                TeacherRunEndpoint(endpoint: row["endpoint"], kind: row["kind"], baseURL: row["base_url"],
                                   firstUsedAt: row["first_used_at"], lastUsedAt: row["last_used_at"])
            }
        }
    }
}
