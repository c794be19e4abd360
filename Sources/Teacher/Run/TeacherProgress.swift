import Foundation

/// A snapshot of a run in progress, for stderr and the jobs table.
public struct TeacherProgress: Sendable {
    /// Sentences answered, including those answered before a resume.
    public var done: Int
    public var total: Int
    /// Answered in this process.
    public var doneNow: Int
    public var requests: Int
    public var cacheHits: Int
    public var errors: Int
    public var hallucinations: Int
    public var elapsed: Double

    /// Answers per second in this process.
    public var rate: Double { elapsed > 0 ? Double(doneNow) / elapsed : 0 }

    /// Seconds to go at the current rate, when known.
    public var eta: Double? {
        guard rate > 0 else { return nil }
        return Double(total - done) / rate
    }

    /// `120/1000 sentences, 8.1/s, 12 cached, 0 errors, 3 hallucinations, ETA 1m48s`.
    public var message: String {
        var text = "\(done)/\(total) sentences, \(String(format: "%.1f", rate))/s, \(requests) requests, \(cacheHits) cached, \(errors) errors, \(hallucinations) hallucinations"
        if let eta, done < total { text += ", ETA " + Self.duration(eta) }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
