import Core
import Corpus
import Foundation
import GRDB
@testable import PostgresStore
import VigilTestSupport
import XCTest

/// The schema, its invariants, versioning, credentials and `CorpusCopy` on a real PostgreSQL
/// server that the tests start themselves (`ThrowawayPostgres`); skipped when the PostgreSQL
/// binaries are not installed.
final class PostgresServerTests: XCTestCase {
    private static let postgres = ClassPostgres()

    /// The class's server, started on first use (a skip where PostgreSQL is missing).
    static func server() throws -> ThrowawayPostgres { try postgres.server() }

    override class func tearDown() {
        postgres.stop()
        super.tearDown()
    }

    /// A fresh empty database on the server, and its URL.
    private func freshDatabase() throws -> (ThrowawayPostgres, PostgresURL) {
        let server = try Self.server()
        let name = "t_" + UUID().uuidString.prefix(8).lowercased()
        try server.createDatabase(name)
        return (server, try PostgresURL(parsing: server.url(name)))
    }

    private func connect(_ url: PostgresURL, _ server: ThrowawayPostgres) async throws -> PostgresConnector {
        try await PostgresConnector.connect(url, environment: server.environment)
    }

    /// The text of the error `body` throws (fails when it throws none).
    private func failure(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> String {
        do {
            try await body()
            XCTFail("no error", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testInitCreatesEveryMigrationOnceAndIsIdempotent() async throws {
        let (server, url) = try freshDatabase()
        let db = try await connect(url, server)
        let noneYet = try await db.appliedMigrations()
        XCTAssertNil(noneYet)
        let applied = try await db.migrate()
        XCTAssertEqual(applied, PostgresSchema.identifiers)
        XCTAssertEqual(applied.first, "v1-corpus")
        let again = try await db.migrate()
        XCTAssertEqual(again, [])
        let recorded = try await db.appliedMigrations()
        XCTAssertEqual(recorded, PostgresSchema.identifiers)
        try await db.requireCurrentSchema()
        let layers = try await db.rows("SELECT kind FROM layer ORDER BY id").map { try $0.decode(String.self) }
        XCTAssertEqual(layers, ["gold", "curated"], "as SQLite's v1 makes them")
        await db.close()
    }

    /// The same identifiers as SQLite's migrator, the same tables, and per table the same
    /// columns in the same order with the same kinds and nullability.
    func testSchemaMatchesSQLitesLatestMigration() async throws {
        let (server, url) = try freshDatabase()
        let db = try await connect(url, server)
        try await db.migrate()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pgschema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sqlite = try CorpusStore(path: dir.appendingPathComponent("c.sqlite").path, create: true)
        XCTAssertEqual(try sqlite.appliedMigrations(), PostgresSchema.identifiers)

        let sqliteTables = try await sqlite.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name")
        }
        XCTAssertEqual(Set(sqliteTables), Set(PostgresSchema.tables), "PostgresSchema.tables lists every SQLite table once")
        XCTAssertEqual(PostgresSchema.tables.count, Set(PostgresSchema.tables).count)
        let pgTables = try await db.rows("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'vigil_migrations'")
            .map { try $0.decode(String.self) }
        XCTAssertEqual(Set(pgTables), Set(sqliteTables))

        for table in sqliteTables {
            let lite = try await sqlite.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
                    .map { row -> (String, CopyColumn.Kind, Bool) in
                        let column = try sqliteColumns(db, table).first { $0.name == (row["name"] as String) }!
                        // SQLite lets a non-INTEGER primary key column hold NULL; PostgreSQL never does.
                        return (column.name, column.kind, (row["notnull"] as Int) == 1 || (row["pk"] as Int) > 0)
                    }
            }
            let pgKinds = try await postgresColumns(db, table)
            let pgNullable = try await db.rows("SELECT is_nullable::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position")
                .map { try $0.decode(String.self) == "NO" }
            XCTAssertEqual(lite.map(\.0), pgKinds.map(\.name), "columns of \(table)")
            XCTAssertEqual(lite.map(\.1), pgKinds.map(\.kind), "column kinds of \(table)")
            // An INTEGER PRIMARY KEY is NOT NULL in effect (the row id).
            XCTAssertEqual(lite.map(\.2), pgNullable, "NOT NULL columns of \(table)")
        }
        // Every named index and every trigger of SQLite's schema has its twin, by name.
        let (liteIndexes, liteTriggers) = try await sqlite.pool.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")),
             Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        }
        let pgIndexes = Set(try await db.rows("SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()").map { try $0.decode(String.self) })
        let pgTriggers = Set(try await db.rows("SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal").map { try $0.decode(String.self) })
        XCTAssertEqual(liteIndexes.subtracting(pgIndexes), [], "indexes missing on PostgreSQL")
        XCTAssertEqual(liteTriggers.subtracting(pgTriggers), [], "triggers missing on PostgreSQL")
        XCTAssertEqual(pgTriggers.subtracting(liteTriggers), ["review_event_no_truncate"], "PostgreSQL adds only the TRUNCATE guard")
        await db.close()
    }

    func testInvariantsAreEnforcedByTheServer() async throws {
        let (server, url) = try freshDatabase()
        let db = try await connect(url, server)
        try await db.migrate()
        for sql in [
            "INSERT INTO document(key, created_at) VALUES ('d1', now())",
            "INSERT INTO sentence(document_id, position, text) VALUES (1, 0, 'Aspirin caused a µ-rash.')",
            "INSERT INTO drug_mention(sentence_id, start, \"end\", text, normalized, origin, created_at) VALUES (1, 0, 7, 'Aspirin', 'aspirin', 'import', now())",
            // Offsets count code points, as SQLite's and Vigil's do: µ is one.
            "INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, \"end\", text, author, created_at) VALUES (1, 1, 1, 17, 23, 'µ-rash', 'import', now())",
            "INSERT INTO review_event(sentence_id, drug_mention_id, action, author, created_at, state_before, state_after, spans_before, spans_after) VALUES (1, 1, 'decide', 'ana', now(), 'pending', 'accepted', '[]', '[]')",
        ] { try await db.execute(sql) }

        let textChange = await failure { try await db.execute("UPDATE sentence SET text = 'Aspirin caused nothing.' WHERE id = 1") }
        XCTAssertTrue(textChange.contains("a sentence's text never changes after import"), textChange)
        let pastTheEnd = await failure {
            try await db.execute("INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, \"end\", text, author, created_at) VALUES (1, 1, 1, 17, 40, 'µ-rash.', 'x', now())")
        }
        XCTAssertTrue(pastTheEnd.contains("ADE span does not cover its text"), pastTheEnd)
        let wrongText = await failure {
            try await db.execute("INSERT INTO drug_mention(sentence_id, start, \"end\", text, normalized, origin, created_at) VALUES (1, 8, 14, 'caused', 'x', 'lexicon', now()), (1, 0, 6, 'Aspirin', 'x', 'lexicon', now())")
        }
        XCTAssertTrue(wrongText.contains("drug mention span does not cover its text"), wrongText)
        let mentionPastTheEnd = await failure {
            try await db.execute("INSERT INTO drug_mention(sentence_id, start, \"end\", text, normalized, origin, created_at) VALUES (1, 20, 99, 'x', 'x', 'lexicon', now())")
        }
        XCTAssertTrue(mentionPastTheEnd.contains("drug mention span does not cover its text"), mentionPastTheEnd)
        let moved = await failure { try await db.execute("UPDATE ade SET \"end\" = 24 WHERE id = 1") }
        XCTAssertTrue(moved.contains("ADE span does not cover its text"), moved)
        for sql in ["UPDATE review_event SET note = 'rewritten'", "DELETE FROM review_event", "TRUNCATE review_event CASCADE"] {
            let refused = await failure { try await db.execute(sql) }
            XCTAssertTrue(refused.contains("the review event log is append-only"), "\(sql): \(refused)")
        }
        let events = try await db.rows("SELECT count(*) FROM review_event").first?.decode(Int64.self)
        XCTAssertEqual(events, 1)
        let mentions = try await db.rows("SELECT count(*) FROM drug_mention").first?.decode(Int64.self)
        XCTAssertEqual(mentions, 1, "the multi-row insert with one bad row wrote neither")
        await db.close()
    }

    func testASchemaFromANewerVigilIsRefusedAndLeftAlone() async throws {
        let (server, url) = try freshDatabase()
        let db = try await connect(url, server)
        try await db.migrate()
        try await db.execute("INSERT INTO vigil_migrations(identifier, applied_order) VALUES ('v99-from-the-future', 99)")
        let refused = await failure { try await db.migrate() }
        XCTAssertTrue(refused.contains("newer than this vigil"), refused)
        XCTAssertTrue(refused.contains("v99-from-the-future"), refused)
        XCTAssertTrue(refused.contains(PostgresSchema.identifiers.last!), refused)
        let current = await failure { try await db.requireCurrentSchema() }
        XCTAssertTrue(current.contains("newer than this vigil"), current)
        let recorded = try await db.appliedMigrations()
        XCTAssertEqual(recorded?.last, "v99-from-the-future", "nothing was changed")
        await db.close()
    }

    func testAFailedConnectionNamesTheDatabaseButNeverThePassword() async throws {
        let (server, url) = try freshDatabase()
        var wrong = url
        wrong.password = "wrong-\(UUID().uuidString)"
        let bad = await failure { _ = try await PostgresConnector.connect(wrong, environment: [:]) }
        XCTAssertTrue(bad.contains("password authentication failed"), bad)
        XCTAssertTrue(bad.contains(url.description), bad)
        XCTAssertFalse(bad.contains(wrong.password!), bad)
        XCTAssertFalse(bad.contains(server.password), bad)

        var missing = url
        missing.database = "no_such_db"
        let noDB = await failure { _ = try await PostgresConnector.connect(missing, environment: server.environment) }
        XCTAssertTrue(noDB.contains("no_such_db"), noDB)
        XCTAssertFalse(noDB.contains(server.password), noDB)

        let noPassword = await failure { _ = try await PostgresConnector.connect(url, environment: ["PGPASSFILE": "/nonexistent"]) }
        XCTAssertTrue(noPassword.contains("password"), noPassword)

        var nowhere = url
        nowhere.socketFolder = "/nonexistent-folder"
        let unreachable = await failure { _ = try await PostgresConnector.connect(nowhere, environment: server.environment) }
        XCTAssertTrue(unreachable.contains("cannot reach /nonexistent-folder/.s.PGSQL"), unreachable)
    }

    func testThePasswordFileIsUsed() async throws {
        let (server, url) = try freshDatabase()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pgpass-\(UUID().uuidString)").path
        try "localhost:\(server.port):*:vigil:\(server.password)\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        chmod(file, 0o600)
        let db = try await PostgresConnector.connect(url, environment: ["PGPASSFILE": file])
        let one = try await db.rows("SELECT 1::bigint").first?.decode(Int64.self)
        XCTAssertEqual(one, 1)
        await db.close()
    }

    // MARK: Copy

    /// A SQLite corpus with gold, a teacher layer, curators, decisions and an assignment.
    private func sampleCorpus(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("source.sqlite").path
        let store = try CorpusStore(path: path, create: true)
        _ = try store.ingest(try JSONLFormat.read(path: packageRoot.appendingPathComponent("SampleData/gold.jsonl").path), into: .gold)
        _ = try store.ingest(try JSONLFormat.read(path: packageRoot.appendingPathComponent("SampleData/teacher.jsonl").path), into: LayerRef(.teacher))
        _ = try store.addCurator("ana")
        _ = try store.addCurator("dana", role: .adjudicator)
        let items = try store.queueEntries().prefix(3).map(\.item)
        try store.decide(items[0], state: .noADE, spans: [], author: "ana", note: "none – really")
        try store.decide(items[1], state: .flagged, spans: [], author: "ana")
        return path
    }

    private func tableRows(_ path: String) throws -> [String: [[DatabaseValue]]] {
        let store = try CorpusStore(path: path)
        return try store.pool.read { db in
            var out: [String: [[DatabaseValue]]] = [:]
            for table in PostgresSchema.tables + ["grdb_migrations"] {
                out[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1").map { Array($0.databaseValues) }
            }
            return out
        }
    }

    func testCopyToPostgresAndBackKeepsEveryRowAndRefusesAFullDestination() async throws {
        let (server, url) = try freshDatabase()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pgcopy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try sampleCorpus(in: dir)
        let counts = try await CorpusCopy.copy(from: .sqlite(path: source), to: .postgres(url), environment: server.environment)
        XCTAssertEqual(counts.map(\.table), PostgresSchema.tables)
        XCTAssertGreaterThan(counts.first { $0.table == "review_event" }?.rows ?? 0, 1)

        let again = await failure { _ = try await CorpusCopy.copy(from: .sqlite(path: source), to: .postgres(url), environment: server.environment) }
        XCTAssertTrue(again.contains("already holds a corpus"), again)

        let back = dir.appendingPathComponent("back.sqlite").path
        _ = try await CorpusCopy.copy(from: .postgres(url), to: .sqlite(path: back), environment: server.environment)
        let (a, b) = (try tableRows(source), try tableRows(back))
        for table in PostgresSchema.tables {
            XCTAssertEqual(a[table]?.count, b[table]?.count, table)
            XCTAssertEqual(a[table], b[table], "rows of \(table)")
        }
        XCTAssertEqual(a["grdb_migrations"], b["grdb_migrations"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }, [])

        let exists = await failure { _ = try await CorpusCopy.copy(from: .postgres(url), to: .sqlite(path: back), environment: server.environment) }
        XCTAssertTrue(exists.contains("destination file exists"), exists)

        // The identity sequences moved past the copied ids: a new row gets the next id.
        let db = try await connect(url, server)
        let maxID = try await db.rows("SELECT max(id) FROM review_event").first?.decode(Int64.self) ?? 0
        let next = try await db.rows("INSERT INTO curator(name, created_at) VALUES ('new', now()) RETURNING name").count
        XCTAssertEqual(next, 1)
        let newID = try await db.rows("INSERT INTO review_event(sentence_id, drug_mention_id, action, author, created_at, state_before, state_after, spans_before, spans_after) SELECT sentence_id, drug_mention_id, 'decide', 'new', now(), 'pending', 'no-ade', '[]', '[]' FROM review_event LIMIT 1 RETURNING id").first?.decode(Int64.self)
        XCTAssertEqual(newID, maxID + 1)
        await db.close()
    }

    func testAFailedCopyLeavesNothingBehind() async throws {
        let (server, url) = try freshDatabase()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pgcopy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try sampleCorpus(in: dir)
        // A date in a form GRDB never writes, late in the copy order: the copy stops there.
        try await CorpusStore(path: source).pool.write { db in
            try db.execute(sql: "INSERT INTO curator(name, role, created_at) VALUES ('odd', 'curator', '2026-01-01T00:00:00Z')")
        }
        let refused = await failure { _ = try await CorpusCopy.copy(from: .sqlite(path: source), to: .postgres(url), environment: server.environment) }
        XCTAssertTrue(refused.contains("table curator"), refused)
        XCTAssertTrue(refused.contains("created_at"), refused)
        let db = try await connect(url, server)
        let schema = try await db.appliedMigrations()
        XCTAssertNil(schema, "the schema made in the copy's transaction is gone with it")
        await db.close()

        // The other way: a PostgreSQL source whose copy fails leaves no SQLite file.
        let other = try PostgresURL(parsing: server.url("postgres"))
        let target = dir.appendingPathComponent("never.sqlite").path
        let noCorpus = await failure { _ = try await CorpusCopy.copy(from: .postgres(other), to: .sqlite(path: target), environment: server.environment) }
        XCTAssertTrue(noCorpus.contains("no Vigil corpus there"), noCorpus)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("never") }, [])
    }
}
