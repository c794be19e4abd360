import Core
import Corpus

/// Which occurrences of an ADE string become spans.
public enum GroundingMode: String, Sendable, CaseIterable {
    /// The occurrence nearest the drug mention (the default).
    case nearest
    /// The first occurrence in the sentence.
    case first
    /// Every occurrence.
    case all
}

/// A parsed answer placed on its sentence: ADE spans per drug mention, and what could not be placed.
public struct GroundedAnswer: Hashable, Sendable {
    public var ades: [TeacherADE]
    public var ungrounded: [UngroundedProposal]
    /// The drug mentions the answer covers: all of the sentence's, since an answer lists
    /// only drugs with ADEs and every other drug has none.
    public var answeredMentions: [Int64]
}

/// Grounds ADE strings to spans by case- and whitespace-insensitive matching, and maps each
/// answered drug to a drug mention (normalized name, then string match).
public struct Grounder: Sendable {
    public var mode: GroundingMode

    public init(mode: GroundingMode = .nearest) {
        self.mode = mode
    }

    public func ground(_ answer: ParsedAnswer, sentence: SentenceView) -> GroundedAnswer {
        let folded = FoldedText(sentence.text)
        let scalars = ScalarText(sentence.text)
        var ades: [TeacherADE] = []
        var ungrounded: [UngroundedProposal] = []
        for drug in answer.drugs {
            let mentions = self.mentions(for: drug.drug, in: sentence, folded)
            for ade in drug.ades {
                guard !mentions.isEmpty else {
                    ungrounded.append(UngroundedProposal(drug: drug.drug, drugMentionID: nil, text: ade,
                                                         reason: .drugNotInSentence))
                    continue
                }
                let spans = occurrences(of: ade, folded)
                guard !spans.isEmpty else {
                    ungrounded.append(UngroundedProposal(drug: drug.drug, drugMentionID: mentions[0].mentionID,
                                                         text: ade, reason: .adeNotInSentence))
                    continue
                }
                for (span, mention) in choose(spans, mentions) {
                    let item = TeacherADE(drugMentionID: mention.mentionID, span: span, text: scalars[span])
                    if !ades.contains(item) { ades.append(item) }
                }
            }
        }
        return GroundedAnswer(ades: ades, ungrounded: ungrounded, answeredMentions: sentence.drugs.map(\.mentionID))
    }

    /// The occurrences of an ADE string, whole-word ones first choice; trimmed of stray
    /// punctuation when the string as written is not found.
    func occurrences(of ade: String, _ folded: FoldedText) -> [Span] {
        var candidates = [ade]
        let scalars = Array(ade.unicodeScalars)
        let first = scalars.firstIndex(where: Self.isWordy) ?? scalars.count
        let last = scalars.lastIndex(where: Self.isWordy) ?? -1
        var trimmed = ""
        if first <= last { trimmed.unicodeScalars.append(contentsOf: scalars[first...last]) }
        if trimmed != ade, !trimmed.isEmpty { candidates.append(trimmed) }
        for candidate in candidates {
            let spans = folded.occurrences(of: candidate)
            if spans.isEmpty { continue }
            let whole = spans.filter(folded.isWholeWords)
            return whole.isEmpty ? spans : whole
        }
        return []
    }

    /// Picks occurrences and the mention each belongs to, by the grounding mode.
    func choose(_ spans: [Span], _ mentions: [SentenceView.Drug]) -> [(Span, SentenceView.Drug)] {
        func nearest(_ span: Span) -> (SentenceView.Drug, Int) {
            mentions.map { ($0, Self.distance(span, $0.span)) }.min { $0.1 < $1.1 } ?? (mentions[0], 0)
        }
        switch mode {
        case .first:
            return [(spans[0], nearest(spans[0]).0)]
        case .all:
            return spans.map { ($0, nearest($0).0) }
        case .nearest:
            let best = spans.map { ($0, nearest($0)) }.min { $0.1.1 < $1.1.1 }!
            return [(best.0, best.1.0)]
        }
    }

    /// The sentence's mentions of an answered drug: by normalized name, then by where the
    /// drug string occurs, then by one name containing the other.
    func mentions(for drug: String, in sentence: SentenceView, _ folded: FoldedText) -> [SentenceView.Drug] {
        let name = CorpusStore.normalizedDrugName(drug)
        let byName = sentence.drugs.filter {
            $0.normalized == name || CorpusStore.normalizedDrugName($0.text) == name
        }
        if !byName.isEmpty { return byName }
        let spans = folded.occurrences(of: drug)
        let byPlace = sentence.drugs.filter { mention in spans.contains { $0.overlaps(mention.span) } }
        if !byPlace.isEmpty { return byPlace }
        return sentence.drugs.filter { mention in
            let text = CorpusStore.normalizedDrugName(mention.text)
            return Self.containsWord(name, text) || Self.containsWord(name, mention.normalized)
                || Self.containsWord(text, name)
        }
    }

    static func containsWord(_ haystack: String, _ needle: String) -> Bool {
        guard needle.unicodeScalars.count >= 3 else { return false }
        let folded = FoldedText(haystack)
        return folded.occurrences(of: needle).contains(where: folded.isWholeWords)
    }

    static func distance(_ a: Span, _ b: Span) -> Int {
        a.overlaps(b) ? 0 : max(a.start - b.end, b.start - a.end)
    }

    static func isWordy(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil
    }
}
