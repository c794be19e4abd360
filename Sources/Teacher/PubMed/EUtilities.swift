import Core
import Foundation
import HTTP
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The paper's PubMed query: drug-therapy case reports with an abstract, about adverse effects.
public let paperPubMedQuery =
    "\"adverse effects\"[sh] AND (hasabstract[text] AND Case Reports[ptyp]) AND \"drug therapy\"[sh] AND English[lang]"

/// What `esearch` with `usehistory=y` returns: the hit count and where the results wait.
public struct ESearchResult: Hashable, Sendable {
    public var count: Int
    public var webEnv: String
    public var queryKey: String
}

/// Why an E-utilities call failed.
public enum EUtilitiesError: Error, Equatable, Sendable, CustomStringConvertible {
    case http(status: Int, url: String, body: String)
    case transfer(HTTPGetError)
    case gaveUp(attempts: Int, last: String)
    /// NCBI answered, but with an error message or an unreadable document.
    case badAnswer(url: String, reason: String)

    public var description: String {
        switch self {
        case let .http(status, url, body): "\(url): HTTP \(status)\(body.isEmpty ? "" : ": " + body)"
        case let .transfer(error): error.description
        case let .gaveUp(attempts, last): "gave up after \(attempts) attempts: \(last)"
        case let .badAnswer(url, reason): "\(url): \(reason)"
        }
    }
}

/// Spaces requests at least `interval` seconds apart (NCBI: 3 requests/s, 10 with an API key).
public struct RequestPacer: Sendable {
    public var interval: Double
    private var last: Double?

    public init(perSecond: Double) {
        interval = 1 / perSecond
    }

    /// How long to wait before a request at time `now` (seconds), recording that it is sent then.
    public mutating func wait(now: Double) -> Double {
        let delay = last.map { max(0, $0 + interval - now) } ?? 0
        last = now + delay
        return delay
    }
}

/// An NCBI E-utilities client over libcurl: esearch with history, then efetch in batches.
///
/// Requests are paced to NCBI's limit; 429, 5xx, dropped connections and timeouts are retried
/// with exponential backoff and jitter, honoring `Retry-After`, as the teacher client does.
/// The API key goes in the URL (NCBI's way) and never into errors.
public final class EUtilitiesClient {
    public let baseURL: String
    public let tool: String
    public let email: String?
    private let apiKey: String?
    public let retry: RetryPolicy
    private var pacer: RequestPacer
    private let http: CurlGet
    /// Seconds since an arbitrary origin (injectable for tests).
    private let clock: () -> Double

    public init(baseURL: String = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils", email: String? = nil,
                apiKey: String? = nil, tool: String = "vigil", retry: RetryPolicy = RetryPolicy(),
                timeout: Double = 120, maxResponseBytes: Int = HTTPLimits.eutilitiesResponseBytes,
                clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.email = email
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.tool = tool
        self.retry = retry
        pacer = RequestPacer(perSecond: self.apiKey == nil ? 3 : 10)
        http = CurlGet(timeout: timeout, maxBodyBytes: maxResponseBytes)
        self.clock = clock
    }

    /// Runs the query and keeps its results on NCBI's history server.
    public func search(_ query: String) throws -> ESearchResult {
        let data = try call("esearch.fcgi", ["db": "pubmed", "term": query, "usehistory": "y", "retmax": "0"])
        return try ESearchReader.parse(data, url: "\(baseURL)/esearch.fcgi")
    }

    /// Fetches `count` records from `start` of a search's results, as PubMed XML.
    public func fetch(_ search: ESearchResult, start: Int, count: Int) throws -> Data {
        try call("efetch.fcgi", ["db": "pubmed", "WebEnv": search.webEnv, "query_key": search.queryKey,
                                 "retstart": String(start), "retmax": String(count), "retmode": "xml"])
    }

    /// One call with pacing and retries; returns the body of a 200 answer.
    private func call(_ endpoint: String, _ parameters: [String: String]) throws -> Data {
        var query = parameters
        query["tool"] = tool
        if let email { query["email"] = email }
        if let apiKey { query["api_key"] = apiKey }
        let url = "\(baseURL)/\(endpoint)?" + query.keys.sorted().map { "\($0)=\(Self.escape(query[$0]!))" }
            .joined(separator: "&")
        let shown = Redaction.url("\(baseURL)/\(endpoint)")
        var attempt = 0
        while true {
            attempt += 1
            let wait = pacer.wait(now: clock())
            if wait > 0 { retry.sleep(wait) }
            let failure: String
            var retryAfter: Double?
            do {
                let answer = try http.get(url)
                if answer.status == 200 { return answer.body }
                let body = String(decoding: answer.body.prefix(200), as: UTF8.self)
                let error = EUtilitiesError.http(status: answer.status, url: shown, body: redacted(body))
                guard answer.status == 429 || answer.status == 408 || answer.status >= 500 else { throw error }
                failure = error.description
                retryAfter = RetryPolicy.retryAfter(inHeaders: answer.headers)
            } catch let error as HTTPGetError {
                if case let .tooLarge(_, limit) = error {
                    throw EUtilitiesError.badAnswer(url: shown, reason: HTTPGetError.tooLargeText(limit)
                        + " (raise it with --max-response-bytes or lower --batch)")
                }
                let message = redacted(error.description.replacingOccurrences(of: url, with: shown))
                guard error.isRetryable else { throw EUtilitiesError.badAnswer(url: shown, reason: message) }
                failure = message
            }
            guard attempt < retry.maxAttempts else { throw EUtilitiesError.gaveUp(attempts: attempt, last: failure) }
            retry.sleep(retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
        }
    }

    private func redacted(_ text: String) -> String {
        guard let apiKey else { return text }
        return text.replacingOccurrences(of: apiKey, with: "[redacted]")
    }

    /// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// Reads an `eSearchResult` document.
enum ESearchReader {
    static func parse(_ data: Data, url: String) throws -> ESearchResult {
        let parser = XMLParser(data: data)
        let reader = Reader()
        parser.delegate = reader
        _ = parser.parse()
        if let error = reader.errors.first {
            throw EUtilitiesError.badAnswer(url: url, reason: "NCBI says: \(error)")
        }
        guard parser.parserError == nil, let count = reader.fields["Count"].flatMap({ Int($0) }),
              let webEnv = reader.fields["WebEnv"], !webEnv.isEmpty,
              let queryKey = reader.fields["QueryKey"], !queryKey.isEmpty else {
            throw EUtilitiesError.badAnswer(url: url, reason: "not an esearch result with Count, WebEnv and QueryKey")
        }
        return ESearchResult(count: count, webEnv: webEnv, queryKey: queryKey)
    }

    /// Keeps the first top-level `Count`, `WebEnv` and `QueryKey`, and any `ERROR` text.
    private final class Reader: NSObject, XMLParserDelegate {
        var fields: [String: String] = [:]
        var errors: [String] = []
        private var depth = 0
        private var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            depth += 1
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { depth -= 1 }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if name == "ERROR" { errors.append(value) }
            if depth == 2, ["Count", "WebEnv", "QueryKey"].contains(name), fields[name] == nil { fields[name] = value }
        }
    }
}
