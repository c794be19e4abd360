import Core

/// Sentences parsed from an input file, ready to be written in one transaction.
///
/// Every importer (ADE corpus, JSONL, brat, CoNLL, plain text) produces one of these
/// after validating its whole input, so nothing is written unless everything parsed.
public struct ImportBatch: Sendable {
    public struct ADE: Hashable, Sendable {
        public var span: Span
        public var text: String
        public init(span: Span, text: String) {
            self.span = span
            self.text = text
        }
    }

    public struct Drug: Hashable, Sendable {
        public var span: Span
        public var text: String
        public var normalized: String
        /// The ADEs this drug causes in the target layer; empty means "no ADE".
        public var ades: [ADE]
        public var origin: String
        /// The identifier the source gives the mention (a MeSH ID, `D1|D2` for a composite
        /// mention), or `nil` when it gives none.
        public var concept: String?
        public init(span: Span, text: String, normalized: String, ades: [ADE] = [], origin: String = "import",
                    concept: String? = nil) {
            self.span = span
            self.text = text
            self.normalized = normalized
            self.ades = ades
            self.origin = origin
            self.concept = concept
        }
    }

    public struct Sentence: Sendable {
        /// Identifies the document: `pmid:<PMID>`, `sample:<name>`, `sha256:<hex>`…
        public var documentKey: String
        public var pmid: String?
        public var file: String?
        public var documentPosition: Int?
        public var text: String
        /// Scalar offset of the sentence in its document, when known.
        public var docOffset: Int?
        public var drugs: [Drug]
        public init(documentKey: String, pmid: String? = nil, file: String? = nil, documentPosition: Int? = nil,
                    text: String, docOffset: Int? = nil, drugs: [Drug] = []) {
            self.documentKey = documentKey
            self.pmid = pmid
            self.file = file
            self.documentPosition = documentPosition
            self.text = text
            self.docOffset = docOffset
            self.drugs = drugs
        }
    }

    /// The format name recorded in the import log (`ade`, `jsonl`, `brat`, `conll`, `text`).
    public var format: String
    /// The file or folder read.
    public var path: String
    /// SHA-256 of the input bytes, so re-importing the same content is a no-op.
    public var sha256: String
    public var sentences: [Sentence]
    /// True when the input annotates ADEs, so that a drug listed without ADEs means "no ADE"
    /// in the target layer; false for unlabeled text, whose drugs the layer has not judged.
    public var isLabeled: Bool
    /// Per document key, what the source says about the document (JSON), stored in
    /// `document.meta` when the document is first created.
    public var documentMeta: [String: String] = [:]

    public init(format: String, path: String, sha256: String, sentences: [Sentence] = [], isLabeled: Bool = true) {
        self.format = format
        self.path = path
        self.sha256 = sha256
        self.sentences = sentences
        self.isLabeled = isLabeled
    }
}

/// What an import changed.
public struct ImportSummary: Codable, Hashable, Sendable {
    public var documents = 0
    public var sentences = 0
    public var drugMentions = 0
    public var ades = 0
    /// Sentences of the input that were already in the corpus.
    public var sentencesAlreadyPresent = 0
    /// The layer written (`gold`, `teacher:3`…).
    public var layer = ""
    /// True when the same content had been imported into the same layer before.
    public var alreadyImported = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case documents, sentences, drugMentions = "drug_mentions", ades, sentencesAlreadyPresent = "sentences_already_present"
        case layer, alreadyImported = "already_imported"
    }
}
