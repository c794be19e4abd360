import Foundation

/// Optional requests-per-minute and tokens-per-minute limits shared by all workers.
/// Each call reserves its slot and its tokens, then sleeps until they are due.
public final class RateLimiter: @unchecked Sendable {
    private let rpm: Int?
    private let tpm: Int?
    private let lock = NSLock()
    private var nextSlot = 0.0
    private var tokens: Double
    private var refilledAt: Double

    public init(rpm: Int?, tpm: Int?) {
        self.rpm = rpm
        self.tpm = tpm
        tokens = Double(tpm ?? 0)
        refilledAt = Self.now()
    }

    /// True when neither limit is set.
    public var isUnlimited: Bool { rpm == nil && tpm == nil }

    /// Seconds the caller must wait before sending a request of about `estimatedTokens`; the
    /// reservation is made at once, so concurrent callers queue up fairly.
    public func reserve(estimatedTokens: Int) -> Double {
        lock.lock()
        defer { lock.unlock() }
        let now = Self.now()
        var wait = 0.0
        if let rpm, rpm > 0 {
            let start = max(now, nextSlot)
            nextSlot = start + 60 / Double(rpm)
            wait = start - now
        }
        if let tpm, tpm > 0 {
            let perSecond = Double(tpm) / 60
            tokens = min(Double(tpm), tokens + (now - refilledAt) * perSecond)
            refilledAt = now
            let need = Double(min(estimatedTokens, tpm))
            if tokens < need { wait = max(wait, (need - tokens) / perSecond) }
            tokens -= need
        }
        return wait
    }

    /// Reserves and sleeps.
    public func acquire(estimatedTokens: Int) {
        let wait = reserve(estimatedTokens: estimatedTokens)
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
