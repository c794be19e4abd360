import Core
import Foundation
import GRDB

extension Schema {
    /// Version 6: jobs that can be judged and runs that say where they went.
    ///
    /// - `job` is rebuilt (SQLite cannot change a CHECK) with the state `lost` (its process is
    ///   gone without finishing the row), the `host` that ran it (a pid is only judged on its own
    ///   host) and the `teacher_run_id` a teach job works on, with at most one active job per run.
    /// - `teacher_run_endpoint`: every endpoint a teacher run has used, first and last use.
    /// - Credentials already stored in job arguments, errors, messages and log lines are redacted.
    static func v6JobReliability(_ db: Database) throws {
        let columns = "id, kind, state, args, done, total, message, pid, cancel_requested, created_at, started_at, heartbeat_at, finished_at, result, error"
        try db.execute(sql: """
            CREATE TABLE job_v6 (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'lost')),
                args TEXT NOT NULL DEFAULT '[]',
                done INTEGER NOT NULL DEFAULT 0 CHECK (done >= 0),
                total INTEGER CHECK (total >= 0),
                message TEXT,
                pid INTEGER,
                cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
                created_at DATETIME NOT NULL,
                started_at DATETIME,
                heartbeat_at DATETIME,
                finished_at DATETIME,
                result TEXT,
                error TEXT,
                host TEXT,
                teacher_run_id INTEGER REFERENCES teacher_run(id)
            );
            INSERT INTO job_v6 (\(columns)) SELECT \(columns) FROM job;
            DROP TABLE job;
            ALTER TABLE job_v6 RENAME TO job;
            CREATE INDEX job_state ON job(state, kind);
            CREATE UNIQUE INDEX job_one_active_per_teacher_run ON job(teacher_run_id)
            WHERE teacher_run_id IS NOT NULL AND state IN ('queued', 'running');

            CREATE TABLE teacher_run_endpoint (
                id INTEGER PRIMARY KEY,
                teacher_run_id INTEGER NOT NULL REFERENCES teacher_run(id),
                endpoint TEXT NOT NULL,
                kind TEXT,
                base_url TEXT,
                first_used_at DATETIME NOT NULL,
                last_used_at DATETIME NOT NULL,
                UNIQUE (teacher_run_id, endpoint)
            );
            INSERT INTO teacher_run_endpoint(teacher_run_id, endpoint, kind, base_url, first_used_at, last_used_at)
            SELECT id, endpoint, json_extract(params, '$.kind'), json_extract(params, '$.base_url'), created_at, created_at
            FROM teacher_run WHERE endpoint IS NOT NULL AND json_valid(params);
            """)
        for row in try Row.fetchAll(db, sql: "SELECT id, args, message, error FROM job") {
            let id: Int64 = row["id"]
            for column in ["args", "message", "error"] {
                guard let text: String = row[column] else { continue }
                let clean = Redaction.redact(text)
                if clean != text { try db.execute(sql: "UPDATE job SET \(column) = ? WHERE id = ?", arguments: [clean, id]) }
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT id, line FROM job_log WHERE line LIKE '%://%'") {
            let line: String = row["line"]
            let clean = Redaction.redact(line)
            if clean != line { try db.execute(sql: "UPDATE job_log SET line = ? WHERE id = ?", arguments: [clean, row["id"] as Int64]) }
        }
    }
}
