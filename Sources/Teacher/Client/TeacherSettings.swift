import Core
import Corpus
import Foundation
import HTTP

/// The kinds of OpenAI-compatible endpoints the teacher speaks to.
public enum EndpointKind: String, Sendable, CaseIterable {
    case openai, azure, vllm, llamacpp, ollama

    /// Where a server of this kind usually listens; Azure has no default.
    public var defaultBaseURL: String? {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .azure: nil
        case .vllm: "http://localhost:8000/v1"
        case .llamacpp: "http://localhost:8080/v1"
        case .ollama: "http://localhost:11434/v1"
        }
    }

    /// The environment variable that holds the API key for this kind.
    public var keyVariable: String { self == .azure ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY" }
}

/// Everything the HTTP teacher needs, resolved from flags, the config file's `[teacher]`
/// table and the environment (flags beat the file; the environment's key beats the file's).
public struct TeacherSettings: Sendable, CustomStringConvertible {
    public var kind: EndpointKind = .openai
    public var baseURL: String?
    public var model: String?
    /// Azure only: the API version (`api-version` query parameter).
    public var apiVersion = "2024-02-01"
    /// Azure only: the deployment name (defaults to the model).
    public var deployment: String?
    public var temperature = 0.0
    public var maxTokens = 512
    /// Seconds for one whole request.
    public var timeout = 60.0
    public var connectTimeout = 10.0
    /// Requests in flight at once.
    public var concurrency = 4
    /// Optional requests-per-minute and tokens-per-minute limits.
    public var rpm: Int?
    public var tpm: Int?
    /// Prices per 1,000 prompt and completion tokens, for the cost report.
    public var pricePrompt: Double?
    public var priceCompletion: Double?
    /// Attempts per request, the first included.
    public var maxAttempts = 6
    /// The most bytes one answer's body may hold; a longer answer fails its request.
    public var maxResponseBytes = HTTPLimits.chatResponseBytes
    /// The API key; never stored, logged or printed (see `description`).
    public var apiKey: String?

    public init() {}

    /// The settings of the config file's `[teacher]` table and the environment.
    public static func resolve(config: ConfigFile, environment: [String: String]) throws -> TeacherSettings {
        var s = TeacherSettings()
        if let kind = try config.string("teacher.kind") {
            guard let k = EndpointKind(rawValue: kind.lowercased()) else {
                throw config.invalid("teacher.kind", "\"\(kind)\" is not one of \(EndpointKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            s.kind = k
        }
        s.baseURL = try config.string("teacher.base_url")
        s.model = try config.string("teacher.model")
        s.apiVersion = try config.string("teacher.api_version") ?? s.apiVersion
        s.deployment = try config.string("teacher.deployment")
        s.temperature = try config.double("teacher.temperature") ?? s.temperature
        s.maxTokens = try config.int("teacher.max_tokens") ?? s.maxTokens
        s.timeout = try config.double("teacher.timeout") ?? s.timeout
        s.concurrency = try config.int("teacher.concurrency") ?? s.concurrency
        s.rpm = try config.int("teacher.rpm")
        s.tpm = try config.int("teacher.tpm")
        s.pricePrompt = try config.double("teacher.price_prompt")
        s.priceCompletion = try config.double("teacher.price_completion")
        if let bytes = try? config.int("teacher.max_response_bytes") {
            s.maxResponseBytes = bytes
        } else if let text = try config.string("teacher.max_response_bytes") {
            guard let bytes = parseByteCount(text) else {
                throw config.invalid("teacher.max_response_bytes", "\"\(text)\" is not a byte count (e.g. 4194304, 512k, 4M)")
            }
            s.maxResponseBytes = bytes
        }
        for (key, value) in [("teacher.max_tokens", s.maxTokens), ("teacher.concurrency", s.concurrency),
                             ("teacher.rpm", s.rpm ?? 1), ("teacher.tpm", s.tpm ?? 1),
                             ("teacher.max_response_bytes", s.maxResponseBytes)] where value < 1 {
            throw config.invalid(key, "must be at least 1, found \(value)")
        }
        if s.timeout <= 0 { throw config.invalid("teacher.timeout", "must be positive, found \(s.timeout)") }
        if let key = environment[s.kind.keyVariable], !key.isEmpty {
            s.apiKey = key
        } else if let key = try config.string("teacher.api_key"), !key.isEmpty {
            guard let mode = config.mode, mode & 0o077 == 0 else {
                throw config.invalid("teacher.api_key", String(format: "the file holds an API key but its mode is %o; run `chmod 600 %@` (or use $%@)",
                                                               config.mode ?? 0, config.path ?? "", s.kind.keyVariable))
            }
            s.apiKey = key
        }
        return s
    }

    /// The chat-completions URL for these settings.
    public func chatURL() throws -> String {
        guard var base = baseURL ?? kind.defaultBaseURL else {
            throw TeacherError.configuration("--base-url (teacher.base_url) is required for \(kind.rawValue) endpoints")
        }
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw TeacherError.configuration("--base-url \(base): must start with http:// or https://")
        }
        if kind == .azure {
            guard let deployment = deployment ?? model else {
                throw TeacherError.configuration("Azure needs a deployment (--deployment or teacher.deployment)")
            }
            let name = deployment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? deployment
            let version = apiVersion.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? apiVersion
            return "\(base)/openai/deployments/\(name)/chat/completions?api-version=\(version)"
        }
        return base.hasSuffix("/chat/completions") ? base : base + "/chat/completions"
    }

    /// The settings without the key.
    public var description: String {
        "\(kind.rawValue) \(Redaction.url(baseURL ?? kind.defaultBaseURL ?? "?")) model \(model ?? deployment ?? "?") key \(apiKey == nil ? "none" : "set")"
    }
}
