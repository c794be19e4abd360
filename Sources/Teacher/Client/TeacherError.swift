import HTTP
/// Errors of the teacher: each says what failed and whether the run can go on.
public enum TeacherError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered with an HTTP error status (the body is shortened, never holds the key).
    case http(status: Int, url: String, body: String)
    /// The transfer failed (connection refused, reset, TLS…): curl's code and message.
    case transport(code: Int, url: String, message: String)
    /// No complete answer within the timeout.
    case timeout(url: String, seconds: Double)
    /// The server answered 200 with something that is not a chat completion.
    case malformedResponse(url: String, reason: String)
    /// The answer's body grew past the limit; the transfer was cut there.
    case responseTooLarge(url: String, limit: Int)
    /// Every attempt failed; the last error is kept.
    indirect case gaveUp(attempts: Int, last: TeacherError)
    /// The replay file has no answer for this sentence.
    case noRecordedResponse(file: String, sentence: String)
    /// The replay file cannot be read or has a bad line.
    case badReplayFile(file: String, line: Int, reason: String)
    /// A setting is missing or wrong (names the flag or config key and value).
    case configuration(String)

    /// True for errors worth another attempt: 408, 429, 5xx, connection trouble, timeouts, garbled bodies.
    public var isRetryable: Bool {
        switch self {
        case let .http(status, _, _): return status == 408 || status == 409 || status == 429 || status >= 500
        case let .transport(code, _, _): return Self.retryableCurlCodes.contains(code)
        case .timeout, .malformedResponse: return true
        case .responseTooLarge, .gaveUp, .noRecordedResponse, .badReplayFile, .configuration: return false
        }
    }

    /// True for errors that must stop the whole run (the same would happen to every request).
    public var stopsRun: Bool {
        switch self {
        case let .http(status, _, _): return !isRetryable && status != 413 && status != 422
        case .transport: return !isRetryable
        case .badReplayFile, .configuration: return true
        case let .gaveUp(_, last): return last.stopsRun
        case .timeout, .malformedResponse, .responseTooLarge, .noRecordedResponse: return false
        }
    }

    /// The cause as a short kind, for counting failures: `HTTP 500`, `curl 7 (Couldn't connect to server)`,
    /// `timeout`, `parse error`, `body too large`… (`gaveUp` counts as its last error).
    public var kind: String {
        switch self {
        case let .http(status, _, _): return "HTTP \(status)"
        case let .transport(code, _, message): return "curl \(code) (\(message))"
        case .timeout: return "timeout"
        case .malformedResponse: return "parse error"
        case .responseTooLarge: return "body too large"
        case let .gaveUp(_, last): return last.kind
        case .noRecordedResponse: return "no recorded response"
        case .badReplayFile: return "bad replay file"
        case .configuration: return "configuration"
        }
    }

    /// curl codes worth retrying (the HTTP module's list).
    static var retryableCurlCodes: Set<Int> { HTTPGetError.retryableCurlCodes }

    public var description: String {
        switch self {
        case let .http(status, url, body):
            let hint: String
            switch status {
            case 401, 403: hint = " (check the API key: OPENAI_API_KEY or AZURE_OPENAI_API_KEY)"
            case 404: hint = " (check --base-url, --model and, for Azure, the deployment and api_version)"
            default: hint = ""
            }
            return "\(url): HTTP \(status)\(hint)\(body.isEmpty ? "" : ": " + body)"
        case let .transport(code, url, message): return "\(url): \(message) (curl error \(code))"
        case let .timeout(url, seconds): return "\(url): no answer within \(seconds) s"
        case let .malformedResponse(url, reason): return "\(url): not a chat completion: \(reason)"
        case let .responseTooLarge(url, limit):
            return "\(url): \(HTTPGetError.tooLargeText(limit)) (raise it with --max-response-bytes or teacher.max_response_bytes)"
        case let .gaveUp(attempts, last): return "gave up after \(attempts) attempts: \(last)"
        case let .noRecordedResponse(file, sentence): return "\(file): no recorded response for \"\(sentence.prefix(80))\""
        case let .badReplayFile(file, line, reason): return "\(file):\(line): \(reason)"
        case let .configuration(message): return message
        }
    }
}
