import Corpus

/// The teacher evidence stored in the corpus by `vigil teach`: ungrounded proposals and the
/// raw exchange behind each answer.
public struct CorpusTeacherEvidence: TeacherEvidenceSource {
    public let store: CorpusStore

    public init(store: CorpusStore) {
        self.store = store
    }

    public func ungrounded(sentenceID: Int64, teacherRun: Int64) throws -> [UngroundedString] {
        try store.ungroundedProposals(sentenceID: sentenceID, teacherRun: teacherRun).map {
            UngroundedString(drug: $0.drug, drugMentionID: $0.drugMentionID, text: $0.text, reason: $0.reason.rawValue)
        }
    }

    public func exchange(sentenceID: Int64, teacherRun: Int64) throws -> TeacherExchangeView? {
        try store.teacherExchange(sentenceID: sentenceID, teacherRun: teacherRun).map {
            TeacherExchangeView(model: $0.model + ($0.fromCache ? " (from the cache)" : ""), prompt: $0.prompt,
                                response: $0.response)
        }
    }

    public func sentencesWithUngrounded(teacherRun: Int64) throws -> Set<Int64> {
        try store.sentencesWithUngrounded(teacherRun: teacherRun)
    }
}
