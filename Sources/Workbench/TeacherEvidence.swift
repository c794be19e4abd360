import Corpus

/// A teacher string that could not be placed in the sentence (shown in the tray).
public struct UngroundedString: Hashable, Sendable {
    public var drug: String
    public var drugMentionID: Int64?
    public var text: String
    public var reason: String
    public init(drug: String, drugMentionID: Int64?, text: String, reason: String) {
        self.drug = drug
        self.drugMentionID = drugMentionID
        self.text = text
        self.reason = reason
    }
}

/// The raw exchange behind a teacher proposal.
public struct TeacherExchangeView: Hashable, Sendable {
    public var model: String
    public var prompt: String
    public var response: String
    public init(model: String, prompt: String, response: String) {
        self.model = model
        self.prompt = prompt
        self.response = response
    }
}

/// Where the workbench reads the teacher's ungrounded strings and raw exchanges. The
/// Teacher issue provides the real source; `NoTeacherEvidence` is the default.
public protocol TeacherEvidenceSource: Sendable {
    func ungrounded(sentenceID: Int64, teacherRun: Int64) throws -> [UngroundedString]
    func exchange(sentenceID: Int64, teacherRun: Int64) throws -> TeacherExchangeView?
    /// The sentences with at least one ungrounded string (for the "ungrounded" filter).
    func sentencesWithUngrounded(teacherRun: Int64) throws -> Set<Int64>
}

/// A source with no evidence: no ungrounded strings, no raw exchanges.
public struct NoTeacherEvidence: TeacherEvidenceSource {
    public init() {}
    public func ungrounded(sentenceID: Int64, teacherRun: Int64) throws -> [UngroundedString] { [] }
    public func exchange(sentenceID: Int64, teacherRun: Int64) throws -> TeacherExchangeView? { nil }
    public func sentencesWithUngrounded(teacherRun: Int64) throws -> Set<Int64> { [] }
}
