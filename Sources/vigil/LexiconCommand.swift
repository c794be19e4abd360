import ArgumentParser
import Corpus
import Foundation

struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexicon",
        abstract: "Keep drug lexicons in the corpus: the names `vigil import text` and `import pubmed-xml` look for.",
        subcommands: [LexiconImport.self, LexiconStatsCommand.self, LexiconBystanders.self])
}

extension LexiconFormat: ExpressibleByArgument {}

struct LexiconImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add a lexicon file's names to the corpus lexicon (one transaction; the same file again changes nothing).",
        discussion: """
            Formats:
              tsv    name, or name<TAB>normalized name, a line each (# comments)
              lines  one name per line
              ncit   the NCI Thesaurus flat file (Thesaurus.txt)

            SampleData/lexicon.tsv is a tsv file. An ncit line holds a code, the concept name, parents, \
            synonyms (|), the definition, display name, concept status and semantic types (|). Concepts \
            whose semantic type is in --semantic-types are kept, retired ones dropped; every synonym maps \
            to the concept's preferred name (its display name, else its first synonym).

            Example: vigil lexicon import --format ncit Thesaurus.txt
            """)
    @Argument(help: ArgumentHelp("The lexicon file.", valueName: "file")) var file: String
    @Option(help: "tsv, lines or ncit.") var format: LexiconFormat = .tsv
    @Option(name: .customLong("semantic-types"),
            help: ArgumentHelp("NCIt semantic types to keep, comma-separated.", valueName: "types"))
    var semanticTypes = LexiconReader.defaultSemanticTypes.joined(separator: ",")
    @Option(name: .customLong("min-length"), help: "Leave out names shorter than this (two-letter synonyms match ordinary words).")
    var minimumLength = 3
    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        let types = semanticTypes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if types.isEmpty { throw ValidationError("--semantic-types: give at least one type") }
        let contents = try LexiconReader.read(path: file, format: format, semanticTypes: types, minimumLength: minimumLength)
        let summary = try corpus.open(create: true).importLexicon(contents)
        if summary.alreadyImported {
            print("\(file): already imported (lexicon source \(summary.sourceID)); nothing changed")
            return
        }
        var line = "\(file): \(contents.concepts) concepts, \(contents.entries.count) names"
        if format == .ncit { line += "; \(contents.skippedConcepts) concepts left out by semantic type or status" }
        if contents.skippedShortNames > 0 { line += "; \(contents.skippedShortNames) names shorter than \(minimumLength) left out" }
        print(line)
    }
}

struct LexiconStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Count the corpus lexicon's concepts, names and synonyms, and list its sources.")
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        let store = try corpus.open()
        let stats = try store.lexiconStats()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
            return
        }
        print("concepts  \(stats.concepts)")
        print("names     \(stats.names)")
        print("synonyms  \(stats.synonyms)")
        for source in try store.lexiconSources() {
            print("source \(source.id): \(source.format) \(source.path) (\(source.names) names, \(source.concepts) concepts)")
        }
    }
}

struct LexiconBystanders: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bystanders",
        abstract: "Add unannotated occurrences of the gold layer's drug names as drug mentions with a gold \"no ADE\".",
        discussion: """
            For gold corpora that annotate a drug only where it causes an ADE, as the ADE corpus does, while \
            Vigil's own pipeline finds every drug with a lexicon. In each sentence with a gold item, every other \
            occurrence of one of the gold layer's drug names (three characters or more; whole words, \
            case-insensitive, leftmost-longest, as the lexicon trie matches) becomes a drug mention (origin \
            lexicon) with a gold "no ADE". Left out: a match that overlaps a drug mention or a gold ADE span of \
            its sentence, or names one of the sentence's drugs again. The rules are those of \
            `vigil train --bystanders`, which finds them within the training part and adds them to training only.

            Some matches are not bystanders (a causing drug the annotators left out), so evaluation then \
            counts a few correct predictions as false positives, for every model alike.

            One transaction; running it again adds nothing. --dry-run lists what it would add, a line each: \
            sentence id, start:end (Unicode scalars), the matched text.

            Example: vigil lexicon bystanders --dry-run --split holdout
            """)
    @Flag(name: .customLong("dry-run"), help: "List the mentions it would add; change nothing.") var dryRun = false
    @Option(help: ArgumentHelp("Also count the mentions per part of this split.", valueName: "name")) var split: String?
    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        let store = try corpus.open()
        var parts: [(part: String, sentences: Set<Int64>)] = []
        if let split {
            guard let info = try store.splits().first(where: { $0.name == split }) else {
                throw CorpusError.unknownSplit(split)
            }
            for part in info.parts.keys.sorted() {
                parts.append((part, Set(try store.sentenceIDs(.split(name: split, parts: [part])))))
            }
        }
        let mentions = try store.addGoldBystanders(dryRun: dryRun)
        if dryRun {
            for mention in mentions {
                print("\(mention.sentenceID)\t\(mention.span.start):\(mention.span.end)\t\(mention.text)")
            }
        }
        let sentences = Set(mentions.map(\.sentenceID)).count
        print("\(dryRun ? "would add" : "added") \(mentions.count) drug mentions with a gold \"no ADE\" in \(sentences) sentences")
        for (part, members) in parts {
            print("  \(split ?? ""):\(part): \(mentions.filter { members.contains($0.sentenceID) }.count)")
        }
    }
}
