import Core
import Foundation
import GRDB

/// Drug mentions a lexicon would find, for corpora that annotate a drug only where it causes an
/// ADE, as the ADE corpus does: the sentences' own drug names, found again in those sentences
/// where no drug mention covers them. Training can add them as (sentence, drug) items without
/// ADEs (`vigil train --bystanders`), and `vigil lexicon bystanders` adds them to the corpus.
///
/// In "haloperidol calmed the ciprofloxacin-induced delirium" such a corpus annotates only
/// ciprofloxacin; here haloperidol becomes a bystander, so the head sees a drug that shares a
/// sentence with an ADE it does not cause. A match is skipped where it overlaps a mention or an
/// ADE span of its sentence, or where it names one of the sentence's annotated drugs again.
public enum Bystanders {
    /// Names shorter than this (in Unicode scalars) are not searched for.
    public static let minimumLength = 3

    /// For each sentence, its bystander matches in text order (often none). The lexicon is the
    /// drug names of every item of `sentences` (case-insensitive, whitespace collapsed).
    /// `otherMentions` (one list per sentence) are drug mentions the items leave out; they block
    /// matches as the items' drugs do.
    public static func matches(in sentences: [TrainingSentence], otherMentions: [[Span]]? = nil) -> [[LexiconMatch]] {
        var lexicon = DrugLexicon()
        for sentence in sentences {
            let text = ScalarText(sentence.text)
            for item in sentence.items {
                let name = text[item.drug]
                if name.unicodeScalars.count >= minimumLength { lexicon.add(name) }
            }
        }
        return sentences.indices.map { k in
            let sentence = sentences[k]
            let text = ScalarText(sentence.text)
            let drugs = sentence.items.map(\.drug) + (otherMentions?[k] ?? [])
            let own = Set(drugs.compactMap { lexicon.normalized(for: text[$0]) })
            let taken = drugs + sentence.items.flatMap(\.ades)
            return lexicon.matches(in: text).filter { match in
                !own.contains(match.normalized) && !taken.contains { $0.overlaps(match.span) }
            }
        }
    }

    /// For each sentence, the spans of its bystander mentions (sorted; often none).
    public static func spans(in sentences: [TrainingSentence]) -> [[Span]] {
        matches(in: sentences).map { $0.map(\.span).sorted() }
    }
}

/// A drug mention that `addGoldBystanders` adds (or would add).
public struct BystanderMention: Hashable, Sendable {
    public var sentenceID: Int64
    public var span: Span
    public var text: String
    public var normalized: String
}

extension CorpusStore {
    /// Gives a gold corpus that annotates only causing drugs the drug mentions a lexicon would
    /// find: in every sentence with a gold item, each `Bystanders` match of the gold layer's own
    /// drug names becomes a drug mention (origin `lexicon`) that the gold layer says causes no ADE.
    /// Every drug mention of the sentence blocks matches as a gold item's drug does (by overlap
    /// and by name), whether the gold layer covers that mention or not.
    ///
    /// One transaction; with `dryRun` nothing is written. Running it again adds nothing, since
    /// the added mentions cover their matches. Returns the mentions added (or to add), in
    /// sentence and text order.
    @discardableResult
    public func addGoldBystanders(dryRun: Bool = false) throws -> [BystanderMention] {
        if dryRun { return try pool.read { db in try Self.goldBystanders(db).mentions } }
        return try pool.write { db in
            let (gold, added) = try Self.goldBystanders(db)
            let now = Date()
            for mention in added {
                try db.execute(sql: """
                    INSERT INTO drug_mention(sentence_id, start, "end", text, normalized, origin, created_at)
                    VALUES (?, ?, ?, ?, ?, 'lexicon', ?)
                    """, arguments: [mention.sentenceID, mention.span.start, mention.span.end, mention.text,
                                     mention.normalized, now])
                try db.execute(sql: "INSERT INTO layer_item(layer_id, drug_mention_id) VALUES (?, ?)",
                               arguments: [gold.id, db.lastInsertedRowID])
            }
            return added
        }
    }

    private static func goldBystanders(_ db: Database) throws -> (gold: LayerInfo, mentions: [BystanderMention]) {
        let gold = try layer(.gold, db)
        let sentences = try trainingSentences(source: .gold, selection: .all, db)
        var mentions: [Int64: [Span]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT sentence_id, start, \"end\" FROM drug_mention") {
            mentions[row[0], default: []].append(Span(row[1], row[2]))
        }
        let matches = Bystanders.matches(in: sentences, otherMentions: sentences.map { mentions[$0.sentenceID] ?? [] })
        return (gold, zip(sentences, matches).flatMap { sentence, found in
            found.map { BystanderMention(sentenceID: sentence.sentenceID, span: $0.span, text: $0.text, normalized: $0.normalized) }
        })
    }
}
