import CCurl
import Foundation

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
    /// The URL without credentials, for records and messages.
    public var endpoint: String { TeacherSettings.withoutCredentials(url) }

    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []

    public init(settings: TeacherSettings, retry: RetryPolicy? = nil) throws {
        guard curlGlobalInit == CURLE_OK else {
            throw TeacherError.configuration("libcurl could not initialize (curl error \(curlGlobalInit.rawValue))")
        }
        self.settings = settings
        url = try settings.chatURL()
        self.retry = retry ?? RetryPolicy(maxAttempts: settings.maxAttempts)
        limiter = RateLimiter(rpm: settings.rpm, tpm: settings.tpm)
    }

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
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
        let curl = takeHandle()
        var keep = true
        defer { giveBack(curl, keep: keep) }
        guard let curl else {
            return .failure(Failure(error: .transport(code: -1, url: url, message: "curl_easy_init failed")))
        }
        var headers: UnsafeMutablePointer<curl_slist>?
        for line in headerLines() { headers = curl_slist_append(headers, line) }
        defer { curl_slist_free_all(headers) }
        let bodyBuffer = UnsafeMutablePointer<ccurl_buffer>.allocate(capacity: 1)
        let headerBuffer = UnsafeMutablePointer<ccurl_buffer>.allocate(capacity: 1)
        bodyBuffer.initialize(to: ccurl_buffer())
        headerBuffer.initialize(to: ccurl_buffer())
        defer {
            ccurl_buffer_free(bodyBuffer)
            ccurl_buffer_free(headerBuffer)
            bodyBuffer.deallocate()
            headerBuffer.deallocate()
        }
        var code = ccurl_setopt_string(curl, CURLOPT_URL, url)
        for (option, value) in [(CURLOPT_NOSIGNAL, 1), (CURLOPT_POST, 1),
                                (CURLOPT_TIMEOUT_MS, Int(settings.timeout * 1000)),
                                (CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout * 1000))] where code == CURLE_OK {
            code = ccurl_setopt_long(curl, option, value)
        }
        if code == CURLE_OK { code = ccurl_setopt_slist(curl, CURLOPT_HTTPHEADER, headers) }
        if code == CURLE_OK { code = ccurl_setopt_postfields(curl, body, body.utf8.count) }
        if code == CURLE_OK { code = ccurl_setopt_buffers(curl, bodyBuffer, headerBuffer) }
        if code == CURLE_OK { code = curl_easy_perform(curl) }
        guard code == CURLE_OK else {
            keep = false
            let message = String(cString: curl_easy_strerror(code))
            if code == CURLE_OPERATION_TIMEDOUT {
                return .failure(Failure(error: .timeout(url: url, seconds: settings.timeout)))
            }
            return .failure(Failure(error: .transport(code: Int(code.rawValue), url: url, message: message)))
        }
        var status = 0
        _ = ccurl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        let data = bodyBuffer.pointee.data.map { Data(bytes: $0, count: bodyBuffer.pointee.length) } ?? Data()
        let headerText = headerBuffer.pointee.data.map { String(cString: $0) } ?? ""
        guard status == 200 else {
            let snippet = Self.redacted(String(decoding: data.prefix(300), as: UTF8.self), key: settings.apiKey)
            return .failure(Failure(error: .http(status: status, url: url, body: snippet),
                                    retryAfter: RetryPolicy.retryAfter(inHeaders: headerText)))
        }
        do {
            return .success(try ChatCompletionResponse.reply(from: data, url: url))
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

    private func takeHandle() -> UnsafeMutableRawPointer? {
        lock.lock()
        let handle = idle.popLast()
        lock.unlock()
        if let handle {
            curl_easy_reset(handle)
            return handle
        }
        return curl_easy_init()
    }

    private func giveBack(_ handle: UnsafeMutableRawPointer?, keep: Bool) {
        guard let handle else { return }
        guard keep else {
            curl_easy_cleanup(handle)
            return
        }
        lock.lock()
        idle.append(handle)
        lock.unlock()
    }
}
