import ArgumentParser
import Core
import Corpus
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one layer of the corpus as JSONL, brat standoff, ADE .rel, CoNLL BIO, PubTator or BioC XML.",
        discussion: """
            The curated layer is exported with its decided items only (accepted or no-ade): an undecided \
            item has no ADE in that layer, which every format would write as "no ADE". --include-pending \
            exports them too (JSONL marks them "review": "pending"; the other formats cannot tell). \
            Without --layer the gold layer is exported, and the output says so.

            jsonl  a line per sentence: text, drugs, ADE spans per drug, review state
            brat   a folder: per document a .txt (a sentence a line) and an .ann
            ade    DRUG-AE.rel lines with document offsets (sentences with a pair)
            conll  BIO tags, one block per (sentence, drug mention)
            pubtator  per document: title, abstract, Chemical (drug) and Disease mentions,
                      CID pairs by MeSH ID
            bioc   BioC XML with the same content (passages, annotations, CID relations)
            bioc-json  the same, as BioC JSON

            The output is written to a temporary file and moved into place: a failed export leaves nothing. \
            A brat folder gets a vigil-export.json listing its files; an existing non-empty folder is only \
            replaced when it is such an export and holds nothing else (--force writes into it anyway, \
            keeping the files the export does not write).

            With several curators, the curated layer holds the answer that counts per item: an adjudication, \
            else the answer the curators agree on, else the one curator's; disputed items are left out. \
            --curator NAME exports one curator's own answers instead (implies --layer curated).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, brat, ade, conll, pubtator, bioc, biocJSON = "bioc-json" }

    @OptionGroup var corpus: CorpusOptions
    @Option(help: "jsonl, brat, ade, conll, pubtator, bioc or bioc-json.") var format: Format
    @Option(help: ArgumentHelp("The layer to export: gold, curated, teacher[:RUN] or student[:V] (default: gold).",
                               valueName: "layer"), transform: parseLayer)
    var layer: LayerRef?
    @Option(help: ArgumentHelp("Only these sentences: NAME or NAME:PART.", valueName: "split"),
            transform: parseSelection)
    var split: SentenceSelection?
    @Option(help: ArgumentHelp("The output file (a folder for brat).", valueName: "path")) var out: String
    @Flag(help: "curated layer: also export undecided items (pending, skipped, flagged), which read as \"no ADE\".")
    var includePending = false
    @Option(help: ArgumentHelp("Export this curator's own answers (the curated layer as they decided it).", valueName: "name"))
    var curator: String?
    @Flag(help: "brat: write into a non-empty folder that is not a previous export (same-named files are replaced, others kept).")
    var force = false

    func run() throws {
        let store = try corpus.open()
        let info = try store.layer(curator == nil ? layer ?? .gold : .curated)
        var views = try store.sentenceViews(layer: info, selection: split ?? .all)
        if let curator {
            guard try store.curatorRole(curator) != nil else { throw CorpusError.unknownCurator(curator) }
            let answers = try store.answers(of: curator)
            views = views.map { view in
                var view = view
                for i in view.drugs.indices {
                    let answer = answers[ItemKey(sentenceID: view.id, drugMentionID: view.drugs[i].mentionID)]
                    view.drugs[i].review = answer?.state ?? .pending
                    view.drugs[i].ades = answer.map { $0.hasADE ? $0.spans : [] } ?? []
                }
                return view
            }
        }
        var leftOut = 0
        if info.kind == .curated && !includePending {
            leftOut = views.reduce(0) { $0 + $1.drugs.count { !$0.review.isDecided } }
            views = views.compactMap { $0.decidedItemsOnly() }
        }
        switch format {
        case .jsonl: try JSONLFormat.write(views, to: out)
        case .brat: try BratFormat.write(views, to: out, force: force)
        case .ade: try ADECorpusFormat.write(views, to: out)
        case .conll: try ConllFormat.write(views, to: out)
        case .pubtator, .bioc, .biocJSON:
            let meta = try store.documentMeta(keys: Set(views.map(\.documentKey)))
            let (documents, written) = AnnotatedCorpus.documents(views, meta: meta, layer: info.description)
            switch format {
            case .pubtator: try PubTatorFormat.write(documents, to: out)
            case .bioc: try BioCFormat.write(documents, to: out)
            default: try BioCJSONFormat.write(documents, to: out)
            }
            note("\(written.documents) documents, \(written.mentions) mentions, \(written.relations) relations"
                 + (written.pairsWithoutIdentifier > 0 ? "; \(written.pairsWithoutIdentifier) (drug, ADE) pairs lack an identifier on one side and are not written as relations" : "")
                 + (written.laidOut > 0 ? "; \(written.laidOut) documents not read from PubTator or BioC laid out as title and abstract" : ""))
        }
        let pairs = views.reduce(0) { $0 + $1.drugs.reduce(0) { $0 + $1.ades.count } }
        print("\(out): \(views.count) sentences, \(pairs) (drug, ADE) pairs of \(curator.map { "curator \($0)" } ?? "layer \(info)")"
              + (curator == nil && layer == nil ? " (the default; --layer names another)" : "") + " as \(format.rawValue)"
              + (leftOut > 0 ? " (\(leftOut) undecided items left out; --include-pending exports them)" : ""))
    }
}
