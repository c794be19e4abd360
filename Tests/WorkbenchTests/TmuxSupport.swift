import Foundation
import XCTest

/// The built `vigil` binary beside the test bundle.
var vigilBinary: URL { builtVigilBinary() ?? packageRoot.appendingPathComponent(".build/debug/vigil") }

/// Runs a program to completion with posix_spawn and waitpid (not Foundation's Process,
/// whose exit monitoring misses a client whose daemon child lives on), returning its status
/// and standard output (read from a temporary file, so a daemon cannot hold a pipe open).
@discardableResult
func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
    let outPath = NSTemporaryDirectory() + "vigil-run-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: outPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    var argv = ([path] + arguments).map { strdup($0) }
    argv.append(nil)
    var envp = env.map { strdup("\($0.key)=\($0.value)") }
    envp.append(nil)
    defer {
        for p in argv { free(p) }
        for p in envp { free(p) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard rc == 0 else { throw NSError(domain: "spawn \(path)", code: Int(rc)) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    return ((status >> 8) & 0xFF, output)
}

/// A tmux server of its own (its own socket, no user config) running one command in a pane.
final class TmuxSession {
    static let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    let socket = "vigil-e2e-\(UUID().uuidString.prefix(8))"
    let tmux: String

    /// Starts `command` in a detached session of the given size; skips the test without tmux.
    init(_ test: XCTestCase, command: String, width: Int = 120, height: Int = 36) throws {
        guard let tmux = Self.tmux else { throw XCTSkip("SKIPPED: tmux is not installed (apt-get install tmux)") }
        self.tmux = tmux
        try runProgram(tmux, ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "e2e",
                              "-x", String(width), "-y", String(height), command])
        let me = self
        test.addTeardownBlock { me.kill() }
    }

    /// Sends tmux key names (`j`, `Enter`, `C-r`, `Escape`).
    func keys(_ names: String...) throws {
        for name in names { try runProgram(tmux, ["-L", socket, "send-keys", "-t", "e2e", name]) }
    }

    /// Types text literally.
    func type(_ text: String) throws {
        try runProgram(tmux, ["-L", socket, "send-keys", "-t", "e2e", "-l", text])
    }

    func capture() -> String {
        (try? runProgram(tmux, ["-L", socket, "capture-pane", "-p", "-t", "e2e"]).1) ?? ""
    }

    /// Polls the pane until it shows `text`; fails (with the last screen) after `timeout` seconds.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 15, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = capture()
            if screen.contains(text) { return screen }
            usleep(50_000)
        }
        XCTFail("timed out waiting for \"\(text)\"; the screen was:\n\(screen)", file: file, line: line)
        throw TmuxTimeout(text: text)
    }

    /// Resizes the window (the program sees SIGWINCH).
    func resize(width: Int, height: Int) throws {
        try runProgram(tmux, ["-L", socket, "resize-window", "-t", "e2e", "-x", String(width), "-y", String(height)])
    }

    /// The process id of the pane's shell.
    func panePID() throws -> Int32? {
        Int32(try runProgram(tmux, ["-L", socket, "list-panes", "-t", "e2e", "-F", "#{pane_pid}"]).1
            .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func kill() {
        _ = try? runProgram(tmux, ["-L", socket, "kill-server"])
    }
}

struct TmuxTimeout: Error { var text: String }
