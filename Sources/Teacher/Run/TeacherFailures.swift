import Foundation

/// The sentences of a run whose request failed: counted by cause, the first few kept whole,
/// so a run can say why it failed instead of only how often.
public struct TeacherFailures: Sendable, Equatable {
    /// One failed sentence and the error that ended its request.
    public struct Failure: Sendable, Equatable {
        public var sentenceID: Int64
        public var error: TeacherError

        /// `sentence 12: http://127.0.0.1:8000/v1/chat/completions: HTTP 500: …`.
        public var message: String { "sentence \(sentenceID): \(error)" }
    }

    /// How many failures are kept whole (the rest are only counted).
    public static let kept = 5

    /// Failed sentences by cause (`TeacherError.kind`).
    public private(set) var byKind: [String: Int] = [:]
    /// The first `kept` failures, in the order they happened.
    public private(set) var first: [Failure] = []
    public private(set) var total = 0

    public init() {}

    /// Counts a failure; true when it is one of the first `kept`.
    @discardableResult
    public mutating func add(sentenceID: Int64, error: TeacherError) -> Bool {
        total += 1
        byKind[error.kind, default: 0] += 1
        guard first.count < Self.kept else { return false }
        first.append(Failure(sentenceID: sentenceID, error: error))
        return true
    }

    /// `HTTP 500 ×3, timeout ×1`: the causes, most frequent first.
    public var tally: String {
        byKind.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }
            .joined(separator: ", ")
    }
}
