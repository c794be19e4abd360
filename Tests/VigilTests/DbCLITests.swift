import Core
import Corpus
import Foundation
import GRDB
import VigilTestSupport
import XCTest

/// `vigil db init` and `vigil db copy` against a PostgreSQL server the test starts itself
/// (skipped when the PostgreSQL binaries are not installed): a team corpus goes SQLite →
/// PostgreSQL → a new SQLite file and comes back with every row, every export and every score.
final class DbCLITests: XCTestCase {
    private static let postgres = ClassPostgres()

    /// The class's server, started on first use (a skip where PostgreSQL is missing).
    static func server() throws -> ThrowawayPostgres { try postgres.server() }

    override class func tearDown() {
        postgres.stop()
        super.tearDown()
    }

    private func rows(_ path: String) throws -> [String: [[DatabaseValue]]] {
        let store = try CorpusStore(path: path)
        return try store.pool.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            var out: [String: [[DatabaseValue]]] = [:]
            for table in tables {
                let columns = try Row.fetchAll(db, sql: "SELECT cid FROM pragma_table_info(?)", arguments: [table]).count
                let order = (1...columns).map(String.init).joined(separator: ", ")
                out[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)").map { Array($0.databaseValues) }
            }
            return out
        }
    }

    func testACorpusGoesToPostgresAndBackWithEveryRowExportAndScore() throws {
        let server = try Self.server()
        try server.createDatabase("team")
        let url = server.url("team")
        let cli = try CLIHarness(self)
        let pg = server.environment
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["import", "jsonl", sample("teacher.jsonl"), "--layer", "teacher"])
        try cli.ok(["split", "--ratio", "8:1:1", "--seed", "1"])
        try cli.ok(["curators", "add", "ana"])
        try cli.ok(["curators", "add", "ben"])
        try cli.ok(["curators", "add", "dana", "--role", "adjudicator"])
        try cli.ok(["assign", "--curators", "ana,ben", "--overlap", "0.5", "--seed", "3"])
        let store = try CorpusStore(path: cli.db)
        let anas = try store.queueEntries(curator: "ana").map(\.item)
        let bens = try store.queueEntries(curator: "ben").map(\.item)
        try cli.ok(["review", "set", "\(anas[0])", "--state", "no-ade", "--as", "ana", "--note", "ünïcode – note"])
        try cli.ok(["review", "set", "\(anas[1])", "--state", "flagged", "--as", "ana"])
        try cli.ok(["review", "set", "\(bens[0])", "--state", "no-ade", "--as", "ben"])
        try cli.ok(["review", "undo", "--as", "ben"])

        // db init through $VIGIL_DB; the password only in $PGPASSWORD, never on the screen.
        let initialized = try cli.run(["db", "init"], environment: pg.merging(["VIGIL_DB": url]) { $1 })
        XCTAssertEqual(initialized.status, 0, initialized.stderr)
        XCTAssertTrue(initialized.stderr.contains("applied v1-corpus"), initialized.stderr)
        let again = try cli.run(["db", "init", "--db", url], environment: pg)
        XCTAssertTrue(again.stderr.contains("nothing to do"), again.stderr)

        let there = try cli.run(["db", "copy", cli.db, url], environment: pg)
        XCTAssertEqual(there.status, 0, there.stderr)
        XCTAssertTrue(there.stdout.contains("review_event"), there.stdout)
        let copy = cli.path("copy.sqlite")
        let back = try cli.run(["db", "copy", url, "sqlite:" + copy], environment: pg)
        XCTAssertEqual(back.status, 0, back.stderr)
        for result in [initialized, again, there, back] {
            XCTAssertFalse((result.stdout + result.stderr).contains(server.password), "the password was printed")
        }

        let (a, b) = (try rows(cli.db), try rows(copy))
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for table in a.keys.sorted() { XCTAssertEqual(a[table], b[table], "rows of \(table)") }
        XCTAssertGreaterThan(a["assignment"]?.count ?? 0, 0)
        XCTAssertGreaterThan(a["review_event"]?.count ?? 0, 3)

        for layer in ["gold", "teacher", "curated"] {
            for (db, name) in [(cli.db, "a"), (copy, "b")] {
                try cli.ok(["export", "--format", "jsonl", "--layer", layer, "--db", db, "--out", cli.path("\(layer)-\(name).jsonl")])
            }
            XCTAssertEqual(try String(contentsOfFile: cli.path("\(layer)-a.jsonl"), encoding: .utf8),
                           try String(contentsOfFile: cli.path("\(layer)-b.jsonl"), encoding: .utf8), "export of \(layer)")
        }
        for pred in ["teacher", "curated"] {
            let scores = try [cli.db, copy].map { try cli.ok(["eval", "--pred", pred, "--gold", "gold", "--json", "--db", $0]) }
            XCTAssertEqual(scores[0], scores[1], "eval of \(pred)")
            let onTest = try [cli.db, copy].map { try cli.ok(["eval", "--pred", pred, "--split", "holdout:test", "--json", "--db", $0]) }
            XCTAssertEqual(onTest[0], onTest[1])
        }
        XCTAssertEqual(try cli.ok(["agreement", "--db", cli.db]), try cli.ok(["agreement", "--db", copy]))

        let full = try cli.run(["db", "copy", cli.db, url], environment: pg)
        XCTAssertNotEqual(full.status, 0)
        XCTAssertTrue(full.stderr.contains("already holds a corpus"), full.stderr)
        let elsewhere = try cli.run(["stats", "--db", url], environment: pg)
        XCTAssertNotEqual(elsewhere.status, 0)
        XCTAssertTrue(elsewhere.stderr.contains("runs on a SQLite corpus only so far"), elsewhere.stderr)
        let withPassword = try cli.run(["db", "init", "--db", url.replacingOccurrences(of: "vigil@", with: "vigil:Wr0ngPassw0rd@")])
        XCTAssertNotEqual(withPassword.status, 0)
        XCTAssertTrue(withPassword.stderr.contains("password authentication failed"), withPassword.stderr)
        XCTAssertFalse(withPassword.stderr.contains("Wr0ngPassw0rd"), withPassword.stderr)
    }
}
