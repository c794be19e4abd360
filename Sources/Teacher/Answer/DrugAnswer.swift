/// One drug of an answer with the ADE strings given for it, as written.
public struct DrugAnswer: Hashable, Sendable {
    public var drug: String
    /// ADE strings; empty means "no ADE for this drug".
    public var ades: [String]
    public init(drug: String, ades: [String]) {
        self.drug = drug
        self.ades = ades
    }
}

/// A parsed teacher answer: the drugs it names, in order, each once.
public struct ParsedAnswer: Hashable, Sendable {
    public var drugs: [DrugAnswer]
    /// True when the answer said `None` (and named no ADE).
    public var saidNone: Bool
    public init(drugs: [DrugAnswer], saidNone: Bool) {
        self.drugs = drugs
        self.saidNone = saidNone
    }
}
