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

    /// Takes a resumed run's settings: its selection, prompt and model.
    mutating func adopt(_ info: CorpusStore.TeacherRunInfo) {
        recorded = info.params
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
        if let base = s.baseURL { p["base_url"] = TeacherSettings.withoutCredentials(base) }
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
    var run: Int64
    var layer: String
    var outcome: String
    var error: String?
    var stats: TeacherRunStats
    var priced: Bool

    init(run: Int64, layer: String, outcome: TeacherRunner.Outcome, stats: TeacherRunStats, priced: Bool) {
        self.run = run
        self.layer = layer
        self.stats = stats
        self.priced = priced
        switch outcome {
        case .finished: self.outcome = "finished"
        case .cancelled: self.outcome = "cancelled"
        case .failed(let e):
            self.outcome = "failed"
            error = e.description
        }
    }

    enum CodingKeys: String, CodingKey { case run, layer, outcome, error, stats }

    var text: String {
        var line = "\(layer) \(outcome): \(stats.answered) sentences answered (\(stats.requests) requests, \(stats.cacheHits) from the cache), \(stats.errors) errors, \(stats.hallucinations) hallucinated ADE strings, \(stats.unknownDrugs) unknown drugs, \(stats.promptTokens)+\(stats.completionTokens) tokens"
        if priced { line += String(format: ", cost %.4f", stats.cost) }
        return line
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
