import Foundation
@testable import PostgresStore
import XCTest

/// `--db` values and PostgreSQL credentials: pure parsing, no server.
final class StoreLocationTests: XCTestCase {
    func testPathsAndSQLiteURLsStaySQLite() throws {
        XCTAssertEqual(try StoreLocation(parsing: "vigil.sqlite"), .sqlite(path: "vigil.sqlite"))
        XCTAssertEqual(try StoreLocation(parsing: "/data/corpus.sqlite"), .sqlite(path: "/data/corpus.sqlite"))
        XCTAssertEqual(try StoreLocation(parsing: "sqlite:corpus.sqlite"), .sqlite(path: "corpus.sqlite"))
        XCTAssertEqual(try StoreLocation(parsing: "sqlite:///abs/corpus.sqlite"), .sqlite(path: "/abs/corpus.sqlite"))
        XCTAssertThrowsError(try StoreLocation(parsing: "sqlite:"))
    }

    func testAFullURL() throws {
        guard case let .postgres(url) = try StoreLocation(parsing: "postgresql://ana:s%40cret@db.example.org:6543/vigil?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=5") else {
            return XCTFail("not PostgreSQL")
        }
        XCTAssertEqual(url.user, "ana")
        XCTAssertEqual(url.password, "s@cret")
        XCTAssertEqual(url.host, "db.example.org")
        XCTAssertNil(url.socketPath)
        XCTAssertEqual(url.port, 6543)
        XCTAssertEqual(url.database, "vigil")
        XCTAssertEqual(url.sslMode, .verifyFull)
        XCTAssertEqual(url.sslRootCert, "/etc/ca.pem")
        XCTAssertEqual(url.connectTimeout, 5)
        XCTAssertFalse(url.description.contains("s@cret"), url.description)
        XCTAssertFalse(url.description.contains("cret"), url.description)
        XCTAssertEqual(url.description, "postgresql://ana@db.example.org:6543/vigil?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=5")
    }

    func testDefaultsAndSocketForms() throws {
        let bare = try PostgresURL(parsing: "postgres://localhost")
        XCTAssertEqual(bare.port, 5432)
        XCTAssertNil(bare.database)
        XCTAssertEqual(bare.sslMode, .prefer, "libpq's default")
        let noHost = try PostgresURL(parsing: "postgresql:///vigil")
        XCTAssertEqual(noHost.socketPath, "/var/run/postgresql/.s.PGSQL.5432")
        let query = try PostgresURL(parsing: "postgresql://vigil@:7777/corpus?host=/tmp/pg")
        XCTAssertNil(query.host)
        XCTAssertEqual(query.socketPath, "/tmp/pg/.s.PGSQL.7777")
        XCTAssertEqual(query.database, "corpus")
        let encoded = try PostgresURL(parsing: "postgresql://%2Frun%2Fpostgresql:5433/corpus")
        XCTAssertEqual(encoded.socketPath, "/run/postgresql/.s.PGSQL.5433")
        let v6 = try PostgresURL(parsing: "postgresql://u@[::1]:5000/d")
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.port, 5000)
        XCTAssertEqual(v6.description, "postgresql://u@[::1]:5000/d")
    }

    func testBadURLsSayWhatIsWrongAndHideThePassword() {
        func message(_ text: String) -> String {
            do { _ = try StoreLocation(parsing: text); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("postgresql://h/db?sslmode=always").contains("sslmode 'always' is not one of disable, prefer, require, verify-ca, verify-full"))
        XCTAssertTrue(message("postgresql://h:99999/db").contains("port '99999'"))
        XCTAssertTrue(message("postgresql://h/db?target_session_attrs=any").contains("unknown parameter 'target_session_attrs'"))
        let leaked = message("postgresql://ana:hunter2secret@h:0/db")
        XCTAssertTrue(leaked.contains("port '0'"), leaked)
        XCTAssertFalse(leaked.contains("hunter2secret"), leaked)
        let inQuery = message("postgresql://h/db?password=hunter2secret&sslmode=nope")
        XCTAssertFalse(inQuery.contains("hunter2secret"), inQuery)
    }

    func testPasswordComesFromTheURLThenPGPASSWORDThenThePasswordFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pgpass").path
        try """
            # comment
            other.host:*:*:*:nope
            db.example.org:5432:vigil:ana:from\\:file\\\\x
            *:*:*:ben:wild
            localhost:5432:*:cy:socket-pw

            """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let url = try PostgresURL(parsing: "postgresql://ana@db.example.org/vigil")
        let env = ["PGPASSFILE": file]
        XCTAssertEqual(PostgresCredentials.resolve(for: url, environment: env).password, "from:file\\x")
        XCTAssertEqual(PostgresCredentials.resolve(for: url, environment: env.merging(["PGPASSWORD": "env"]) { $1 }).password, "env")
        let withURL = try PostgresURL(parsing: "postgresql://ana:inurl@db.example.org/vigil")
        XCTAssertEqual(PostgresCredentials.resolve(for: withURL, environment: env.merging(["PGPASSWORD": "env"]) { $1 }).password, "inurl")
        XCTAssertEqual(PostgresCredentials.resolve(for: try PostgresURL(parsing: "postgresql://ben@x/y"), environment: env).password, "wild")
        XCTAssertEqual(PostgresCredentials.resolve(for: try PostgresURL(parsing: "postgresql://cy@/y?host=/tmp"), environment: env).password,
                       "socket-pw", "a Unix socket matches localhost")
        XCTAssertEqual(PostgresCredentials.resolve(for: try PostgresURL(parsing: "postgresql://db.example.org/vigil"),
                                                   environment: env.merging(["PGUSER": "ana"]) { $1 }).user, "ana")

        chmod(file, 0o644)
        let loose = PostgresCredentials.resolve(for: url, environment: env)
        XCTAssertNil(loose.password, "a password file others can read is ignored, as libpq does")
        XCTAssertTrue(loose.warnings.first?.contains("chmod 0600") ?? false, "\(loose.warnings)")
    }

    func testErrorMessagesNeverShowThePassword() {
        let error = PostgresStoreError.cannotConnect(url: "postgresql://ana@h/db", reason: "server said: bad password 'p4ssw0rd-x'", secret: "p4ssw0rd-x")
        XCTAssertFalse(error.description.contains("p4ssw0rd-x"), error.description)
        XCTAssertTrue(error.description.contains("***"), error.description)
    }

    func testDatesTravelOnlyInTheFormVigilWrites() {
        XCTAssertTrue(isVigilDate("2026-12-07 22:55:59.123"))
        XCTAssertFalse(isVigilDate("2026-12-07 22:55:59"))
        XCTAssertFalse(isVigilDate("2026-12-07T22:55:59.123"))
        XCTAssertFalse(isVigilDate("2026-12-07 22:55:59.123Z"))
    }
}
