import ArgumentParser
import Core
import Corpus
import Foundation
import Teacher

/// What `vigil teach` will do: its flags, or a resumed run's recorded settings under them.
struct TeachPlan {
    var command: TeachCommand
    var teacher: String
    var split: SentenceSelection?
    var limit: Int?
    var pending: Bool
    var shots: Int
    var seed: UInt64
    var grounding: String
    var recorded: [String: String] = [:]
    var recordedModel: String?

    init(command: TeachCommand) {
        self.command = command
        teacher = command.teacher
        split = command.split
        limit = command.limit
        pending = command.pending
        shots = command.shots
        seed = command.seed
        grounding = command.grounding
    }

    /// Takes a resumed run's settings: its selection, prompt and model, and the endpoint it used last.
    mutating func adopt(_ info: CorpusStore.TeacherRunInfo, endpoints: [TeacherRunEndpoint] = []) {
        recorded = info.params
        if let latest = endpoints.max(by: { $0.lastUsedAt < $1.lastUsedAt }), latest.baseURL != nil {
            recorded["base_url"] = latest.baseURL
            if let kind = latest.kind { recorded["kind"] = kind }
        }
        recordedModel = info.model
        shots = info.shots ?? shots
        seed = info.seed.map { UInt64(truncatingIfNeeded: $0) } ?? seed
        teacher = info.params["teacher"] ?? teacher
        split = info.params["split"].flatMap { try? SentenceSelection(parsing: $0) }
        limit = info.params["limit"].flatMap { Int($0) }
        pending = info.params["pending"] == "true"
        grounding = info.params["grounding"] ?? grounding
    }

    /// The HTTP settings: flags, then a resumed run's record, then the config file and environment.
    func settings(environment: [String: String]) throws -> TeacherSettings {
        var s = try TeacherSettings.resolve(config: try ConfigFile.loadDefault(environment: environment),
                                            environment: environment)
        if let kind = command.kind ?? recorded["kind"], let k = EndpointKind(rawValue: kind) {
            s.kind = k
            if let key = environment[k.keyVariable], !key.isEmpty { s.apiKey = key }
        }
        s.baseURL = command.baseURL ?? recorded["base_url"] ?? s.baseURL
        s.model = command.model ?? recordedModel.flatMap { $0.hasPrefix("replay:") ? nil : $0 } ?? s.model
        s.apiVersion = command.apiVersion ?? recorded["api_version"] ?? s.apiVersion
        s.deployment = command.deployment ?? recorded["deployment"] ?? s.deployment
        s.temperature = command.temperature ?? recorded["temperature"].flatMap(Double.init) ?? s.temperature
        s.maxTokens = command.maxTokens ?? recorded["max_tokens"].flatMap { Int($0) } ?? s.maxTokens
        s.timeout = command.timeout ?? s.timeout
        s.concurrency = command.concurrency ?? s.concurrency
        s.rpm = command.rpm ?? s.rpm
        s.tpm = command.tpm ?? s.tpm
        s.maxAttempts = command.maxAttempts ?? s.maxAttempts
        s.maxResponseBytes = command.maxResponseBytes ?? s.maxResponseBytes
        return s
    }

    /// The model name recorded with the run.
    func model(_ settings: TeacherSettings) -> String {
        if teacher.hasPrefix("replay:") {
            return command.model ?? recordedModel
                ?? "replay:" + (String(teacher.dropFirst("replay:".count)) as NSString).lastPathComponent
        }
        return settings.model ?? settings.deployment ?? "unknown"
    }

    /// The run's recorded parameters (never the key).
    func params(_ s: TeacherSettings) -> [String: String] {
        var p: [String: String] = [
            "teacher": teacher, "kind": s.kind.rawValue, "temperature": String(s.temperature),
            "max_tokens": String(s.maxTokens), "grounding": grounding, "pending": String(pending),
        ]
        if let base = s.baseURL { p["base_url"] = Redaction.url(base) }
        if s.kind == .azure {
            p["api_version"] = s.apiVersion
            if let d = s.deployment { p["deployment"] = d }
        }
        if let split { p["split"] = split.description }
        if let limit { p["limit"] = String(limit) }
        return p
    }
}

/// The end-of-run report, as text and as JSON.
struct TeachSummary: Encodable {
    /// The exit status of a run that finished with some failed requests.
    static let partialExitCode: Int32 = 3

    var run: Int64
    var layer: String
    /// `finished` (every sentence answered), `partial` (some requests failed), `failed` (none
    /// succeeded, or a fatal error) or `cancelled`.
    var outcome: String
    var error: String?
    /// Sentences whose request failed in this process.
    var failed: Int
    /// Those failures by cause (`HTTP 500`, `timeout`, `parse error`…).
    var failures: [String: Int]
    var stats: TeacherRunStats
    var priced: Bool
    /// `HTTP 500 ×3, timeout ×1`.
    var tally: String

    init(run: Int64, layer: String, outcome: TeacherRunner.Outcome, failures: TeacherFailures, answeredNow: Int,
         stats: TeacherRunStats, priced: Bool) {
        self.run = run
        self.layer = layer
        self.stats = stats
        self.priced = priced
        failed = failures.total
        self.failures = failures.byKind
        tally = failures.tally
        let causes = failures.total == 0 ? "" : "\(failures.total) failed (\(failures.tally)); first: "
            + failures.first.map(\.message).joined(separator: " | ")
            + (failures.total > failures.first.count ? " | … \(failures.total - failures.first.count) more" : "")
        switch outcome {
        case .finished where failures.total == 0: self.outcome = "finished"
        case .finished where answeredNow > 0:
            self.outcome = "partial"
            error = "partial: \(causes); resume with `vigil teach --resume --run \(run)` to ask again"
        case .finished:
            self.outcome = "failed"
            error = "no request succeeded: \(causes)"
        case .cancelled:
            self.outcome = "cancelled"
            if failures.total > 0 { error = causes }
        case .failed(let e):
            self.outcome = "failed"
            error = e.description + (failures.total > 1 ? "; \(causes)" : "")
        }
    }

    enum CodingKeys: String, CodingKey { case run, layer, outcome, error, failed, failures, stats }

    var text: String {
        var line = "\(layer) \(outcome): \(stats.answered) sentences answered (\(stats.requests) requests, \(stats.cacheHits) from the cache), \(stats.errors) errors, \(stats.hallucinations) hallucinated ADE strings, \(stats.unknownDrugs) unknown drugs, \(stats.promptTokens)+\(stats.completionTokens) tokens"
        if priced { line += String(format: ", cost %.4f", stats.cost) }
        if failed > 0 {
            line += "; \(failed) failed in this run: \(tally)"
        }
        return line
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
