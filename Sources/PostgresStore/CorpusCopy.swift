import Corpus
import Foundation
import GRDB
import PostgresNIO

/// `vigil db copy`: a whole corpus from one store to another (SQLite or PostgreSQL, either way),
/// table by table in `PostgresSchema.tables` order, every row with its id, every value as it
/// was: integers, reals and text exactly, dates as the UTC millisecond text SQLite holds.
///
/// The destination must be empty and gets all of it or nothing: a PostgreSQL destination is
/// written in one transaction (the schema is created in it when the database has none); a
/// SQLite destination is a new file, written beside its name and renamed into place at the end.
/// The source is read from one snapshot (a SQLite read snapshot, a PostgreSQL repeatable-read
/// transaction), so writers working on it meanwhile never give the copy half a decision.
public enum CorpusCopy {
    /// Copies `source` into `destination`; returns the rows copied per table, in copy order.
    public static func copy(from source: StoreLocation, to destination: StoreLocation,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            warn: @escaping (String) -> Void = { _ in }) async throws -> [(table: String, rows: Int)] {
        let reader: any CopySource
        switch source {
        case let .sqlite(path): reader = try SQLiteCopySource(store: CorpusStore(path: path))
        case let .postgres(url): reader = try await PostgresCopySource(PostgresConnector.connect(url, environment: environment, warn: warn))
        }
        var writer: (any CopySink)? = nil
        do {
            let sink: any CopySink
            switch destination {
            case let .sqlite(path): sink = try SQLiteCopySink(path: path)
            case let .postgres(url): sink = try await PostgresCopySink(PostgresConnector.connect(url, environment: environment, warn: warn))
            }
            writer = sink
            try await reader.begin()
            try await sink.begin()
            var counts: [(String, Int)] = []
            for table in PostgresSchema.tables {
                let columns = try await reader.columns(of: table)
                let destinationColumns = try await sink.columns(of: table)
                guard !columns.isEmpty, columns.map(\.name) == destinationColumns.map(\.name) else {
                    throw PostgresStoreError.cannotCopy("table \(table): the source has columns \(columns.map(\.name)), the destination \(destinationColumns.map(\.name)); both must be at the same schema version; nothing was copied")
                }
                let rows = try await reader.rows(of: table, columns: columns)
                try await sink.write(rows, to: table, columns: columns)
                counts.append((table, rows.count))
            }
            try await sink.commit()
            await reader.finish()
            return counts
        } catch {
            await writer?.abort()
            await reader.finish()
            throw error
        }
    }
}

/// One value on its way between stores.
enum CopyValue: Equatable {
    case null, integer(Int64), real(Double), text(String)
}

/// A column and how its values travel.
struct CopyColumn: Equatable {
    enum Kind: Equatable { case integer, real, text, date }
    var name: String
    var kind: Kind
}

protocol CopySource: AnyObject, Sendable {
    func begin() async throws
    func columns(of table: String) async throws -> [CopyColumn]
    func rows(of table: String, columns: [CopyColumn]) async throws -> [[CopyValue]]
    func finish() async
}

protocol CopySink: AnyObject {
    func begin() async throws
    func columns(of table: String) async throws -> [CopyColumn]
    func write(_ rows: [[CopyValue]], to table: String, columns: [CopyColumn]) async throws
    func commit() async throws
    func abort() async
}

/// How SQLite writes a date (GRDB: UTC, milliseconds): the only form a copy accepts, so that a
/// date read back is the text it was.
func isVigilDate(_ text: String) -> Bool {
    let u = Array(text.utf8)
    guard u.count == 23 else { return false }
    for (i, c) in u.enumerated() {
        switch i {
        case 4, 7: if c != UInt8(ascii: "-") { return false }
        case 10: if c != UInt8(ascii: " ") { return false }
        case 13, 16: if c != UInt8(ascii: ":") { return false }
        case 19: if c != UInt8(ascii: ".") { return false }
        default: if !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { return false }
        }
    }
    return true
}

func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

// MARK: SQLite

/// The columns of a SQLite table, typed by their declared type.
func sqliteColumns(_ db: Database, _ table: String) throws -> [CopyColumn] {
    try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", arguments: [table]).map { row in
        let type = (row["type"] as String).uppercased()
        let kind: CopyColumn.Kind = type.contains("INT") ? .integer : type == "REAL" ? .real : type == "DATETIME" ? .date : .text
        return CopyColumn(name: row["name"], kind: kind)
    }
}

final class SQLiteCopySource: CopySource, @unchecked Sendable {
    let store: CorpusStore
    var snapshot: DatabaseSnapshot?

    init(store: CorpusStore) { self.store = store }

    func begin() async throws { snapshot = try store.pool.makeSnapshot() }

    func columns(of table: String) async throws -> [CopyColumn] {
        try await store.pool.read { db in try sqliteColumns(db, table) }
    }

    func rows(of table: String, columns: [CopyColumn]) async throws -> [[CopyValue]] {
        guard let snapshot else { throw PostgresStoreError.cannotCopy("the source was not opened") }
        let sql = "SELECT \(columns.map { quoted($0.name) }.joined(separator: ", ")) FROM \(quoted(table)) ORDER BY 1"
        return try await snapshot.read { db in
            var out: [[CopyValue]] = []
            let cursor = try Row.fetchCursor(db, sql: sql)
            while let row = try cursor.next() {
                var values: [CopyValue] = []
                values.reserveCapacity(columns.count)
                for (i, column) in columns.enumerated() {
                    values.append(try Self.value(row[i] as DatabaseValue, column, table: table, row: row))
                }
                out.append(values)
            }
            return out
        }
    }

    /// A SQLite value as its column's kind says it travels; anything else (a blob, text in an
    /// integer column, a date in another form) stops the copy, naming the table, row and column.
    static func value(_ value: DatabaseValue, _ column: CopyColumn, table: String, row: Row) throws -> CopyValue {
        func refuse(_ what: String) -> PostgresStoreError {
            .cannotCopy("table \(table), row with \(row.columnNames.first ?? "key") = \(row[0] as DatabaseValue), column \(column.name): \(what); nothing was copied")
        }
        switch (value.storage, column.kind) {
        case (.null, _): return .null
        case let (.int64(v), .integer): return .integer(v)
        case let (.int64(v), .real): return .real(Double(v))
        case let (.double(v), .real): return .real(v)
        case let (.string(s), .text): return .text(s)
        case let (.string(s), .date):
            guard isVigilDate(s) else { throw refuse("the date '\(s)' is not in the form Vigil writes (YYYY-MM-DD HH:MM:SS.SSS)") }
            return .text(s)
        case (.blob, _): throw refuse("a binary value, which no Vigil column holds")
        default: throw refuse("the value \(value) does not fit its declared type")
        }
    }

    func finish() async { snapshot = nil }
}

final class SQLiteCopySink: CopySink {
    let path: String
    let partial: String
    var store: CorpusStore?

    /// The destination must not exist: the copy makes a new file.
    init(path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw PostgresStoreError.destinationExists(path) }
        self.path = path
        partial = path + ".partial-\(getpid())"
    }

    func begin() async throws {
        removePartial()
        let store = try CorpusStore(path: partial, create: true)
        // The fresh schema's own gold and curated layers give way to the source's.
        try await store.pool.write { db in try db.execute(sql: "DELETE FROM layer") }
        self.store = store
    }

    func columns(of table: String) async throws -> [CopyColumn] {
        guard let store else { throw PostgresStoreError.cannotCopy("the destination was not opened") }
        return try await store.pool.read { db in try sqliteColumns(db, table) }
    }

    func write(_ rows: [[CopyValue]], to table: String, columns: [CopyColumn]) async throws {
        guard let store, !rows.isEmpty else { return }
        let sql = "INSERT INTO \(quoted(table)) (\(columns.map { quoted($0.name) }.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
        do {
            try await store.pool.write { db in
                let statement = try db.cachedStatement(sql: sql)
                for row in rows {
                    try statement.execute(arguments: StatementArguments(row.map(\.databaseValue)))
                }
            }
        } catch {
            throw PostgresStoreError.cannotCopy("\(path): table \(table): \(error); nothing was written")
        }
    }

    /// Folds the write-ahead log into the file, closes it and renames it into place.
    func commit() async throws {
        guard let store else { return }
        try await store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try store.pool.close()
        self.store = nil
        guard !FileManager.default.fileExists(atPath: path), rename(partial, path) == 0 else {
            removePartial()
            throw PostgresStoreError.destinationExists(path)
        }
        // After the checkpoint the log is empty; should it hold anything, it goes with the file.
        if let size = (try? FileManager.default.attributesOfItem(atPath: partial + "-wal"))?[.size] as? Int, size > 0 {
            _ = rename(partial + "-wal", path + "-wal")
        }
        for suffix in ["-wal", "-shm", "-lock"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
    }

    func abort() async {
        try? store?.pool.close()
        store = nil
        removePartial()
    }

    private func removePartial() {
        for suffix in ["", "-wal", "-shm", "-lock"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
    }
}

extension CopyValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case let .integer(v): return v.databaseValue
        case let .real(v): return v.databaseValue
        case let .text(s): return s.databaseValue
        }
    }
}

// MARK: PostgreSQL

/// The columns of a PostgreSQL table, typed by their data type.
func postgresColumns(_ connector: PostgresConnector, _ table: String) async throws -> [CopyColumn] {
    let rows = try await connector.rows("""
        SELECT column_name::text, data_type::text FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
        """)
    return try rows.map { row in
        let (name, type) = try row.decode((String, String).self)
        let kind: CopyColumn.Kind
        switch type {
        case "bigint", "integer", "smallint": kind = .integer
        case "double precision", "real": kind = .real
        case "timestamp with time zone", "timestamp without time zone": kind = .date
        default: kind = .text
        }
        return CopyColumn(name: name, kind: kind)
    }
}

final class PostgresCopySource: CopySource, @unchecked Sendable {
    let connector: PostgresConnector
    private var open = false

    init(_ connector: PostgresConnector) { self.connector = connector }

    func begin() async throws {
        try await connector.requireCurrentSchema()
        try await connector.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        open = true
    }

    func columns(of table: String) async throws -> [CopyColumn] { try await postgresColumns(connector, table) }

    func rows(of table: String, columns: [CopyColumn]) async throws -> [[CopyValue]] {
        let list = columns.map { column -> String in
            column.kind == .date
                ? "to_char(\(quoted(column.name)) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')"
                : quoted(column.name)
        }
        let rows = try await connector.rows(PostgresQuery(unsafeSQL: "SELECT \(list.joined(separator: ", ")) FROM \(quoted(table)) ORDER BY 1"))
        return try rows.map { row in
            let cells = row.makeRandomAccess()
            return try columns.indices.map { i in
                let cell = cells[i]
                guard cell.bytes != nil else { return .null }
                switch columns[i].kind {
                case .integer: return .integer(try cell.decode(Int64.self))
                case .real: return .real(try cell.decode(Double.self))
                case .text, .date: return .text(try cell.decode(String.self))
                }
            }
        }
    }

    func finish() async {
        if open { try? await connector.execute("COMMIT") }
        open = false
        await connector.close()
    }
}

final class PostgresCopySink: CopySink {
    let connector: PostgresConnector
    private var open = false

    init(_ connector: PostgresConnector) { self.connector = connector }

    /// Opens the transaction, creates the schema if the database has none (or brings it up to
    /// date), and refuses a database that holds any corpus row (the fresh schema's gold and
    /// curated layers aside, which give way to the source's).
    func begin() async throws {
        try await connector.execute("BEGIN")
        open = true
        try await connector.migrateInTransaction()
        var full: [String] = []
        for table in PostgresSchema.tables where table != "layer" {
            let rows = try await connector.rows(PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(quoted(table)))"))
            if try rows.first?.decode(Bool.self) == true { full.append(table) }
        }
        guard full.isEmpty else { throw PostgresStoreError.destinationNotEmpty(connector.url.description, tables: full) }
        try await connector.execute("DELETE FROM layer")
    }

    func columns(of table: String) async throws -> [CopyColumn] { try await postgresColumns(connector, table) }

    /// Multi-row INSERTs of at most ~1000 rows (and under PostgreSQL's 65535 parameters).
    func write(_ rows: [[CopyValue]], to table: String, columns: [CopyColumn]) async throws {
        guard !rows.isEmpty else { return }
        let head = "INSERT INTO \(quoted(table)) (\(columns.map { quoted($0.name) }.joined(separator: ", "))) VALUES "
        let perBatch = max(1, min(1000, 60000 / max(1, columns.count)))
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(rows.count, start + perBatch)]
            var binds = PostgresBindings(capacity: batch.count * columns.count)
            var tuples: [String] = []
            tuples.reserveCapacity(batch.count)
            for row in batch {
                var placeholders: [String] = []
                for (value, column) in zip(row, columns) {
                    switch value {
                    case .null: binds.appendNull()
                    case let .integer(v): binds.append(v)
                    case let .real(v): binds.append(v)
                    case let .text(s): binds.append(s)
                    }
                    let n = "$\(binds.count)"
                    switch column.kind {
                    case .date: placeholders.append("\(n)::timestamptz")
                    case .integer: placeholders.append("\(n)::bigint")
                    case .real: placeholders.append("\(n)::double precision")
                    case .text: placeholders.append("\(n)::text")
                    }
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            try await connector.rows(PostgresQuery(unsafeSQL: head + tuples.joined(separator: ", "), binds: binds))
            start += perBatch
        }
    }

    /// Moves every identity sequence past the copied ids, then commits.
    func commit() async throws {
        let identities = try await connector.rows("""
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            """)
        for row in identities {
            let (table, column) = try row.decode((String, String).self)
            try await connector.execute("""
                SELECT setval(pg_get_serial_sequence('\(quoted(table))', '\(column)'), coalesce((SELECT max(\(quoted(column))) FROM \(quoted(table))), 0) + 1, false)
                """)
        }
        try await connector.execute("COMMIT")
        open = false
        await connector.close()
    }

    func abort() async {
        if open { try? await connector.execute("ROLLBACK") }
        open = false
        await connector.close()
    }
}
