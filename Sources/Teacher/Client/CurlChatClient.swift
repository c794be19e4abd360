import Core
import Foundation
import HTTP

/// A chat-completions client over libcurl for OpenAI, Azure OpenAI, vLLM, llama.cpp and Ollama.
///
/// Thread-safe: each call takes an idle easy handle (so connections are reused), sends one
/// request, and retries 408/429/5xx, connection errors, timeouts and garbled bodies with
/// exponential backoff and jitter, honoring `Retry-After`. TLS verification stays on.
public final class CurlChatClient: TeacherBackend, @unchecked Sendable {
    public let settings: TeacherSettings
    public let url: String
    public let retry: RetryPolicy
    public let limiter: RateLimiter
    public var endpointKind: String { settings.kind.rawValue }
    /// The URL without credentials, for records and messages (errors name this one, never `url`).
    public let endpoint: String

    private let handles = CurlHandlePool()

    public init(settings: TeacherSettings, retry: RetryPolicy? = nil) throws {
        if let problem = curlInitializationError { throw TeacherError.configuration(problem) }
        self.settings = settings
        url = try settings.chatURL()
        endpoint = Redaction.url(url)
        self.retry = retry ?? RetryPolicy(maxAttempts: settings.maxAttempts)
        limiter = RateLimiter(rpm: settings.rpm, tpm: settings.tpm)
    }

    public func complete(_ request: TeacherRequest) throws -> TeacherReply {
        let body = ChatCompletionBody(request).json()
        let estimate = body.utf8.count / 4 + request.maxTokens
        var attempt = 0
        while true {
            attempt += 1
            if !limiter.isUnlimited { limiter.acquire(estimatedTokens: estimate) }
            let failure: TeacherError
            let retryAfter: Double?
            switch send(body) {
            case .success(let reply): return reply
            case .failure(let f):
                failure = f.error
                retryAfter = f.retryAfter
            }
            guard failure.isRetryable else { throw failure }
            guard attempt < retry.maxAttempts else { throw TeacherError.gaveUp(attempts: attempt, last: failure) }
            retry.sleep(retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
        }
    }

    struct Failure: Error {
        var error: TeacherError
        var retryAfter: Double?
    }

    /// One attempt.
    func send(_ body: String) -> Result<TeacherReply, Failure> {
        let answer: HTTPAnswer
        do {
            answer = try handles.send(url, headers: headerLines(), body: body, timeout: settings.timeout,
                                      connectTimeout: settings.connectTimeout, maxBodyBytes: settings.maxResponseBytes)
        } catch {
            switch error {
            case let .timeout(_, seconds): return .failure(Failure(error: .timeout(url: endpoint, seconds: seconds)))
            case let .transport(code, _, message):
                return .failure(Failure(error: .transport(code: code, url: endpoint, message: Redaction.redact(message))))
            case let .tooLarge(_, limit): return .failure(Failure(error: .responseTooLarge(url: endpoint, limit: limit)))
            }
        }
        let status = answer.status, data = answer.body, headerText = answer.headers
        guard status == 200 else {
            let snippet = Self.redacted(String(decoding: data.prefix(300), as: UTF8.self), key: settings.apiKey)
            return .failure(Failure(error: .http(status: status, url: endpoint, body: snippet),
                                    retryAfter: RetryPolicy.retryAfter(inHeaders: headerText)))
        }
        do {
            return .success(try ChatCompletionResponse.reply(from: data, url: endpoint))
        } catch {
            return .failure(Failure(error: error))
        }
    }

    /// Request headers; the key goes in `api-key` for Azure and `Authorization` otherwise.
    func headerLines() -> [String] {
        var lines = ["Content-Type: application/json", "Accept: application/json", "Expect:"]
        if let key = settings.apiKey, !key.isEmpty {
            lines.append(settings.kind == .azure ? "api-key: \(key)" : "Authorization: Bearer \(key)")
        }
        return lines
    }

    /// Text with every occurrence of the key replaced, for error messages.
    static func redacted(_ text: String, key: String?) -> String {
        guard let key, key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "[redacted]")
    }
}
