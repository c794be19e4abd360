import Foundation
import XCTest

/// A PostgreSQL server of the tests' own: `initdb` into a temporary folder and `pg_ctl start`
/// on a Unix socket in that folder (no TCP port: `listen_addresses=''`), password
/// authentication (SCRAM) for the user `vigil`, stopped by `stop()`.
///
/// `initdb` refuses to run as root. When the tests run as root (CI may), the server runs as the
/// `postgres` system user (else `nobody`) through `runuser`, in a folder that user owns. The
/// binaries come from `$VIGIL_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`, else `$PATH`.
public final class ThrowawayPostgres: @unchecked Sendable {
    public let folder: URL
    public private(set) var port: Int
    public let user = "vigil"
    public let password: String
    let bin: String
    let runAs: String?
    /// With `start(tls: true)`: the server's self-signed certificate (for `localhost`), the CA
    /// to trust in `sslrootcert`; the server then also listens on 127.0.0.1:`port` over TLS only.
    public private(set) var certificate: String?
    private var running = true

    /// Why the server cannot be had here (a test skips with this message).
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// A PostgreSQL program that failed (a test fails with this message).
    public struct ToolFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// The folder with `initdb` and `pg_ctl`, or nil.
    public static func binaries(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let bin = environment["VIGIL_PG_BIN"], !bin.isEmpty { candidates.append(bin) }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb")
            && FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") }
    }

    /// Starts a fresh server; `Unavailable` when the binaries are missing or no unprivileged
    /// user can run them.
    public static func start(tls: Bool = false) throws -> ThrowawayPostgres {
        guard let bin = binaries() else {
            throw Unavailable(description: "PostgreSQL binaries (initdb, pg_ctl) not found: `make deps` installs the postgresql package (or apt-get install postgresql-15; set VIGIL_PG_BIN to their folder)")
        }
        var runAs: String? = nil
        var owner: (uid: uid_t, gid: gid_t)? = nil
        if geteuid() == 0 {
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") || FileManager.default.isExecutableFile(atPath: "/sbin/runuser") else {
                throw Unavailable(description: "running as root, and initdb refuses root: runuser (util-linux) is needed to run the test server as an unprivileged user")
            }
            guard let found = ["postgres", "nobody"].lazy.compactMap({ name -> (String, uid_t, gid_t)? in
                guard let pw = getpwnam(name) else { return nil }
                return (name, pw.pointee.pw_uid, pw.pointee.pw_gid)
            }).first else {
                throw Unavailable(description: "running as root, and initdb refuses root: no postgres or nobody user to run the test server as")
            }
            runAs = found.0
            owner = (found.1, found.2)
            // A container without the right to change user cannot run the server at all.
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser")
            probe.arguments = ["-u", found.0, "--", "/bin/true"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            try probe.run()
            probe.waitUntilExit()
            guard probe.terminationStatus == 0 else {
                throw Unavailable(description: "running as root, and initdb refuses root: `runuser -u \(found.0)` failed here (status \(probe.terminationStatus)), so no unprivileged user can run the test server")
            }
        }
        // Short: a Unix socket path must stay under ~100 bytes.
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("vigil-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let password = "pw-\(UUID().uuidString)"
        let passwordFile = folder.appendingPathComponent("pwfile")
        try (password + "\n").write(to: passwordFile, atomically: true, encoding: .utf8)
        if let owner {
            for path in [folder.path, passwordFile.path] { chown(path, owner.uid, owner.gid) }
        }
        chmod(folder.path, 0o700)
        var port = Int.random(in: 20000...60000)
        let server = ThrowawayPostgres(folder: folder, port: port, password: password, bin: bin, runAs: runAs)
        let data = folder.appendingPathComponent("data").path
        do {
            try server.runTool("initdb", ["-D", data, "-U", "vigil", "--pwfile=\(passwordFile.path)", "--auth=scram-sha-256",
                                          "-E", "UTF8", "--locale=C", "--no-sync"])
            var options = "-k \(folder.path) -c fsync=off -c full_page_writes=off"
            if tls {
                let key = folder.appendingPathComponent("server.key").path, crt = folder.appendingPathComponent("server.crt").path
                try server.runTool("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                                               "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                                   asServer: false, folder: "/usr/bin")
                chmod(key, 0o600)
                // Unix socket, and TCP on the loopback with TLS only: no plain host line.
                let hba = data + "/pg_hba.conf"
                try "local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n".write(toFile: hba, atomically: true, encoding: .utf8)
                if let owner { for path in [key, crt, hba] { chown(path, owner.uid, owner.gid) } }
                options += " -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=\(crt) -c ssl_key_file=\(key)"
                server.certificate = crt
            } else {
                options += " -c listen_addresses=''"
            }
            // A TCP port may be taken by someone else: a few tries.
            var attempt = 0
            while true {
                do {
                    try server.runTool("pg_ctl", ["-D", data, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60",
                                                  "-o", options + " -p \(port)", "start"])
                    break
                } catch where tls && attempt < 3 {
                    attempt += 1
                    port = Int.random(in: 20000...60000)
                    server.port = port
                }
            }
        } catch {
            server.running = false
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        return server
    }

    private init(folder: URL, port: Int, password: String, bin: String, runAs: String?) {
        self.folder = folder
        self.port = port
        self.password = password
        self.bin = bin
        self.runAs = runAs
    }

    /// `postgresql://vigil@:PORT/DATABASE?host=FOLDER` (no password in it: pass `PGPASSWORD`,
    /// see `environment`).
    public func url(_ database: String) -> String {
        "postgresql://\(user)@:\(port)/\(database)?host=\(folder.path)"
    }

    /// `postgresql://vigil@HOST:PORT/DATABASE?sslmode=MODE…` over TCP (a `start(tls: true)` server).
    public func tcpURL(_ database: String, host: String = "localhost", sslMode: String, trustCertificate: Bool = true) -> String {
        var url = "postgresql://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode)"
        if trustCertificate, let certificate { url += "&sslrootcert=\(certificate)" }
        return url
    }

    /// What a client needs besides the URL: the password.
    public var environment: [String: String] { ["PGPASSWORD": password] }

    /// Creates an empty UTF8 database.
    public func createDatabase(_ name: String) throws {
        try runTool("createdb", ["-h", folder.path, "-p", String(port), "-U", user, "-E", "UTF8", "-T", "template0", name],
                    asServer: false)
    }

    /// Runs `psql -c SQL` on `database` as the superuser `vigil`; returns its output.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> String {
        try runTool("psql", ["-h", folder.path, "-p", String(port), "-U", user, "-d", database, "-X", "-q", "-A", "-t",
                             "-v", "ON_ERROR_STOP=1", "-c", sql], asServer: false)
    }

    /// Stops the server (immediately: its data is thrown away) and removes its folder.
    public func stop() {
        guard running else { return }
        running = false
        _ = try? runTool("pg_ctl", ["-D", folder.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// Runs a PostgreSQL program to completion, its output in a file (a server started by
    /// pg_ctl inherits the descriptors, so a pipe would never reach its end).
    @discardableResult
    func runTool(_ name: String, _ arguments: [String], asServer: Bool = true, folder toolFolder: String? = nil) throws -> String {
        // Through bash, closing every descriptor above 2 first: Foundation's Process learns of
        // its child's exit when a socket it hands the child is closed, and a server that
        // pg_ctl leaves running would keep it open for ever.
        let closeAndExec = #"for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"; done; exec "$@""#
        let command = ["/bin/bash", "-c", closeAndExec, "bash", (toolFolder ?? bin) + "/" + name] + arguments
        let process = Process()
        if asServer, let runAs {
            process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser")
            process.arguments = ["-u", runAs, "--"] + command
        } else {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        }
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = password
        env["LC_ALL"] = "C"
        process.environment = env
        process.currentDirectoryURL = folder
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pg-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: logPath.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: logPath) }
        let log = try FileHandle(forWritingTo: logPath)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? log.close()
        let output = (try? String(contentsOf: logPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let serverLog = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw ToolFailed(description: "\(name) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)): \(output)\(serverLog.isEmpty ? "" : "\nserver log: \(serverLog.suffix(2000))")")
        }
        return output
    }
}

/// The throwaway server of one test class: started on the first `server()`, stopped by
/// `stop()` from the class's `tearDown`. Where PostgreSQL is missing, `server()` throws the
/// `Unavailable` reason as an `XCTSkip`, so every test of the class says why it skipped.
public final class ClassPostgres: @unchecked Sendable {
    private let tls: Bool
    private let lock = NSLock()
    private var started: Result<ThrowawayPostgres, any Error>?

    public init(tls: Bool = false) { self.tls = tls }

    public func server() throws -> ThrowawayPostgres {
        let result = lock.withLock {
            if started == nil { started = Result { try ThrowawayPostgres.start(tls: tls) } }
            return started!
        }
        switch result {
        case let .success(server): return server
        case let .failure(error as ThrowawayPostgres.Unavailable): throw XCTSkip(error.description)
        case let .failure(error): throw error
        }
    }

    public func stop() {
        lock.withLock {
            if case let .success(server)? = started { server.stop() }
            started = nil
        }
    }
}
