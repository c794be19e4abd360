import ArgumentParser
import Core
import Corpus
import Foundation
import HTTP
import Teacher

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read sentences, drug mentions and ADE annotations into the corpus.",
        discussion: """
            An import is one transaction: a malformed line aborts it with FILE:LINE: what is wrong, and \
            the corpus stays as it was. Importing the same content again changes nothing.
            """,
        subcommands: [ImportADE.self, ImportText.self, ImportPubMed.self, ImportPubMedXML.self, ImportJSONL.self, ImportBrat.self, ImportConll.self, ImportPubTator.self, ImportBioC.self, ImportBioCJSON.self])
}

/// Options every annotated-format import shares.
struct ImportTarget: ParsableArguments {
    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("""
        The layer the ADEs go to: gold, curated (as curator decisions), teacher (a new run), student (a new \
        version), or an existing teacher:RUN / student:VERSION.
        """, valueName: "layer"), transform: parseLayer)
    var layer: LayerRef = .gold
    @Option(help: "Author recorded on the annotations (default: import:<file name>).") var author: String?

    func ingest(_ batch: ImportBatch) throws {
        let store = try corpus.open(create: true)
        let summary = try store.ingest(batch, into: layer, author: author)
        report(summary, batch.path)
    }
}

func report(_ s: ImportSummary, _ path: String) {
    if s.alreadyImported {
        print("\(path): already imported into \(s.layer); nothing changed")
        return
    }
    print("\(path) -> \(s.layer): \(s.documents) documents, \(s.sentences) sentences (\(s.sentencesAlreadyPresent) already present), \(s.drugMentions) drug mentions, \(s.ades) ADE annotations added")
}

struct ImportADE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ade",
        abstract: "Import the ADE corpus v2 (a folder with DRUG-AE.rel and ADE-NEG.txt), or one .rel file.",
        discussion: """
            DRUG-AE.rel offsets are document offsets; each sentence's start is recovered from its mentions. \
            DRUG-DOSE.rel is not read. Example: vigil import ade ../shared/data/ade-corpus-v2
            """)
    @Argument(help: ArgumentHelp("The corpus folder or a .rel file.", valueName: "path")) var path: String
    @OptionGroup var target: ImportTarget

    func run() throws {
        let started = Date()
        try target.ingest(try ADECorpusFormat.read(path: path))
        note(String(format: "took %.2f s", Date().timeIntervalSince(started)))
    }
}

struct ImportJSONL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonl",
        abstract: "Import Vigil JSONL (one sentence per line, as `vigil export --format jsonl` writes).")
    @Argument(help: ArgumentHelp("The .jsonl file.", valueName: "file")) var file: String
    @OptionGroup var target: ImportTarget

    func run() throws {
        try target.ingest(try JSONLFormat.read(path: file))
    }
}

struct ImportBrat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brat",
        abstract: "Import brat standoff: a folder of .txt/.ann pairs, or one .ann file (one sentence per .txt line).")
    @Argument(help: ArgumentHelp("A folder or an .ann file.", valueName: "path")) var path: String
    @OptionGroup var target: ImportTarget

    func run() throws {
        try target.ingest(try BratFormat.read(path: path))
    }
}

struct ImportConll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conll",
        abstract: "Import CoNLL BIO blocks, one per (sentence, drug), as `vigil export --format conll` writes.")
    @Argument(help: ArgumentHelp("The CoNLL file.", valueName: "file")) var file: String
    @OptionGroup var target: ImportTarget

    func run() throws {
        try target.ingest(try ConllFormat.read(path: file))
    }
}

struct ImportPubTator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubtator",
        abstract: "Import PubTator (BC5CDR, PubTator Central): Chemical mentions become drugs, CID pairs in a sentence ADEs.",
        discussion: """
            Title and abstract are one document (offsets into title + " " + abstract), split into sentences; \
            sentences a mention crosses are merged. A Chemical mention is a drug mention with its MeSH ID; a \
            drug's ADEs are the Disease mentions of its sentence whose IDs form a CID pair with its own \
            (composite IDs D1|D2 by any part; -1 is no ID). CID pairs no sentence holds stay document-level \
            only: they are reported, kept with the document, and written back by `vigil export --format \
            pubtator` of the same layer. See docs/formats.md. Example:
              vigil import pubtator ../shared/data/bc5cdr/CDR_TrainingSet.PubTator.txt
            """)
    @Argument(help: ArgumentHelp("The PubTator file.", valueName: "file")) var file: String
    @OptionGroup var target: ImportTarget

    func run() throws { try importAnnotated(file, into: target, PubTatorFormat.read) }
}

struct ImportBioC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bioc",
        abstract: "Import BioC XML (as BC5CDR's BioC release): read as `vigil import pubtator` reads PubTator.",
        discussion: """
            Passages keep their document offsets; MESH infons are the identifiers; relations are document-level \
            infon pairs (relation CID, Chemical, Disease). See docs/formats.md for what is not read.
            """)
    @Argument(help: ArgumentHelp("The BioC XML file.", valueName: "file")) var file: String
    @OptionGroup var target: ImportTarget

    func run() throws { try importAnnotated(file, into: target, BioCFormat.read) }
}

struct ImportBioCJSON: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bioc-json",
        abstract: "Import BioC JSON (the bioc package's layout of BioC XML): read as `vigil import bioc` reads XML.")
    @Argument(help: ArgumentHelp("The BioC JSON file.", valueName: "file")) var file: String
    @OptionGroup var target: ImportTarget

    func run() throws { try importAnnotated(file, into: target, BioCJSONFormat.read) }
}

/// A PubTator or BioC import: `read` the file into the target's layer, report what it read,
/// then ingest it (all or nothing).
func importAnnotated(_ file: String, into target: ImportTarget,
                     _ read: (_ path: String, _ layer: String) throws -> (ImportBatch, AnnotatedImportReport)) throws {
    let (batch, report) = try read(file, target.layer.description)
    reportAnnotated(report, file)
    try target.ingest(batch)
}

/// What a PubTator or BioC import read, and what the sentence-level corpus leaves out.
func reportAnnotated(_ r: AnnotatedImportReport, _ path: String) {
    print("\(path): \(r.documents) documents, \(r.sentences) sentences")
    print("mentions         \(r.chemicalMentions) Chemical, \(r.diseaseMentions) Disease"
          + (r.otherMentions > 0 ? ", \(r.otherMentions) of other types (kept with the document only)" : "")
          + " (\(r.compositeMentions) composite, \(r.unnormalizedMentions) without an ID)")
    print("CID pairs        \(r.cidPairs): \(r.cidPlaced) placed in a sentence, \(r.cidUnplaced) in no sentence (document level only)")
    print("ADE pairs        \(r.adePairs) (drug mention, Disease mention) pairs in sentences")
    if r.crossingMentions > 0 {
        print("merged sentences \(r.crossingMentions) mentions crossed a sentence boundary; \(r.mergedBoundaries) boundaries removed")
    }
    if r.otherRelations > 0 { print("other relations  \(r.otherRelations) (kept with the document only)") }
    if r.repeatedSentences > 0 { print("repeated         \(r.repeatedSentences) sentences repeat an earlier one of their document (stored once)") }
}

struct ImportText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Import plain text: paragraphs become documents, then sentences; drugs are found with a lexicon.",
        discussion: """
            The lexicon is --lexicon FILE (one name per line, or NAME<TAB>NORMALIZED NAME; # starts a comment), \
            else the corpus lexicon (`vigil lexicon import`). Matching is case-insensitive, whole words, longest \
            match first. Sentences without a drug are dropped unless --keep-drugless. Example:
              vigil import text SampleData/abstracts.txt --lexicon SampleData/lexicon.tsv
            """)
    @Argument(help: ArgumentHelp("Text files (UTF-8).", valueName: "file")) var files: [String]
    @Option(help: ArgumentHelp("The drug lexicon (default: the corpus lexicon).", valueName: "file")) var lexicon: String?
    @Flag(name: .customLong("keep-drugless"), help: "Keep sentences in which no drug was found.") var keepDrugless = false
    @OptionGroup var corpus: CorpusOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one text file") }
    }

    func run() throws {
        let store = try corpus.open(create: true)
        let (words, hash) = try resolveLexicon(lexicon, store)
        let batch = try TextFormat.read(paths: files, lexicon: words, lexiconHash: hash, keepDrugless: keepDrugless)
        let summary = try store.ingest(batch, into: .gold, author: "import:text")
        report(summary, files.joined(separator: ", "))
    }
}

/// The lexicon file given, else the corpus lexicon; an error when there is neither.
func resolveLexicon(_ path: String?, _ store: CorpusStore) throws -> (DrugLexicon, String) {
    if let path {
        let file = try TextFormat.loadLexicon(path: path)
        return (file.lexicon, file.sha256)
    }
    guard let stored = try store.lexicon() else {
        throw ValidationError("no lexicon: give --lexicon FILE or import one with `vigil lexicon import`")
    }
    return stored
}

struct ImportPubMedXML: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubmed-xml",
        abstract: "Import PubMed XML files (efetch output or baseline files) offline: title and abstract, split into sentences.",
        discussion: """
            Each article becomes the document `PMID\n\nTitle\n\nAbstract` (structured sections as LABEL: text), \
            as in the ADE corpus, so sentence document offsets agree; publication types and MeSH headings are \
            kept with it. Drugs are found with --lexicon FILE or the corpus lexicon; sentences without one are \
            dropped unless --keep-drugless. Each file is one transaction; a file imported before, or a PMID \
            already seen, is not imported twice. Example:
              vigil import pubmed-xml pubmed24n0001.xml --lexicon SampleData/lexicon.tsv
            """)
    @Argument(help: ArgumentHelp("PubMed XML files.", valueName: "file")) var files: [String]
    @Option(help: ArgumentHelp("The drug lexicon (default: the corpus lexicon).", valueName: "file")) var lexicon: String?
    @Flag(name: .customLong("keep-drugless"), help: "Keep sentences in which no drug was found.") var keepDrugless = false
    @Option(help: "How many of the most frequent drugs to list.") var top = 10
    @OptionGroup var corpus: CorpusOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one PubMed XML file") }
    }

    func run() throws {
        let store = try corpus.open(create: true)
        let (words, hash) = try resolveLexicon(lexicon, store)
        let builder = PubMedCorpus(lexicon: words, lexiconHash: hash, keepDrugless: keepDrugless)
        var seen = try store.documentPMIDs()
        var summary = PubMedReadSummary()
        var added = ImportSummary()
        for file in files {
            let articles = try PubMedXML.read(path: file)
            let batch = builder.batch(articles, path: file, seen: &seen, summary: &summary)
            let result = try store.ingest(batch, into: .gold, author: "import:pubmed")
            added.documents += result.documents
            added.sentences += result.sentences
            added.drugMentions += result.drugMentions
            note("\(file): \(articles.count) records, \(result.sentences) sentences added")
        }
        printSummary(summary, added: added, top: top)
    }
}

/// The after-import report of the PubMed importers.
func printSummary(_ s: PubMedReadSummary, added: ImportSummary, top: Int) {
    print("abstracts        \(s.abstracts)" + (s.duplicatePMIDs > 0 ? " (\(s.duplicatePMIDs) PMIDs seen before, skipped)" : ""))
    print("sentences        \(s.sentences)")
    print("kept (with drug) \(s.sentencesWithDrug)")
    print("drug mentions    \(s.drugMentions)")
    print("distinct drugs   \(s.distinctDrugs)")
    print("added to corpus  \(added.documents) documents, \(added.sentences) sentences, \(added.drugMentions) drug mentions")
    let frequent = s.topDrugs(top)
    if !frequent.isEmpty {
        print("most frequent    " + frequent.map { "\($0.drug) (\($0.mentions))" }.joined(separator: ", "))
    }
}

struct ImportPubMed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubmed",
        abstract: "Build a corpus from a PubMed query through NCBI E-utilities (esearch, then efetch in batches).",
        discussion: """
            The default query is the paper's: \(paperPubMedQuery) \
            Records are read as `vigil import pubmed-xml` reads them. Each batch is one transaction together \
            with the download's progress: run the same command again after a kill or a network failure and it \
            goes on with the next batch; a PMID already in the corpus is never imported again. Requests are \
            paced to NCBI's limit (3/s, 10/s with an API key) and retried on 429, 5xx and dropped connections.

            Example: vigil import pubmed --max 500 --email you@example.org --lexicon SampleData/lexicon.tsv
            """)
    @Option(help: "The PubMed query (default: the paper's).") var query = paperPubMedQuery
    @Option(help: "Import at most this many records.") var max: Int?
    @Option(help: "Your e-mail address, sent to NCBI as it asks.") var email: String?
    @Option(name: .customLong("api-key-env"), help: ArgumentHelp("The environment variable holding an NCBI API key.", valueName: "VAR"))
    var apiKeyEnvironment = "NCBI_API_KEY"
    @Option(help: "Records per efetch request.") var batch = 200
    @Option(name: .customLong("max-response-bytes"),
            help: ArgumentHelp("The most bytes one E-utilities answer may hold (k, M, G suffixes; default 128M).", valueName: "bytes"),
            transform: parseByteCountOption)
    var maxResponseBytes = HTTPLimits.eutilitiesResponseBytes
    @Option(help: ArgumentHelp("The drug lexicon (default: the corpus lexicon).", valueName: "file")) var lexicon: String?
    @Flag(name: .customLong("keep-drugless"), help: "Keep sentences in which no drug was found.") var keepDrugless = false
    @Option(help: "How many of the most frequent drugs to list.") var top = 10
    @Option(name: .customLong("base-url"), help: .hidden) var baseURL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    @OptionGroup var corpus: CorpusOptions

    func validate() throws {
        if let max, max < 0 { throw ValidationError("--max must be at least 0, not \(max)") }
        if batch < 1 || batch > 10_000 { throw ValidationError("--batch must be between 1 and 10000, not \(batch)") }
    }

    func run() throws {
        let store = try corpus.open(create: true)
        let (words, hash) = try resolveLexicon(lexicon, store)
        let key = ProcessInfo.processInfo.environment[apiKeyEnvironment]
        let client = EUtilitiesClient(baseURL: baseURL, email: email, apiKey: key, maxResponseBytes: maxResponseBytes)
        let download = PubMedDownload(client: client, store: store,
                                      corpus: PubMedCorpus(lexicon: words, lexiconHash: hash, keepDrugless: keepDrugless),
                                      batchSize: batch)
        let outcome = try download.run(query: query, maxRecords: max) { state, read in
            note("records \(state.nextStart)/\(state.target): \(read.sentencesWithDrug) sentences with a drug so far")
        }
        if outcome.resumed { note("resumed an interrupted download of this query") }
        printSummary(outcome.read, added: outcome.added, top: top)
    }
}
