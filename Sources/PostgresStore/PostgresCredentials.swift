import Foundation

/// Who connects, and with which password, resolved as libpq does: the user from the URL, else
/// `$PGUSER`, else the login name; the password from the URL, else `$PGPASSWORD`, else the first
/// matching line of the password file (`$PGPASSFILE`, else `~/.pgpass`).
///
/// The password lives only here and in the connection handshake: nothing Vigil prints, logs or
/// stores is made from this value (`PostgresStoreError` hides it even where the server or the
/// network layer would echo it).
public struct PostgresCredentials: Sendable {
    public var user: String
    public var password: String?
    /// Where the password came from (`the URL`, `$PGPASSWORD`, the file's path), for messages.
    public var passwordSource: String?
    /// Things worth telling the user (a password file that others can read is ignored).
    public var warnings: [String]

    /// Resolves the credentials for `url` from `environment` (the process's by default).
    public static func resolve(for url: PostgresURL,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> PostgresCredentials {
        let user = url.user ?? environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? loginName()
        if let password = url.password {
            return PostgresCredentials(user: user, password: password, passwordSource: "the URL", warnings: [])
        }
        if let password = environment["PGPASSWORD"], !password.isEmpty {
            return PostgresCredentials(user: user, password: password, passwordSource: "$PGPASSWORD", warnings: [])
        }
        let file = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { $0 + "/.pgpass" }
        var warnings: [String] = []
        if let file, let found = PasswordFile.password(in: file, for: url, user: user, warnings: &warnings) {
            return PostgresCredentials(user: user, password: found, passwordSource: file, warnings: warnings)
        }
        return PostgresCredentials(user: user, password: nil, passwordSource: nil, warnings: warnings)
    }

    private static func loginName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "postgres"
    }
}

/// The PostgreSQL password file: lines `hostname:port:database:username:password`, `*` matching
/// anything, `\:` and `\\` escaping, `#` starting a comment. Ignored (with a warning) when its
/// permissions let anyone but its owner read it, as libpq does.
public enum PasswordFile {
    /// One entry of the file.
    public struct Entry: Equatable, Sendable {
        public var host, port, database, user, password: String
    }

    /// The entries of a password file's text; malformed lines (fewer than five fields) are skipped.
    public static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.hasPrefix("#") { continue }
            var fields: [String] = [], current = "", escaped = false
            for ch in line {
                if escaped { current.append(ch); escaped = false }
                else if ch == "\\" { escaped = true }
                else if ch == ":" && fields.count < 4 { fields.append(current); current = "" }
                else { current.append(ch) }
            }
            fields.append(current)
            guard fields.count == 5 else { continue }
            entries.append(Entry(host: fields[0], port: fields[1], database: fields[2], user: fields[3], password: fields[4]))
        }
        return entries
    }

    /// The password of the first entry matching `url` and `user`. A Unix socket matches the
    /// host `localhost` or the socket folder; the database defaults to the user name.
    public static func match(_ entries: [Entry], url: PostgresURL, user: String) -> String? {
        let hosts = url.host.map { [$0] } ?? ["localhost", url.socketFolder ?? ""]
        let database = url.database ?? user
        func fits(_ field: String, _ values: [String]) -> Bool { field == "*" || values.contains(field) }
        return entries.first {
            fits($0.host, hosts) && fits($0.port, [String(url.port)]) && fits($0.database, [database]) && fits($0.user, [user])
        }?.password
    }

    static func password(in path: String, for url: PostgresURL, user: String, warnings: inout [String]) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        if info.st_mode & 0o077 != 0 {
            warnings.append("\(path): the password file is ignored because others can read it (chmod 0600 \(path))")
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return match(parse(text), url: url, user: user)
    }
}
