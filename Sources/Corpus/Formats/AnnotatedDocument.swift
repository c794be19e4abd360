import Core
import Foundation

/// A document as the biomedical text-mining formats (PubTator, BioC) state it: passages of
/// text at document offsets, entity mentions typed and normalized to identifiers (MeSH IDs),
/// and relations between identifiers at document level (BioCreative V's CID pairs).
///
/// Both readers parse into this, and one builder (`AnnotatedCorpus.batch`) turns it into
/// sentences, drug mentions and ADEs; both writers serialize what `AnnotatedCorpus.documents`
/// builds back from a layer. Offsets are half-open Unicode-scalar offsets into the document
/// text: the passages at their offsets, any gap between them read as spaces (PubTator's
/// `title + " " + abstract`).
public struct AnnotatedDocument: Hashable, Sendable {
    public struct Passage: Hashable, Sendable, Codable {
        /// `title`, `abstract`, or what a BioC file calls it.
        public var type: String
        public var offset: Int
        public var text: String
        public init(type: String, offset: Int, text: String) {
            self.type = type
            self.offset = offset
            self.text = text
        }
    }

    public struct Mention: Hashable, Sendable, Codable {
        public var start: Int
        public var end: Int
        public var text: String
        /// `Chemical`, `Disease`, or any other type the source uses (kept, not interpreted).
        public var type: String
        /// The identifier as written: `D003000`, a composite `D014786|D006311`, `-1` (none).
        public var identifier: String
        /// PubTator's seventh column: a composite mention's individual mentions (`a|b`).
        public var individual: String?
        /// The line the mention was read from (0 when written by Vigil); not stored.
        public var line: Int = 0

        public init(start: Int, end: Int, text: String, type: String, identifier: String, individual: String? = nil, line: Int = 0) {
            self.start = start
            self.end = end
            self.text = text
            self.type = type
            self.identifier = identifier
            self.individual = individual
            self.line = line
        }

        public var span: Span { Span(start, end) }
        /// The identifiers the mention is normalized to: a composite's parts, without `-1`.
        public var concepts: [String] { AnnotatedCorpus.concepts(identifier) }

        enum CodingKeys: String, CodingKey { case start, end, text, type, identifier = "id", individual }
    }

    /// A relation between two identifiers: for `CID`, a chemical's and a disease's MeSH IDs.
    public struct Relation: Hashable, Sendable, Codable {
        public var type: String
        public var first: String
        public var second: String
        public var line: Int = 0
        public init(type: String, first: String, second: String, line: Int = 0) {
            self.type = type
            self.first = first
            self.second = second
            self.line = line
        }

        enum CodingKeys: String, CodingKey { case type, first, second }
    }

    /// The source's document ID (a PMID in BC5CDR).
    public var id: String
    /// The line the document starts on (0 when written by Vigil).
    public var line: Int
    public var passages: [Passage]
    public var mentions: [Mention]
    public var relations: [Relation]

    public init(id: String, line: Int = 0, passages: [Passage], mentions: [Mention] = [], relations: [Relation] = []) {
        self.id = id
        self.line = line
        self.passages = passages
        self.mentions = mentions
        self.relations = relations
    }

    /// The document text: each passage at its offset, gaps as spaces.
    public var text: String {
        var scalars: [Unicode.Scalar] = []
        for p in passages {
            if scalars.count < p.offset { scalars += Array(repeating: " ", count: p.offset - scalars.count) }
            scalars += p.text.unicodeScalars
        }
        return String(String.UnicodeScalarView(scalars))
    }

    /// The document key: `pmid:ID` for a numeric ID, else the ID itself.
    public var documentKey: String {
        !id.isEmpty && id.unicodeScalars.allSatisfy({ $0.value >= 0x30 && $0.value <= 0x39 }) ? "pmid:\(id)" : id
    }

    /// The source ID written for a document key: the PMID of `pmid:N`, else the key.
    static func sourceID(forKey key: String) -> String {
        FormatSupport.pmid(forKey: key) ?? key
    }
}

/// What `document.meta` keeps of a PubTator or BioC document, so that an export gives the
/// source back: the passages (the exact text), every mention with its identifier, every
/// relation, and which relations no sentence of the layer holds (`kept`: CID pairs that are
/// document-level only, and relations of other types), written back when the layer imported
/// into (`layer`) is exported.
struct AnnotatedMeta: Codable, Hashable {
    var format: String
    var layer: String
    var title: String
    var passages: [AnnotatedDocument.Passage]
    var mentions: [AnnotatedDocument.Mention]
    var relations: [AnnotatedDocument.Relation]
    /// Indices into `relations`.
    var kept: [Int]

    static func decode(_ json: String?) -> AnnotatedMeta? {
        guard let json, let data = json.data(using: .utf8),
              let meta = try? JSONDecoder().decode(AnnotatedMeta.self, from: data),
              ["pubtator", "bioc", "bioc-json"].contains(meta.format) else { return nil }
        return meta
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}

/// What an import of PubTator or BioC read, for the report a user sees: in particular what
/// the sentence-level corpus leaves out (CID pairs that no sentence holds).
public struct AnnotatedImportReport: Hashable, Sendable {
    public var documents = 0
    /// Sentences after merging the ones a mention crosses.
    public var sentences = 0
    public var chemicalMentions = 0
    public var diseaseMentions = 0
    /// Mentions of any other type (kept in the document's record, not in the corpus).
    public var otherMentions = 0
    /// Mentions normalized to several identifiers (`D1|D2`).
    public var compositeMentions = 0
    /// Mentions without an identifier (`-1`).
    public var unnormalizedMentions = 0
    /// Mentions that crossed a sentence boundary of the splitter, and the boundaries removed
    /// by merging their sentences.
    public var crossingMentions = 0
    public var mergedBoundaries = 0
    public var cidPairs = 0
    /// CID pairs some sentence holds (a chemical and a disease mention of it carry the IDs).
    public var cidPlaced = 0
    /// CID pairs no sentence holds: document-level only.
    public var cidUnplaced: Int { cidPairs - cidPlaced }
    /// Relations of another type than CID (kept in the document's record).
    public var otherRelations = 0
    /// (drug mention, ADE) pairs written into the layer.
    public var adePairs = 0
    /// Sentences whose text appears earlier in the same document (the corpus keeps one).
    public var repeatedSentences = 0

    public init() {}
}

/// What an export to PubTator or BioC could not write.
public struct AnnotatedExportReport: Hashable, Sendable {
    public var documents = 0
    public var mentions = 0
    public var relations = 0
    /// (drug, ADE) pairs of the layer with no identifier on one side: no CID line can state them.
    public var pairsWithoutIdentifier = 0
    /// Documents not read from PubTator or BioC, laid out as title (the first sentence) and
    /// abstract (the others, joined by single spaces).
    public var laidOut = 0
    public init() {}
}

/// Turns annotated documents into an import batch, and a layer back into annotated documents.
public enum AnnotatedCorpus {
    /// The identifiers an identifier field names: `D1|D2` gives both, `-1` and empty parts none.
    public static func concepts(_ identifier: String) -> [String] {
        identifier.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "-1" }
    }

    /// The relation type that states "this chemical induces this disease".
    static let causeType = "CID"

    // MARK: Reading

    /// Validates `documents` and builds the batch: per document its sentences (each passage
    /// split with `SentenceSplitter`, then the sentences any mention crosses merged), every
    /// Chemical mention a drug mention with its identifier as `concept`, and as a drug's ADEs
    /// the Disease mentions of the same sentence whose identifiers form a CID pair with its
    /// own. `layer` is recorded in each document's meta (see `AnnotatedMeta`). A problem is an
    /// `ImportError` naming `path`, the line and the document; nothing is built then.
    public static func batch(_ documents: [AnnotatedDocument], format: String, path: String, sha256: String,
                             layer: String) throws -> (ImportBatch, AnnotatedImportReport) {
        var batch = ImportBatch(format: format, path: path, sha256: sha256)
        var report = AnnotatedImportReport()
        let splitter = SentenceSplitter()
        var seen: [String: Int] = [:]
        for doc in documents {
            let fail = { (line: Int, message: String) in
                ImportError(file: path, line: line, "document \(doc.id): \(message)")
            }
            if let first = seen[doc.documentKey] {
                throw fail(doc.line, "the document appears twice (first on line \(first))")
            }
            seen[doc.documentKey] = doc.line
            try validate(doc, fail: fail)
            let (sentences, docReport) = build(doc, splitter: splitter)
            report.documents += 1
            report.sentences += docReport.sentences
            report.chemicalMentions += docReport.chemicalMentions
            report.diseaseMentions += docReport.diseaseMentions
            report.otherMentions += docReport.otherMentions
            report.compositeMentions += docReport.compositeMentions
            report.unnormalizedMentions += docReport.unnormalizedMentions
            report.crossingMentions += docReport.crossingMentions
            report.mergedBoundaries += docReport.mergedBoundaries
            report.cidPairs += docReport.cidPairs
            report.cidPlaced += docReport.cidPlaced
            report.otherRelations += docReport.otherRelations
            report.adePairs += docReport.adePairs
            report.repeatedSentences += docReport.repeatedSentences
            batch.sentences += sentences.sentences
            batch.documentMeta[doc.documentKey] = AnnotatedMeta(
                format: format, layer: layer, title: doc.passages.first?.text ?? "", passages: doc.passages,
                mentions: doc.mentions, relations: doc.relations, kept: sentences.kept).encoded()
        }
        return (batch, report)
    }

    /// Checks the passages (in order, not overlapping) and every mention (inside the text,
    /// covering exactly its text).
    static func validate(_ doc: AnnotatedDocument, fail: (Int, String) -> ImportError) throws {
        guard !doc.id.isEmpty else { throw fail(doc.line, "the document ID is empty") }
        var end = 0
        for p in doc.passages {
            guard p.offset >= 0 else { throw fail(doc.line, "passage '\(p.type)' has a negative offset \(p.offset)") }
            guard p.offset >= end else {
                throw fail(doc.line, "passage '\(p.type)' at offset \(p.offset) overlaps the passage before it, which ends at \(end)")
            }
            guard p.offset <= FormatSupport.maxDocumentLength - p.text.scalarCount else {
                throw fail(doc.line, "passage '\(p.type)' ends past the largest document offset (\(FormatSupport.maxDocumentLength))")
            }
            end = p.offset + p.text.scalarCount
        }
        let text = ScalarText(doc.text)
        for m in doc.mentions {
            guard m.start >= 0, m.start < m.end, m.end <= text.count else {
                throw fail(m.line, "mention '\(m.text)' at \(m.start)-\(m.end) is empty or outside the text (\(text.count) characters)")
            }
            let covered = text[m.span]
            guard FormatSupport.sameScalars(covered, m.text) else {
                throw fail(m.line, "mention '\(m.text)' differs from the text at \(m.start)-\(m.end), which reads '\(covered)'")
            }
            guard !m.text.allSatisfy(\.isWhitespace) else {
                throw fail(m.line, "mention at \(m.start)-\(m.end) is only whitespace")
            }
            guard !m.type.isEmpty else { throw fail(m.line, "mention '\(m.text)' has no type") }
        }
        for r in doc.relations where r.type.isEmpty || r.first.isEmpty || r.second.isEmpty {
            throw fail(r.line, "a relation needs a type and two identifiers")
        }
    }

    /// One document's sentences, and which of its relations no sentence holds.
    private struct Built {
        var sentences: [ImportBatch.Sentence] = []
        var kept: [Int] = []
    }

    /// The sentence spans of `doc`: each passage split on its own, then every group of
    /// sentences a mention overlaps merged into one (with the mention, should it reach into
    /// the space between sentences). Returns the spans and how many mentions crossed.
    static func sentenceSpans(_ doc: AnnotatedDocument, splitter: SentenceSplitter) -> (spans: [Span], crossing: Int) {
        var spans: [Span] = []
        for p in doc.passages where !p.text.isEmpty {
            spans += splitter.split(p.text).map { Span($0.start + p.offset, $0.end + p.offset) }
        }
        var crossing = 0
        for m in doc.mentions {
            let inside = spans.contains { $0.contains(m.span) }
            if !inside { crossing += 1 }
        }
        guard crossing > 0 else { return (spans, 0) }
        // Union of overlapping intervals: sentences and the mentions that stick out of theirs.
        var intervals = spans.map { (span: $0, isSentence: true) }
        for m in doc.mentions where !spans.contains(where: { $0.contains(m.span) }) {
            intervals.append((m.span, false))
        }
        intervals.sort { ($0.span.start, $0.span.end) < ($1.span.start, $1.span.end) }
        var merged: [(span: Span, hasSentence: Bool)] = []
        for i in intervals {
            if let last = merged.last, i.span.start < last.span.end {
                merged[merged.count - 1] = (Span(last.span.start, max(last.span.end, i.span.end)), last.hasSentence || i.isSentence)
            } else {
                merged.append((i.span, i.isSentence))
            }
        }
        return (merged.filter(\.hasSentence).map(\.span), crossing)
    }

    private static func build(_ doc: AnnotatedDocument, splitter: SentenceSplitter) -> (Built, AnnotatedImportReport) {
        var report = AnnotatedImportReport()
        let text = ScalarText(doc.text)
        let (spans, crossing) = sentenceSpans(doc, splitter: splitter)
        report.crossingMentions = crossing
        report.mergedBoundaries = doc.passages.reduce(0) { $0 + splitter.split($1.text).count } - spans.count
        report.sentences = spans.count
        for m in doc.mentions {
            switch m.type {
            case "Chemical": report.chemicalMentions += 1
            case "Disease": report.diseaseMentions += 1
            default: report.otherMentions += 1
            }
            if m.concepts.count > 1 { report.compositeMentions += 1 }
            if m.concepts.isEmpty { report.unnormalizedMentions += 1 }
        }
        let cid = Set(doc.relations.filter { $0.type == causeType }.map { Pair(drug: $0.first, disease: $0.second) })
        report.cidPairs = cid.count
        report.otherRelations = doc.relations.count { $0.type != causeType }

        // Mentions by sentence (every mention lies in one after the merge).
        var chemicals: [Int: [AnnotatedDocument.Mention]] = [:]
        var diseases: [Int: [AnnotatedDocument.Mention]] = [:]
        for m in doc.mentions {
            guard let index = spans.firstIndex(where: { $0.contains(m.span) }) else { continue }
            if m.type == "Chemical" { chemicals[index, default: []].append(m) }
            if m.type == "Disease" { diseases[index, default: []].append(m) }
        }
        var placed: Set<Pair> = []
        var built = Built()
        var texts: Set<String> = []
        let pmid = FormatSupport.pmid(forKey: doc.documentKey)
        for (index, span) in spans.enumerated() {
            let sentenceText = text[span]
            if !texts.insert(sentenceText).inserted { report.repeatedSentences += 1 }
            let local = { (s: Span) in Span(s.start - span.start, s.end - span.start) }
            var drugs: [Span: ImportBatch.Drug] = [:]
            for c in chemicals[index] ?? [] {
                var ades: Set<Span> = []
                for d in diseases[index] ?? [] {
                    let pairs = c.concepts.flatMap { chem in d.concepts.map { Pair(drug: chem, disease: $0) } }
                        .filter(cid.contains)
                    if !pairs.isEmpty {
                        ades.insert(local(d.span))
                        placed.formUnion(pairs)
                    }
                }
                let span = local(c.span)
                var drug = drugs[span] ?? ImportBatch.Drug(span: span, text: c.text, normalized: FormatSupport.normalizedDrugName(c.text),
                                                           concept: c.concepts.isEmpty ? nil : c.identifier)
                let known = Set(drug.ades.map(\.span))
                drug.ades += ades.subtracting(known).map { ImportBatch.ADE(span: $0, text: ScalarText(sentenceText)[$0]) }
                drug.ades.sort { $0.span < $1.span }
                drugs[span] = drug
            }
            report.adePairs += drugs.values.reduce(0) { $0 + $1.ades.count }
            built.sentences.append(ImportBatch.Sentence(documentKey: doc.documentKey, pmid: pmid, text: sentenceText,
                                                        docOffset: span.start, drugs: drugs.values.sorted { $0.span < $1.span }))
        }
        report.cidPlaced = placed.count
        built.kept = doc.relations.indices.filter { i in
            let r = doc.relations[i]
            return r.type != causeType || !placed.contains(Pair(drug: r.first, disease: r.second))
        }
        return (built, report)
    }

    struct Pair: Hashable {
        var drug: String
        var disease: String
    }

    // MARK: Writing

    /// The documents of `views` (sentences of one layer, grouped by document in order) for a
    /// PubTator or BioC writer. `meta` holds each document's `document.meta`; `layer` names
    /// the layer exported.
    ///
    /// A document read from PubTator or BioC gets its passages back, its drug mentions as
    /// Chemical mentions (identifier `-1` when they have none), every other mention of the
    /// source that lies in an exported sentence, the layer's ADE spans as Disease mentions
    /// (with the identifier of the source's Disease mention at the same span, else `-1`), and
    /// as CID relations the identifier pairs of the layer's (drug, ADE) pairs (of a composite,
    /// the parts that are CID pairs in the source, when some are), plus the relations the
    /// source holds at document level only when `layer` is the one it was imported into.
    /// Another document is laid out as a title (its first sentence) and an abstract (the
    /// others, joined by single spaces).
    public static func documents(_ views: [SentenceView], meta: [String: String], layer: String)
        -> ([AnnotatedDocument], AnnotatedExportReport) {
        var report = AnnotatedExportReport()
        var documents: [AnnotatedDocument] = []
        for (key, sentences) in FormatSupport.documents(views) {
            let source = AnnotatedMeta.decode(meta[key])
            var passages: [AnnotatedDocument.Passage]
            var offsets: [Int]
            if let source, let placed = placement(sentences, in: source) {
                passages = source.passages
                offsets = placed
            } else {
                report.laidOut += 1
                offsets = []
                var abstract: [String] = []
                var next = 0
                for s in sentences {
                    offsets.append(next)
                    next += s.text.scalarCount + 1
                    if offsets.count > 1 { abstract.append(s.text) }
                }
                let title = sentences[0].text
                passages = [.init(type: "title", offset: 0, text: title),
                            .init(type: "abstract", offset: title.scalarCount + 1, text: abstract.joined(separator: " "))]
            }
            let regions = zip(sentences, offsets).map { Span($1, $1 + $0.text.scalarCount) }
            let sourceMentions = source?.mentions ?? []
            var bySpan: [String: [Span: AnnotatedDocument.Mention]] = [:]
            for m in sourceMentions { bySpan[m.type, default: [:]][m.span] = bySpan[m.type]?[m.span] ?? m }
            let sourceCID = Set((source?.relations ?? []).filter { $0.type == causeType }.map { Pair(drug: $0.first, disease: $0.second) })

            // Mentions, each with the position it had in the source (new ones after).
            var mentions: [(order: Int, mention: AnnotatedDocument.Mention)] = []
            var written: Set<String> = []
            let order = Dictionary(sourceMentions.enumerated().map { ("\($1.type) \($1.start) \($1.end)", $0) }, uniquingKeysWith: min)
            func add(_ m: AnnotatedDocument.Mention) {
                let key = "\(m.type) \(m.start) \(m.end)"
                guard written.insert(key).inserted else { return }
                mentions.append((order[key] ?? Int.max, m))
            }
            var pairs: [Pair] = []
            for (s, offset) in zip(sentences, offsets) {
                let text = ScalarText(s.text)
                for d in s.drugs {
                    let span = Span(d.span.start + offset, d.span.end + offset)
                    add(.init(start: span.start, end: span.end, text: d.text, type: "Chemical",
                              identifier: d.concept ?? "-1", individual: bySpan["Chemical"]?[span]?.individual))
                    for ade in d.ades {
                        let adeSpan = Span(ade.start + offset, ade.end + offset)
                        let disease = bySpan["Disease"]?[adeSpan]
                        add(disease ?? .init(start: adeSpan.start, end: adeSpan.end, text: text[ade], type: "Disease", identifier: "-1"))
                        let chemicals = AnnotatedCorpus.concepts(d.concept ?? ""), ills = disease?.concepts ?? []
                        guard !chemicals.isEmpty, !ills.isEmpty else {
                            report.pairsWithoutIdentifier += 1
                            continue
                        }
                        let all = chemicals.flatMap { c in ills.map { Pair(drug: c, disease: $0) } }
                        let known = all.filter(sourceCID.contains)
                        pairs += known.isEmpty ? all : known
                    }
                }
            }
            for m in sourceMentions where m.type != "Chemical" && regions.contains(where: { $0.contains(m.span) }) {
                add(m)
            }
            mentions.sort { ($0.order, $0.mention.start, $0.mention.end, $0.mention.type) < ($1.order, $1.mention.start, $1.mention.end, $1.mention.type) }

            // Relations: the layer's pairs, and what the source keeps at document level.
            var relations: [(order: Int, relation: AnnotatedDocument.Relation)] = []
            var seenRelations: Set<AnnotatedDocument.Relation> = []
            let relationOrder = Dictionary((source?.relations ?? []).enumerated().map { ($1, $0) }, uniquingKeysWith: min)
            func addRelation(_ r: AnnotatedDocument.Relation) {
                guard seenRelations.insert(r).inserted else { return }
                relations.append((relationOrder[r] ?? Int.max, r))
            }
            for p in pairs { addRelation(.init(type: causeType, first: p.drug, second: p.disease)) }
            if let source, source.layer == layer {
                for i in source.kept where source.relations.indices.contains(i) { addRelation(source.relations[i]) }
            }
            relations.sort { ($0.order, $0.relation.first, $0.relation.second) < ($1.order, $1.relation.first, $1.relation.second) }

            let doc = AnnotatedDocument(id: AnnotatedDocument.sourceID(forKey: key), passages: passages,
                                        mentions: mentions.map(\.mention), relations: relations.map(\.relation))
            report.documents += 1
            report.mentions += doc.mentions.count
            report.relations += doc.relations.count
            documents.append(doc)
        }
        return (documents, report)
    }

    /// Each sentence's document offset, when every sentence lies in the source's text where
    /// its offset says; `nil` otherwise (the document is laid out afresh).
    private static func placement(_ sentences: [SentenceView], in source: AnnotatedMeta) -> [Int]? {
        let text = ScalarText(AnnotatedDocument(id: "", passages: source.passages).text)
        var offsets: [Int] = []
        for s in sentences {
            guard let offset = s.docOffset,
                  let found = text.text(at: Span(offset, offset + s.text.scalarCount)),
                  FormatSupport.sameScalars(found, s.text) else { return nil }
            offsets.append(offset)
        }
        return offsets
    }
}
