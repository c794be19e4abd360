/// A curator's verdict on one task unit, a (sentence, drug mention) item.
public enum ReviewState: String, CaseIterable, Codable, Sendable {
    /// Nobody has decided yet.
    case pending
    /// The ADE spans as shown are right (possibly after edits).
    case accepted
    /// This drug causes no ADE in this sentence: a negative example, not a gap.
    case noADE = "no-ade"
    /// Looked at and left for later.
    case skipped
    /// Needs a second opinion; carries a note.
    case flagged

    /// True for the states whose spans belong in the curated layer.
    public var isDecided: Bool { self == .accepted || self == .noADE }
}
