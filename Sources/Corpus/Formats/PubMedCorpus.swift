import Core
import Foundation

/// What reading PubMed records produced, before it reaches the corpus.
public struct PubMedReadSummary: Hashable, Sendable {
    public var abstracts = 0
    /// PMIDs met again (in the same files or batches) and skipped.
    public var duplicatePMIDs = 0
    public var sentences = 0
    /// Sentences with at least one drug (the rest are dropped unless kept on request).
    public var sentencesWithDrug = 0
    public var drugMentions = 0
    /// Mentions per normalised drug name.
    public var drugCounts: [String: Int] = [:]

    public init() {}

    public var distinctDrugs: Int { drugCounts.count }

    /// The `n` most frequent drugs, most frequent first (ties by name).
    public func topDrugs(_ n: Int) -> [(drug: String, mentions: Int)] {
        drugCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(n).map { ($0.key, $0.value) }
    }
}

/// Turns PubMed records into corpus sentences: split into sentences, drugs found with a
/// lexicon, drug-less sentences dropped (as the paper's corpus was built).
public struct PubMedCorpus: Sendable {
    public var lexicon: DrugLexicon
    /// Identifies the lexicon's content in the import's hash.
    public var lexiconHash: String
    public var keepDrugless: Bool
    public var splitter = SentenceSplitter()

    public init(lexicon: DrugLexicon, lexiconHash: String, keepDrugless: Bool = false) {
        self.lexicon = lexicon
        self.lexiconHash = lexiconHash
        self.keepDrugless = keepDrugless
    }

    /// The sentences of one article, with document offsets into `article.documentText`.
    public func sentences(of article: PubMedArticle, summary: inout PubMedReadSummary) -> [ImportBatch.Sentence] {
        let pmidLength = article.pmid.unicodeScalars.count
        var parts: [(offset: Int, text: String)] = [(pmidLength + 2, article.title)]
        let abstract = article.abstractText
        if !abstract.isEmpty { parts.append((pmidLength + 2 + article.title.unicodeScalars.count + 2, abstract)) }
        var result: [ImportBatch.Sentence] = []
        for part in parts where !part.text.isEmpty {
            let text = ScalarText(part.text)
            for span in splitter.split(text) {
                let sentence = text[span]
                summary.sentences += 1
                let drugs = lexicon.matches(in: sentence).map {
                    ImportBatch.Drug(span: $0.span, text: $0.text, normalized: $0.normalized, origin: "lexicon")
                }
                if !drugs.isEmpty {
                    summary.sentencesWithDrug += 1
                    summary.drugMentions += drugs.count
                    for drug in drugs { summary.drugCounts[drug.normalized, default: 0] += 1 }
                } else if !keepDrugless {
                    continue
                }
                result.append(ImportBatch.Sentence(documentKey: "pmid:\(article.pmid)", pmid: article.pmid,
                                                   text: sentence, docOffset: part.offset + span.start, drugs: drugs))
            }
        }
        return result
    }

    /// One import batch for a set of records; a PMID already in `seen` (or met twice here)
    /// is skipped and counted as a duplicate.
    public func batch(_ articles: [PubMedArticle], path: String, seen: inout Set<String>,
                      summary: inout PubMedReadSummary) -> ImportBatch {
        var sentences: [ImportBatch.Sentence] = []
        var meta: [String: String] = [:]
        var hashInput = "vigil-pubmed-1\nlexicon \(lexiconHash)\nkeep-drugless \(keepDrugless)\n"
        for article in articles {
            guard seen.insert(article.pmid).inserted else { summary.duplicatePMIDs += 1; continue }
            summary.abstracts += 1
            hashInput += "\(article.pmid) \(FormatSupport.sha256(article.documentText))\n"
            sentences += self.sentences(of: article, summary: &summary)
            meta["pmid:\(article.pmid)"] = Self.metaJSON(article)
        }
        var batch = ImportBatch(format: "pubmed", path: path, sha256: FormatSupport.sha256(hashInput),
                                sentences: sentences, isLabeled: false)
        batch.documentMeta = meta
        return batch
    }

    /// The document metadata kept with each article, its `PMID\n\nTitle\n\nAbstract` text included.
    static func metaJSON(_ article: PubMedArticle) -> String {
        struct Meta: Encodable {
            var text: String
            var title: String
            var publication_types: [String]
            var mesh: [String]
            var languages: [String]
            var sections: [String]
        }
        let meta = Meta(text: article.documentText, title: article.title, publication_types: article.publicationTypes, mesh: article.meshHeadings,
                        languages: article.languages, sections: article.abstract.compactMap(\.label))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(meta)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}
