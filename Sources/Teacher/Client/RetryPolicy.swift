import Foundation

/// Exponential backoff with jitter, honoring the server's `Retry-After`.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// The longest `Retry-After` honored, in seconds.
    public var maxRetryAfter: Double
    /// How the client waits (tests record instead of sleeping).
    public var sleep: @Sendable (Double) -> Void

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 300,
                sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.sleep = sleep
    }

    /// The wait before attempt `attempt + 1`: half to all of base·2^(attempt−1), capped, and
    /// never less than the server's `Retry-After`.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        let exponential = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        let jittered = exponential * Double.random(in: 0.5...1.0)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maxRetryAfter))
    }

    /// Parses `Retry-After` (seconds or an HTTP date) or `retry-after-ms` from raw header lines;
    /// the last response's value wins.
    public static func retryAfter(inHeaders headers: String, now: Date = Date()) -> Double? {
        var result: Double?
        for line in headers.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "retry-after-ms", let ms = Double(value), ms >= 0 {
                result = ms / 1000
            } else if name == "retry-after" {
                if let seconds = Double(value), seconds >= 0 {
                    result = seconds
                } else {
                    let formatter = DateFormatter()
                    formatter.locale = Locale(identifier: "en_US_POSIX")
                    formatter.timeZone = TimeZone(identifier: "GMT")
                    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
                    if let date = formatter.date(from: value) { result = max(0, date.timeIntervalSince(now)) }
                }
            }
        }
        return result
    }
}
