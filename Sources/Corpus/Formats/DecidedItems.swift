import Core

extension SentenceView {
    /// The sentence with only its decided items (accepted or "no ADE"), or `nil` when none
    /// is decided.
    ///
    /// The curated layer has no ADE for an item nobody has decided, which every export
    /// format would write as "no ADE"; exports of the curated layer keep only decided items
    /// unless asked for the rest.
    public func decidedItemsOnly() -> SentenceView? {
        var copy = self
        copy.drugs = drugs.filter(\.review.isDecided)
        return copy.drugs.isEmpty ? nil : copy
    }
}
