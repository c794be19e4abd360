import Foundation

// Helpers the test targets share (one copy, not one per target): where the package is, where
// the built `vigil` is, and running a program with both of its outputs drained at once.

/// The package root, found from this file's path (Tests/Support/Support.swift).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built `vigil` beside the test bundles (`swift build --build-tests` builds it), else nil.
public func builtVigilBinary() -> URL? {
    var candidates = [Bundle.main.bundleURL.deletingLastPathComponent()]
    for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
        candidates.append(bundle.bundleURL.deletingLastPathComponent())
    }
    candidates.append(packageRoot.appendingPathComponent(".build/debug"))
    return candidates.map { $0.appendingPathComponent("vigil") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

/// What a finished program said.
public struct ProgramResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `executable` to completion with `environment` added to ours, from `directory` (the
/// package root unless given).
/// stdout and stderr are read at the same time, so a child that fills one pipe while the
/// other is being read can never block.
public func runToCompletion(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                            removing removed: [String] = [], in directory: URL = packageRoot) throws -> ProgramResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for key in removed { env[key] = nil }
    for (k, v) in environment { env[k] = v }
    process.environment = env
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    nonisolated(unsafe) var errData = Data()
    let stderrRead = DispatchGroup()
    stderrRead.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        stderrRead.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    stderrRead.wait()
    process.waitUntilExit()
    return ProgramResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}
