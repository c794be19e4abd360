import CCurl
import Foundation

/// One HTTP answer: status, raw header lines, body.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var headers: String
    public var body: Data
}

/// Why an HTTP GET failed before an answer arrived.
public enum HTTPGetError: Error, Equatable, Sendable, CustomStringConvertible {
    case transport(code: Int, url: String, message: String)
    case timeout(url: String, seconds: Double)
    /// The body grew past the limit (with or without a Content-Length); the transfer was cut there.
    case tooLarge(url: String, limit: Int)

    public var isRetryable: Bool {
        switch self {
        case let .transport(code, _, _): Self.retryableCurlCodes.contains(code)
        case .timeout: true
        case .tooLarge: false
        }
    }

    public var description: String {
        switch self {
        case let .transport(code, url, message): "\(url): \(message) (curl error \(code))"
        case let .timeout(url, seconds): "\(url): no answer within \(seconds) s"
        case let .tooLarge(url, limit): "\(url): \(Self.tooLargeText(limit))"
        }
    }

    /// curl codes worth another attempt: name resolution (5, 6), connect (7), HTTP/2 (16),
    /// partial file (18), timeout (28), empty reply (52), send/receive errors (55, 56), HTTP/2 stream (92).
    public static let retryableCurlCodes: Set<Int> = [5, 6, 7, 16, 18, 28, 52, 55, 56, 92]

    /// `response body larger than the limit of 1048576 bytes`.
    public static func tooLargeText(_ limit: Int) -> String {
        "response body larger than the limit of \(limit) bytes"
    }
}

/// Limits on what one HTTP answer may hold.
public enum HTTPLimits {
    /// The default cap on a chat answer's body: far above any chat completion.
    public static let chatResponseBytes = 4 << 20
    /// The default cap on an E-utilities answer: an efetch batch of a few hundred records in XML.
    public static let eutilitiesResponseBytes = 128 << 20
    /// The cap on the response's header lines.
    public static let headerBytes = 1 << 20
}

/// Parses a `--max-response-bytes` value: a byte count, or with a k, M or G suffix (powers of 1024).
public func parseByteCount(_ text: String) -> Int? {
    let units: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30]
    var digits = Substring(text.trimmingCharacters(in: .whitespaces))
    var scale = 1
    if let last = digits.last, let unit = units[last] {
        scale = unit
        digits = digits.dropLast()
    }
    guard let value = Int(digits), value > 0 else { return nil }
    let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
    return overflow ? nil : bytes
}

/// One transfer on an easy handle: sets the options, performs, collects status, headers and
/// body. A POST when `body` is given, a GET otherwise. TLS verification stays on (curl's default).
/// A body past `maxBodyBytes` (declared or streamed, counted after decompression) ends the
/// transfer with `.tooLarge`.
/// Any HTTP status is an answer; only transfer failures throw. The caller owns the handle and
/// should discard it after a failure.
func curlTransfer(_ curl: UnsafeMutableRawPointer, url: String, headers: [String], body: String? = nil,
                  timeout: Double, connectTimeout: Double, followRedirects: Bool = false,
                  maxBodyBytes: Int) throws(HTTPGetError) -> HTTPAnswer {
    var list: UnsafeMutablePointer<curl_slist>?
    for line in headers { list = curl_slist_append(list, line) }
    defer { curl_slist_free_all(list) }
    let bodyBuffer = UnsafeMutablePointer<ccurl_buffer>.allocate(capacity: 1)
    let headerBuffer = UnsafeMutablePointer<ccurl_buffer>.allocate(capacity: 1)
    bodyBuffer.initialize(to: ccurl_buffer(data: nil, length: 0, capacity: 0, limit: max(1, maxBodyBytes), overflowed: 0))
    headerBuffer.initialize(to: ccurl_buffer(data: nil, length: 0, capacity: 0, limit: HTTPLimits.headerBytes, overflowed: 0))
    defer {
        ccurl_buffer_free(bodyBuffer)
        ccurl_buffer_free(headerBuffer)
        bodyBuffer.deallocate()
        headerBuffer.deallocate()
    }
    var code = ccurl_setopt_string(curl, CURLOPT_URL, url)
    var options: [(CURLoption, Int)] = [(CURLOPT_NOSIGNAL, 1), (CURLOPT_TIMEOUT_MS, Int(timeout * 1000)),
                                        (CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000)),
                                        (CURLOPT_MAXFILESIZE, maxBodyBytes)]
    options.append(body == nil ? (CURLOPT_HTTPGET, 1) : (CURLOPT_POST, 1))
    if followRedirects { options += [(CURLOPT_FOLLOWLOCATION, 1), (CURLOPT_MAXREDIRS, 5)] }
    for (option, value) in options where code == CURLE_OK {
        code = ccurl_setopt_long(curl, option, value)
    }
    if code == CURLE_OK, body == nil { code = ccurl_setopt_string(curl, CURLOPT_ACCEPT_ENCODING, "") }
    if code == CURLE_OK { code = ccurl_setopt_slist(curl, CURLOPT_HTTPHEADER, list) }
    if code == CURLE_OK, let body { code = ccurl_setopt_postfields(curl, body, body.utf8.count) }
    if code == CURLE_OK { code = ccurl_setopt_buffers(curl, bodyBuffer, headerBuffer) }
    if code == CURLE_OK { code = curl_easy_perform(curl) }
    guard code == CURLE_OK else {
        if bodyBuffer.pointee.overflowed != 0 || code == CURLE_FILESIZE_EXCEEDED {
            throw .tooLarge(url: url, limit: maxBodyBytes)
        }
        if headerBuffer.pointee.overflowed != 0 {
            throw .transport(code: Int(code.rawValue), url: url, message: "response headers larger than \(HTTPLimits.headerBytes) bytes")
        }
        if code == CURLE_OPERATION_TIMEDOUT { throw .timeout(url: url, seconds: timeout) }
        throw .transport(code: Int(code.rawValue), url: url, message: String(cString: curl_easy_strerror(code)))
    }
    var status = 0
    _ = ccurl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
    return HTTPAnswer(status: status,
                      headers: headerBuffer.pointee.data.map { String(cString: $0) } ?? "",
                      body: bodyBuffer.pointee.data.map { Data(bytes: $0, count: bodyBuffer.pointee.length) } ?? Data())
}

/// Plain HTTP GET over libcurl (TLS verified, gzip accepted, redirects followed), for
/// downloads such as NCBI E-utilities. Not thread-safe: one instance per thread.
public final class CurlGet {
    public var timeout: Double
    public var connectTimeout: Double
    /// The most bytes one answer's body may hold.
    public var maxBodyBytes: Int
    private var handle: UnsafeMutableRawPointer?

    public init(timeout: Double = 60, connectTimeout: Double = 10, maxBodyBytes: Int = HTTPLimits.eutilitiesResponseBytes) {
        _ = curlGlobalInit
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    /// Fetches `url`; any HTTP status is an answer, only transfer failures throw.
    public func get(_ url: String, headers: [String] = []) throws(HTTPGetError) -> HTTPAnswer {
        if handle == nil { handle = curl_easy_init() } else { curl_easy_reset(handle) }
        guard let curl = handle else { throw .transport(code: -1, url: url, message: "curl_easy_init failed") }
        do {
            return try curlTransfer(curl, url: url, headers: headers, timeout: timeout, connectTimeout: connectTimeout,
                                    followRedirects: true, maxBodyBytes: maxBodyBytes)
        } catch {
            curl_easy_cleanup(curl)
            handle = nil
            throw error
        }
    }
}

/// Easy handles kept for reuse, so a client's connections stay open between requests.
/// Thread-safe: each request takes an idle handle (or a new one) and gives it back after a
/// clean transfer; a handle whose transfer failed is discarded.
public final class CurlHandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [UnsafeMutableRawPointer] = []

    public init() { _ = curlGlobalInit }

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
    }

    /// One POST of `body` (a GET when nil) to `url`, redirects not followed: any HTTP status is
    /// an answer, only transfer failures throw.
    public func send(_ url: String, headers: [String], body: String?, timeout: Double, connectTimeout: Double,
                     maxBodyBytes: Int) throws(HTTPGetError) -> HTTPAnswer {
        lock.lock()
        let reused = idle.popLast()
        lock.unlock()
        if let reused { curl_easy_reset(reused) }
        guard let curl = reused ?? curl_easy_init() else {
            throw .transport(code: -1, url: url, message: "curl_easy_init failed")
        }
        let answer: HTTPAnswer
        do {
            answer = try curlTransfer(curl, url: url, headers: headers, body: body, timeout: timeout,
                                      connectTimeout: connectTimeout, maxBodyBytes: maxBodyBytes)
        } catch {
            curl_easy_cleanup(curl)
            throw error
        }
        lock.lock()
        idle.append(curl)
        lock.unlock()
        return answer
    }
}
