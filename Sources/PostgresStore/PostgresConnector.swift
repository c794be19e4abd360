import Foundation
import Logging
import PostgresNIO

/// One connection to a PostgreSQL corpus, made from a `PostgresURL` and `PostgresCredentials`.
///
/// Everything that fails here is a `PostgresStoreError` whose text names the database (its URL
/// without the password) and says what the server or the network said, with the password cut
/// out of it if it ever appeared there. postgres-nio's own log goes nowhere.
public final class PostgresConnector: @unchecked Sendable {
    public let url: PostgresURL
    let connection: PostgresConnection
    let logger: Logger
    /// The password, kept only to cut it out of messages (never shown, never logged).
    private let secret: String?

    private init(url: PostgresURL, connection: PostgresConnection, logger: Logger, secret: String?) {
        self.url = url
        self.connection = connection
        self.logger = logger
        self.secret = secret
    }

    /// Connects to `url` with the credentials resolved from `environment`; `warn` hears what the
    /// credential lookup had to say (a password file others can read).
    public static func connect(_ url: PostgresURL,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               warn: (String) -> Void = { _ in }) async throws -> PostgresConnector {
        let credentials = PostgresCredentials.resolve(for: url, environment: environment)
        credentials.warnings.forEach(warn)
        let configuration = try makeConfiguration(url, credentials)
        let logger = Logger(label: "vigil.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            let connector = PostgresConnector(url: url, connection: connection, logger: logger, secret: credentials.password)
            do {
                // Dates cross the wire as UTC text in `vigil db copy`; keep the session in UTC.
                try await connector.execute("SET TIME ZONE 'UTC'")
            } catch {
                await connector.close()
                throw error
            }
            return connector
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw PostgresStoreError.cannotConnect(url: url.description,
                                                   reason: reason(error, url: url, credentials: credentials),
                                                   secret: credentials.password)
        }
    }

    /// The postgres-nio configuration for `url`: TCP with the TLS that `sslmode` asks for, or
    /// the Unix socket (where TLS does not apply, as in libpq).
    static func makeConfiguration(_ url: PostgresURL, _ credentials: PostgresCredentials) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socket = url.socketPath {
            configuration = .init(unixSocketPath: socket, username: credentials.user, password: credentials.password,
                                  database: url.database)
        } else {
            configuration = .init(host: url.host ?? "localhost", port: url.port, username: credentials.user,
                                  password: credentials.password, database: url.database, tls: try tls(for: url))
        }
        if let seconds = url.connectTimeout, seconds > 0 { configuration.options.connectTimeout = .seconds(Int64(seconds)) }
        return configuration
    }

    /// TLS per `sslmode`: `prefer` and `require` encrypt without checking the certificate (as
    /// libpq does without a root certificate), `verify-ca` checks the chain, `verify-full` the
    /// chain and that the certificate names the host.
    static func tls(for url: PostgresURL) throws -> PostgresConnection.Configuration.TLS {
        guard url.sslMode != .disable else { return .disable }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .disable: return .disable
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let root = url.sslRootCert, root != "system" {
            guard FileManager.default.isReadableFile(atPath: root) else {
                throw PostgresStoreError.cannotConnect(url: url.description, reason: "sslrootcert \(root): no readable file there", secret: nil)
            }
            tls.trustRoots = .file(root)
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw PostgresStoreError.cannotConnect(url: url.description, reason: "TLS setup failed: \(error)", secret: nil)
        }
        return url.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    /// A connector dropped without `close()` (an error on the way) still closes its connection.
    deinit {
        guard !connection.isClosed else { return }
        // On its own event loop the close happens at once; elsewhere, wait for it (never wait on a loop).
        let closing: EventLoopFuture<Void> = connection.close()
        if !connection.eventLoop.inEventLoop { try? closing.wait() }
    }

    /// Closes the connection (errors on the way out are of no interest).
    public func close() async {
        try? await connection.close()
    }

    // MARK: Queries

    /// Runs one statement with no parameters.
    func execute(_ sql: String) async throws {
        _ = try await run(PostgresQuery(unsafeSQL: sql), sql: sql)
    }

    /// Runs one statement and returns all its rows.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await run(query, sql: query.sql)
    }

    private func run(_ query: PostgresQuery, sql: String) async throws -> [PostgresRow] {
        do {
            return try await connection.query(query, logger: logger).collect()
        } catch {
            throw PostgresStoreError.server(url: url.description, reason: Self.reason(error, url: url, credentials: nil),
                                            statement: Self.summary(sql), secret: secret)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () async throws -> T) async throws -> T {
        try await execute("BEGIN")
        do {
            let value = try await body()
            try await execute("COMMIT")
            return value
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    /// The first line of a statement, shortened: enough to say which one failed.
    static func summary(_ sql: String) -> String {
        let line = sql.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return line.count > 80 ? String(line.prefix(77)) + "..." : line
    }

    /// What went wrong, in words: the server's message (with detail and SQLSTATE) or the
    /// network's, never postgres-nio's generic description (which hides everything).
    static func reason(_ error: any Error, url: PostgresURL, credentials: PostgresCredentials?) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            var text = info[.message] ?? "the server refused"
            if let detail = info[.detail] { text += " (\(detail))" }
            if let code = info[.sqlState] { text += " [SQLSTATE \(code)]" }
            if code(info[.sqlState]) == "28", let credentials {
                text += credentials.passwordSource.map { " (user \(credentials.user), password from \($0))" }
                    ?? " (user \(credentials.user), no password: set one in the URL, $PGPASSWORD or ~/.pgpass)"
            }
            return text
        }
        let underlying = error.underlying.map { ": \($0)" } ?? ""
        switch error.code {
        case .connectionError:
            if let underlying = error.underlying, let tls = tlsReason(underlying, url: url) { return tls }
            return "cannot reach \(url.socketPath ?? "\(url.host ?? "localhost"):\(url.port)")\(underlying)"
        case .sslUnsupported:
            return "the server does not offer TLS, which sslmode=\(url.sslMode.rawValue) requires"
        case .authMechanismRequiresPassword:
            let user = credentials.map { " for user \($0.user)" } ?? ""
            return "the server asks for a password\(user), and none was found in the URL, $PGPASSWORD or ~/.pgpass"
        case .serverClosedConnection: return "the server closed the connection\(underlying)"
        case .failedToAddSSLHandler: return "TLS could not be set up\(underlying)"
        default: return "\(error.code)\(underlying)"
        }
    }

    /// A TLS handshake that failed, in words (the certificate's trust, or its host name).
    static func tlsReason(_ error: any Error, url: PostgresURL) -> String? {
        let text = "\(error)"
        let host = url.host ?? "localhost"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS: the server's certificate is not trusted (sslmode=\(url.sslMode.rawValue) checks it; name the CA that signed it with sslrootcert=FILE): \(text)"
        }
        if text.contains("failedToValidateHostname") {
            return "TLS: the server's certificate is not issued for \(host) (sslmode=verify-full checks the host name; verify-ca does not)"
        }
        if String(reflecting: type(of: error)).contains("SSL") { return "TLS handshake with \(host):\(url.port) failed: \(text)" }
        return nil
    }

    private static func code(_ sqlState: String?) -> String? { sqlState.map { String($0.prefix(2)) } }
}

/// Errors of the PostgreSQL store, each naming the database (without its password).
public enum PostgresStoreError: Error, CustomStringConvertible, Equatable {
    case cannotConnect(url: String, reason: String, secret: String?)
    case server(url: String, reason: String, statement: String, secret: String?)
    /// The server's schema has migrations this binary does not know: it was made by a newer Vigil.
    case schemaTooNew(url: String, unknown: [String], known: String)
    /// The server's schema lacks migrations (`vigil db init` brings it up to date).
    case schemaBehind(url: String, missing: [String])
    case noSchema(url: String)
    case badEncoding(url: String, encoding: String)
    case destinationNotEmpty(String, tables: [String])
    case destinationExists(String)
    case cannotCopy(String)

    public var description: String {
        let text: String
        var secret: String? = nil
        switch self {
        case let .cannotConnect(url, reason, s):
            text = "\(url): cannot connect: \(reason)"; secret = s
        case let .server(url, reason, statement, s):
            text = "\(url): \(reason) (in: \(statement))"; secret = s
        case let .schemaTooNew(url, unknown, known):
            text = "\(url): the corpus schema is newer than this vigil (it has \(unknown.joined(separator: ", ")); this vigil knows up to \(known)); use a newer vigil, nothing was changed"
        case let .schemaBehind(url, missing):
            text = "\(url): the corpus schema lacks \(missing.joined(separator: ", ")); run `vigil db init --db \(url)` to bring it up to date"
        case let .noSchema(url):
            text = "\(url): no Vigil corpus there (run `vigil db init --db \(url)`, or `vigil db copy` into it)"
        case let .badEncoding(url, encoding):
            text = "\(url): the database's encoding is \(encoding), not UTF8 (spans count characters; create it with `createdb -E UTF8 -T template0`)"
        case let .destinationNotEmpty(dest, tables):
            text = "\(dest): the destination already holds a corpus (rows in \(tables.joined(separator: ", "))); copy into an empty database, nothing was changed"
        case let .destinationExists(dest):
            text = "\(dest): the destination file exists; vigil db copy writes a new SQLite file, nothing was changed"
        case let .cannotCopy(message): text = message
        }
        return Self.hide(secret, in: text)
    }

    /// `text` with every occurrence of `secret` replaced by `***` (a last line of defence: no
    /// message is built from the password, but a server or a library might echo it).
    static func hide(_ secret: String?, in text: String) -> String {
        guard let secret, !secret.isEmpty else { return text }
        return text.replacingOccurrences(of: secret, with: "***")
    }
}
