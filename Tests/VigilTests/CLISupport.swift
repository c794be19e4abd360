import Foundation
@_exported import VigilTestSupport
import XCTest

/// The built `vigil` binary beside the test bundle.
var vigilBinary: URL { builtVigilBinary() ?? packageRoot.appendingPathComponent(".build/debug/vigil") }

/// The result of one `vigil` run.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the real binary against a temporary corpus.
final class CLIHarness {
    let directory: URL
    let db: String

    init(_ test: XCTestCase) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        db = directory.appendingPathComponent("vigil.sqlite").path
        let dir = directory
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    }

    /// Runs `vigil ARGS --db <temp>` (the db goes through $VIGIL_DB so every subcommand gets it),
    /// from the package root unless `directory` is given.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL = packageRoot) throws -> RunResult {
        let result = try runToCompletion(vigilBinary, arguments, environment: ["VIGIL_DB": db].merging(environment) { $1 },
                                         in: directory)
        return RunResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Runs and fails the test unless the command succeeds.
    @discardableResult
    func ok(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try run(arguments)
        XCTAssertEqual(result.status, 0, "vigil \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result.stdout
    }

    func json(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let text = try ok(arguments, file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(object as? [String: Any], "not one JSON object: \(text)", file: file, line: line)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs bash scripts all at once against this corpus (from the package root) and waits
    /// for every one; returns each exit status with its stderr (kept in files, so no pipe can
    /// fill up and block a writer).
    func runScriptsAtOnce(_ scripts: [String]) throws -> [(status: Int32, stderr: String)] {
        let processes = try scripts.enumerated().map { index, script -> (Process, String) in
            let scriptPath = path("script\(index).sh"), errPath = path("script\(index).err")
            try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
            FileManager.default.createFile(atPath: errPath, contents: nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [scriptPath]
            var env = ProcessInfo.processInfo.environment
            env["VIGIL_DB"] = db
            p.environment = env
            p.currentDirectoryURL = packageRoot
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            try p.run()
            return (p, errPath)
        }
        return processes.map { p, errPath in
            p.waitUntilExit()
            return (p.terminationStatus, (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        }
    }
}

/// SampleData file path.
func sample(_ name: String) -> String { packageRoot.appendingPathComponent("SampleData/\(name)").path }
