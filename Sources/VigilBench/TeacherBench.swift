// The teacher benchmark (issue 3): labeling throughput against a loopback chat server with
// simulated latency, at several concurrencies, with the client's CPU time per request.
//
// The server runs in a child process (this binary again, with VIGIL_BENCH_SERVE_LATENCY_MS
// set), so the CPU time measured is the labeling process's alone.
import Core
import Corpus
import Foundation
import TestServers
import Teacher

func teacherBench(_ options: Options) throws {
    let environment = ProcessInfo.processInfo.environment
    if let latency = environment["VIGIL_BENCH_SERVE_LATENCY_MS"].flatMap(Double.init) {
        try serveLoopback(latency: latency / 1000)
        exit(0)
    }
    let sentences = environment["VIGIL_BENCH_TEACHER_SENTENCES"].flatMap { Int($0) } ?? 1_000
    let latency = 0.1
    let (server, port) = try startLoopbackChild(latencyMilliseconds: Int(latency * 1000))
    defer { server.terminate() }

    let store = try temporaryCorpus()
    defer { remove(store) }
    _ = try store.ingest(syntheticBatch(sentences), into: .gold)
    let pool = try PromptBuilder.examplePool(store)

    print("| teacher benchmark (\(sentences) sentences, \(Int(latency * 1000)) ms latency, 5 shots) | wall | rate | of ideal | CPU per request | target |")
    print("|---|---|---|---|---|---|")
    for concurrency in [1, 8, 32] {
        // A model name per run, so that no answer comes from the cache.
        let model = "bench-c\(concurrency)"
        let layer = try store.createTeacherRun(.init(model: model, shots: 5, seed: 1))
        var settings = TeacherSettings()
        settings.kind = .vllm
        settings.baseURL = "http://127.0.0.1:\(port)/v1"
        settings.model = model
        settings.concurrency = concurrency
        let runner = TeacherRunner(store: store, layer: layer, backend: try CurlChatClient(settings: settings),
                                   builder: PromptBuilder(shots: 5, seed: 1, pool: pool), model: model,
                                   concurrency: concurrency)
        let views = try store.sentenceViews(layer: layer)
        let cpuBefore = processCPUSeconds()
        var outcome: TeacherRunner.Outcome = .finished
        let wall = try seconds { outcome = try runner.run(views) }
        let cpu = processCPUSeconds() - cpuBefore
        let stats = try store.teacherRunStats(run: layer.version ?? 0)
        guard outcome == .finished, stats.requests == sentences, stats.errors == 0 else {
            print("| concurrency \(concurrency) | failed: \(outcome), \(stats.requests) requests, \(stats.errors) errors | | | | |")
            continue
        }
        let rate = Double(stats.requests) / wall
        let ideal = Double(concurrency) / latency
        print(String(format: "| concurrency %d | %.2f s | %.1f req/s | %.0f%% of %.0f req/s | %.2f ms | ≥ 80%% |",
                     concurrency, wall, rate, rate / ideal * 100, ideal, cpu / Double(stats.requests) * 1000))
    }
}

/// User plus system CPU seconds of this process so far.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Starts this binary as a loopback server and reads the port it prints.
private func startLoopbackChild(latencyMilliseconds: Int) throws -> (Process, UInt16) {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--only", "teacher"]
    var env = ProcessInfo.processInfo.environment
    env["VIGIL_BENCH_SERVE_LATENCY_MS"] = String(latencyMilliseconds)
    child.environment = env
    let output = Pipe()
    child.standardOutput = output
    child.standardInput = Pipe()
    try child.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line.append(chunk)
    }
    guard let port = UInt16(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
        child.terminate()
        throw TeacherError.configuration("the loopback server child did not print its port")
    }
    return (child, port)
}

/// The child: answers every request after `latency` seconds with the synthetic sentence's
/// drug and its `rash` word, prints its port, and lives until its parent closes stdin.
private func serveLoopback(latency: Double) throws {
    let server = try LoopbackChatServer { request, _ in
        let words = (request.sentence ?? "").split(separator: " ")
        guard let drug = words.first(where: { $0.hasPrefix("drug") }),
              let ade = words.first(where: { $0.hasPrefix("rash") }) else { return .chat("None", delay: latency) }
        return .chat("\(drug): \(ade.trimmingCharacters(in: .punctuationCharacters))", delay: latency)
    }
    FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
    _ = FileHandle.standardInput.readDataToEndOfFile()
    server.stop()
}
