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

    public var isRetryable: Bool {
        switch self {
        case let .transport(code, _, _): TeacherError.retryableCurlCodes.contains(code)
        case .timeout: true
        }
    }

    public var description: String {
        switch self {
        case let .transport(code, url, message): "\(url): \(message) (curl error \(code))"
        case let .timeout(url, seconds): "\(url): no answer within \(seconds) s"
        }
    }
}

/// One transfer on an easy handle: sets the options, performs, collects status, headers and
/// body. A POST when `body` is given, a GET otherwise. TLS verification stays on (curl's default).
/// Any HTTP status is an answer; only transfer failures throw. The caller owns the handle and
/// should discard it after a failure.
func curlTransfer(_ curl: UnsafeMutableRawPointer, url: String, headers: [String], body: String? = nil,
                  timeout: Double, connectTimeout: Double, followRedirects: Bool = false) throws(HTTPGetError) -> HTTPAnswer {
    var list: UnsafeMutablePointer<curl_slist>?
    for line in headers { list = curl_slist_append(list, line) }
    defer { curl_slist_free_all(list) }
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
    var options: [(CURLoption, Int)] = [(CURLOPT_NOSIGNAL, 1), (CURLOPT_TIMEOUT_MS, Int(timeout * 1000)),
                                        (CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout * 1000))]
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
    private var handle: UnsafeMutableRawPointer?

    public init(timeout: Double = 60, connectTimeout: Double = 10) {
        _ = curlGlobalInit
        self.timeout = timeout
        self.connectTimeout = connectTimeout
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
                                    followRedirects: true)
        } catch {
            curl_easy_cleanup(curl)
            handle = nil
            throw error
        }
    }
}
