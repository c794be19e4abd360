import Foundation

/// Where a corpus lives, as `--db` or `$VIGIL_DB` names it: a SQLite file (a path, or
/// `sqlite:PATH`) or a PostgreSQL database (`postgresql://…` or `postgres://…`).
public enum StoreLocation: Equatable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// Parses a `--db` value. Anything that does not start with a PostgreSQL scheme or
    /// `sqlite:` is a file path, as it has always been.
    public init(parsing text: String) throws {
        let lower = text.lowercased()
        if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") {
            self = .postgres(try PostgresURL(parsing: text))
        } else if lower.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            // `sqlite:///abs/path` and `sqlite://rel` are accepted as spellings of the path.
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw PostgresURLError(text: text, reason: "sqlite: needs a path (sqlite:corpus.sqlite)") }
            self = .sqlite(path: path)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// How the location is shown: the path, or the URL without its password.
    public var description: String {
        switch self {
        case let .sqlite(path): return path
        case let .postgres(url): return url.description
        }
    }
}

/// The TLS policy of a PostgreSQL connection, as libpq's `sslmode` names it.
public enum SSLMode: String, Sendable, CaseIterable {
    /// Never TLS.
    case disable
    /// TLS when the server offers it, unverified; plain otherwise (libpq's default).
    case prefer
    /// TLS or no connection; the certificate is not checked.
    case require
    /// TLS, with a certificate that chains to a trusted root; the host name is not checked.
    case verifyCA = "verify-ca"
    /// TLS, with a trusted certificate issued for the host connected to.
    case verifyFull = "verify-full"
}

/// A PostgreSQL connection URL, `postgresql://[user[:password]@][host][:port][/database][?param=value&…]`,
/// parsed the way libpq reads it, for the parameters Vigil supports:
///
/// - `host` (also `?host=`): a name or address for TCP, or an absolute folder for the Unix socket
///   `FOLDER/.s.PGSQL.PORT` (`?host=/run/postgresql`, or `%2Frun%2Fpostgresql` in the host place).
///   No host at all means the socket in `/var/run/postgresql`, as libpq on Debian.
/// - `sslmode`: `disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`; `sslrootcert`:
///   the PEM file of the roots to trust (else the system's). TLS does not apply to a Unix socket.
/// - `connect_timeout`: seconds.
///
/// The password, if the URL carries one, is kept apart from everything that is printed:
/// `description` never shows it.
public struct PostgresURL: Equatable, Sendable, CustomStringConvertible {
    public var user: String?
    /// Only from the URL; see `PostgresCredentials` for `PGPASSWORD` and `~/.pgpass`.
    public var password: String?
    /// A TCP host name or address; nil for a Unix socket.
    public var host: String?
    /// The folder of the Unix socket; nil for TCP.
    public var socketFolder: String?
    public var port: Int
    public var database: String?
    public var sslMode: SSLMode
    public var sslRootCert: String?
    public var connectTimeout: Int?

    /// The socket folder used when the URL names no host.
    public static let defaultSocketFolder = "/var/run/postgresql"

    public init(parsing text: String) throws {
        func fail(_ reason: String) -> PostgresURLError { PostgresURLError(text: text, reason: reason) }
        guard let schemeEnd = text.range(of: "://") else { throw fail("not a postgresql:// URL") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgresql" || scheme == "postgres" else { throw fail("the scheme must be postgresql://") }
        var rest = Substring(text[schemeEnd.upperBound...])

        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var hostPort = rest
        user = nil
        password = nil
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            hostPort = rest[rest.index(after: at)...]
            if let colon = info.firstIndex(of: ":") {
                user = try Self.decode(info[..<colon], fail)
                password = try Self.decode(info[info.index(after: colon)...], fail)
            } else {
                user = try Self.decode(info, fail)
            }
            if user == "" { user = nil }
        }

        var hostText: String
        var portText: Substring? = nil
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("an IPv6 address needs its closing ]") }
            hostText = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw fail("unexpected '\(after)' after the host") }
        } else if let colon = hostPort.lastIndex(of: ":") {
            hostText = try Self.decode(hostPort[..<colon], fail)
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            hostText = try Self.decode(hostPort, fail)
        }
        port = 5432
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else { throw fail("port '\(portText)' is not a number from 1 to 65535") }
            port = value
        }
        let db = try Self.decode(path, fail)
        database = db.isEmpty ? nil : db

        sslMode = .prefer
        sslRootCert = nil
        connectTimeout = nil
        if !query.isEmpty {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = try Self.decode(parts[0], fail)
                let value = parts.count > 1 ? try Self.decode(parts[1], fail) : ""
                switch key {
                case "sslmode":
                    guard let mode = SSLMode(rawValue: value) else {
                        throw fail("sslmode '\(value)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    sslMode = mode
                case "sslrootcert": sslRootCert = value
                case "host": hostText = value
                case "port":
                    guard let p = Int(value), (1...65535).contains(p) else { throw fail("port '\(value)' is not a number from 1 to 65535") }
                    port = p
                case "user": user = value.isEmpty ? nil : value
                case "dbname": database = value.isEmpty ? nil : value
                case "connect_timeout":
                    guard let seconds = Int(value), seconds >= 0 else { throw fail("connect_timeout '\(value)' is not a number of seconds") }
                    connectTimeout = seconds
                case "password":
                    // libpq accepts it; it is kept as secret as the one in the userinfo.
                    password = value
                default:
                    throw fail("unknown parameter '\(key)' (Vigil reads sslmode, sslrootcert, host, port, user, dbname, connect_timeout)")
                }
            }
        }
        if hostText.isEmpty {
            host = nil
            socketFolder = Self.defaultSocketFolder
        } else if hostText.hasPrefix("/") {
            host = nil
            socketFolder = hostText
        } else {
            host = hostText
            socketFolder = nil
        }
    }

    /// The Unix socket file, `FOLDER/.s.PGSQL.PORT`, when the URL names a socket folder.
    public var socketPath: String? {
        socketFolder.map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/.s.PGSQL.\(port)" }
    }

    /// The URL without its password (and without percent-encoding subtleties): safe to print.
    public var description: String {
        var text = "postgresql://"
        if let user { text += Self.encode(user) + "@" }
        if let host { text += host.contains(":") ? "[\(host)]" : host }
        if host != nil || port != 5432 { text += ":\(port)" }
        if let database { text += "/" + Self.encode(database) }
        var params: [String] = []
        if let socketFolder, socketFolder != Self.defaultSocketFolder { params.append("host=\(socketFolder)") }
        if sslMode != .prefer { params.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCert { params.append("sslrootcert=\(sslRootCert)") }
        if let connectTimeout { params.append("connect_timeout=\(connectTimeout)") }
        if !params.isEmpty { text += "?" + params.joined(separator: "&") }
        return text
    }

    private static func decode(_ text: Substring, _ fail: (String) -> PostgresURLError) throws -> String {
        guard let value = String(text).removingPercentEncoding else { throw fail("bad percent-encoding in '\(text)'") }
        return value
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/?#"))) ?? text
    }

    public static func == (a: PostgresURL, b: PostgresURL) -> Bool {
        a.user == b.user && a.password == b.password && a.host == b.host && a.socketFolder == b.socketFolder
            && a.port == b.port && a.database == b.database && a.sslMode == b.sslMode && a.sslRootCert == b.sslRootCert
            && a.connectTimeout == b.connectTimeout
    }
}

/// A `--db` value that cannot be read; the message shows the value with any password hidden.
public struct PostgresURLError: Error, CustomStringConvertible, Equatable {
    public let shown: String
    public let reason: String

    init(text: String, reason: String) {
        shown = PostgresURLError.hidingPassword(text)
        self.reason = reason
    }

    public var description: String { "--db \(shown): \(reason)" }

    /// `scheme://user:secret@host` → `scheme://user:***@host`, and `password=…` → `password=***`.
    static func hidingPassword(_ text: String) -> String {
        var out = text
        if let schemeEnd = out.range(of: "://") {
            let afterScheme = out[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            if let at = afterScheme[..<authorityEnd].lastIndex(of: "@"),
               let colon = afterScheme[..<at].firstIndex(of: ":") {
                out.replaceSubrange(out.index(after: colon)..<at, with: "***")
            }
        }
        if let range = out.range(of: "password=") {
            let end = out[range.upperBound...].firstIndex(of: "&") ?? out.endIndex
            out.replaceSubrange(range.upperBound..<end, with: "***")
        }
        return out
    }
}
