import Foundation
@testable import PostgresStore
import VigilTestSupport
import XCTest

/// `sslmode` on a real server that listens on 127.0.0.1 over TLS only, with a self-signed
/// certificate for `localhost` (skipped without the PostgreSQL binaries).
final class PostgresTLSTests: XCTestCase {
    private static let postgres = ClassPostgres(tls: true)

    /// The class's server, started on first use (a skip where PostgreSQL is missing).
    static func server() throws -> ThrowawayPostgres { try postgres.server() }

    override class func tearDown() {
        postgres.stop()
        super.tearDown()
    }

    /// Connects and says whether the session is encrypted; throws what the connection threw.
    private func encrypted(_ url: String) async throws -> Bool {
        let server = try Self.server()
        let db = try await PostgresConnector.connect(try PostgresURL(parsing: url), environment: server.environment)
        let ssl = try await db.rows("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.decode(Bool.self)
        await db.close()
        return ssl ?? false
    }

    private func refusal(_ url: String) async throws -> String {
        do {
            _ = try await encrypted(url)
            XCTFail("\(url) connected")
            return ""
        } catch let skip as XCTSkip {
            throw skip
        } catch {
            return "\(error)"
        }
    }

    func testRequireAndPreferEncryptWithoutCheckingTheCertificate() async throws {
        let server = try Self.server()
        let require = try await encrypted(server.tcpURL("postgres", sslMode: "require", trustCertificate: false))
        XCTAssertTrue(require)
        let prefer = try await encrypted(server.tcpURL("postgres", sslMode: "prefer", trustCertificate: false))
        XCTAssertTrue(prefer, "prefer takes TLS when the server offers it")
    }

    func testVerifyFullChecksTheCertificateAndTheHost() async throws {
        let server = try Self.server()
        let trusted = try await encrypted(server.tcpURL("postgres", sslMode: "verify-full"))
        XCTAssertTrue(trusted)
        let untrusted = try await refusal(server.tcpURL("postgres", sslMode: "verify-full", trustCertificate: false))
        XCTAssertFalse(untrusted.contains(server.password), untrusted)
        let wrongHost = try await refusal(server.tcpURL("postgres", host: "127.0.0.1", sslMode: "verify-full"))
        XCTAssertFalse(wrongHost.contains(server.password), wrongHost)
        XCTAssertTrue(untrusted.contains("certificate is not trusted"), untrusted)
        XCTAssertTrue(wrongHost.contains("certificate is not issued for 127.0.0.1"), wrongHost)
        let chainOnly = try await encrypted(server.tcpURL("postgres", host: "127.0.0.1", sslMode: "verify-ca"))
        XCTAssertTrue(chainOnly, "verify-ca checks the chain, not the name")
    }

    func testDisableIsPlainAndThisServerRefusesPlain() async throws {
        let server = try Self.server()
        let plain = try await refusal(server.tcpURL("postgres", host: "127.0.0.1", sslMode: "disable"))
        XCTAssertTrue(plain.contains("no pg_hba.conf entry"), plain)
        XCTAssertTrue(plain.contains("no encryption"), plain)
        let missingRoot = try await refusal(server.tcpURL("postgres", sslMode: "verify-full", trustCertificate: false) + "&sslrootcert=/nonexistent.pem")
        XCTAssertTrue(missingRoot.contains("sslrootcert /nonexistent.pem"), missingRoot)
    }
}
