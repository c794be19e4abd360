/// Which drug an ADE belongs to, as a layer knows it.
///
/// Layers built on the corpus know the drug mention's id; layers from outside
/// (an `.rel` file, another tool's output) may only know its normalized name.
public struct DrugKey: Hashable, Sendable, CustomStringConvertible {
    public var mentionID: Int64?
    public var name: String

    public init(mentionID: Int64?, name: String) {
        self.mentionID = mentionID
        self.name = name.lowercased()
    }

    /// Same drug: same mention when both sides know it, else the same normalized name.
    public func matches(_ other: DrugKey) -> Bool {
        if let a = mentionID, let b = other.mentionID { return a == b }
        return name == other.name
    }

    public var description: String { name }
}

/// One end-to-end (drug, ADE) pair of a sentence: the unit the evaluation counts.
public struct ADEPair: Hashable, Sendable {
    public var sentenceID: Int64
    public var drug: DrugKey
    public var span: Span

    public init(sentenceID: Int64, drug: DrugKey, span: Span) {
        self.sentenceID = sentenceID
        self.drug = drug
        self.span = span
    }
}
