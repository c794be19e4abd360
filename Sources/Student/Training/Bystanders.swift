import Core
import Corpus

/// Training negatives for corpora that annotate a drug only where it causes an ADE, as the ADE
/// corpus does: the training sentences' own drug names, found again in those sentences where no
/// drug mention covers them, become extra (sentence, drug) items without ADEs.
///
/// In "haloperidol calmed the ciprofloxacin-induced delirium" such a corpus annotates only
/// ciprofloxacin; here haloperidol becomes a bystander, so the head sees a drug that shares a
/// sentence with an ADE it does not cause. A match is
/// skipped where it overlaps a mention or an ADE span of its sentence, or where it names one of
/// the sentence's annotated drugs again.
public enum Bystanders {
    /// Names shorter than this (in Unicode scalars) are not searched for.
    public static let minimumLength = 3

    /// For each sentence, the spans of its bystander mentions (sorted; often none).
    public static func spans(in sentences: [TrainingSentence]) -> [[Span]] {
        var lexicon = DrugLexicon()
        for sentence in sentences {
            let text = ScalarText(sentence.text)
            for item in sentence.items {
                let name = text[item.drug]
                if name.unicodeScalars.count >= minimumLength { lexicon.add(name) }
            }
        }
        return sentences.map { sentence in
            let text = ScalarText(sentence.text)
            let own = Set(sentence.items.compactMap { lexicon.normalized(for: text[$0.drug]) })
            let taken = sentence.items.flatMap { [$0.drug] + $0.ades }
            return lexicon.matches(in: text)
                .filter { match in
                    !own.contains(match.normalized)
                        && !taken.contains { $0.overlaps(match.span) }
                }
                .map(\.span)
                .sorted()
        }
    }
}
