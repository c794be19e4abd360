import ArgumentParser
import Core
import Corpus
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score one layer's (drug, ADE) pairs against another's: strict and lenient P/R/F1.",
        discussion: """
            A pair matches when it is in the same sentence, names the same drug (the same drug mention; \
            by normalized name when a layer lacks mention ids) and its ADE span is identical (strict) or \
            overlaps (lenient). Each gold pair is matched at most once. Scores are micro-averaged over pairs. \
            Only the items (drug mentions) the gold layer has answered count: with --gold curated, the \
            accepted and no-ADE items; predictions on unlabeled text are not errors.

            vigil eval --pred teacher --gold gold --split holdout:test
            vigil eval --pred student:3 --split spert:fold0 --json
            vigil eval --pred student:3 --split holdout:test --min-drugs 2   (the multi-drug subset)
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("The layer to score.", valueName: "layer"), transform: parseLayer)
    var pred: LayerRef
    @Option(help: ArgumentHelp("The reference layer.", valueName: "layer"), transform: parseLayer)
    var gold: LayerRef = .gold
    @Option(help: ArgumentHelp("Only these sentences: NAME or NAME:PART.", valueName: "split"),
            transform: parseSelection)
    var split: SentenceSelection?
    @Option(name: .customLong("min-drugs"), help: ArgumentHelp(
        "Only sentences that mention at least N distinct drugs (2: the multi-drug subset).", valueName: "N"))
    var minDrugs: Int?
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(name: .customLong("per-drug"), help: "Add scores per normalized drug name.") var perDrug = false
    @Flag(help: "List the strict errors (boundary, spurious, missed).") var errors = false
    @Option(help: ArgumentHelp("Run as background job ID (a row created by the workbench): report progress and leave the JSON result in the row.", valueName: "id"))
    var job: Int64?

    func validate() throws {
        if let minDrugs, minDrugs < 1 { throw ValidationError("--min-drugs must be at least 1, not \(minDrugs)") }
    }

    func run() throws {
        let store = try corpus.open()
        guard let job else { return try evaluate(store) }
        let (_, report) = try runJob(.eval, store, adopting: job) { context -> String in
            try context.progress(done: 0, total: 1, message: "scoring \(pred) against \(gold)")
            let predLayer = try store.layer(pred), goldLayer = try store.layer(gold)
            let selection = split ?? .all
            let evaluation = try score(store, predLayer, goldLayer, selection)
            try context.log(String(format: "%@ vs %@ on %@: strict F1 %.1f, lenient F1 %.1f", predLayer.description,
                                   goldLayer.description, selection.description,
                                   evaluation.strict.f1 * 100, evaluation.lenient.f1 * 100))
            try context.progress(done: 1, total: 1, message: "done")
            return try jsonString(EvalReport(evaluation, perDrug: false, errors: nil))
        }
        print(report)
    }

    /// The evaluation of `pred` against `gold` on `selection`, narrowed by --min-drugs.
    private func score(_ store: CorpusStore, _ pred: LayerInfo, _ gold: LayerInfo,
                       _ selection: SentenceSelection) throws -> Evaluation {
        var predicted = try store.pairs(in: pred, sentences: selection, within: gold)
        var reference = try store.pairs(in: gold, sentences: selection)
        if let minDrugs {
            let kept = Set(try store.sentenceIDs(selection, minDrugs: minDrugs))
            predicted = predicted.filter { kept.contains($0.sentenceID) }
            reference = reference.filter { kept.contains($0.sentenceID) }
        }
        return Evaluation(predicted: predicted, gold: reference)
    }

    private func evaluate(_ store: CorpusStore) throws {
        let predLayer = try store.layer(pred)
        let goldLayer = try store.layer(gold)
        let selection = split ?? .all
        let evaluation = try score(store, predLayer, goldLayer, selection)
        if json {
            print(try jsonString(EvalReport(evaluation, perDrug: perDrug, errors: errors ? try errorRows(evaluation, store) : nil)))
            return
        }
        print("\(predLayer) against \(goldLayer) on \(selection == .all ? "all sentences" : "split " + selection.description)\(minDrugs.map { " with \($0)+ drugs" } ?? ""): \(evaluation.predictedPairs) predicted, \(evaluation.goldPairs) gold pairs")
        print("           P        R        F1       tp      fp      fn")
        for criterion in Evaluation.Criterion.allCases {
            print(row(criterion.rawValue, evaluation.score(criterion)))
        }
        if perDrug {
            print("\nper drug (strict F1, lenient F1, gold pairs)")
            let rows = evaluation.perDrug.sorted { ($0.value.lenient.tp + $0.value.lenient.fn, $1.key) > ($1.value.lenient.tp + $1.value.lenient.fn, $0.key) }
            for (drug, scores) in rows {
                print("  \(pad(drug, 28))\(percent(scores.strict.f1))  \(percent(scores.lenient.f1))  \(scores.lenient.tp + scores.lenient.fn)")
            }
        }
        if errors {
            print("\nerrors (strict)")
            for e in try errorRows(evaluation, store) {
                let predicted = e.predictedText.map { "\"\($0)\"" } ?? "-"
                let goldText = e.goldText.map { "\"\($0)\"" } ?? "-"
                print("  \(pad(e.kind, 9)) sentence \(e.sentence)  \(e.drug): predicted \(predicted)  gold \(goldText)")
            }
        }
    }

    private func row(_ label: String, _ s: Score) -> String {
        "\(pad(label, 9))  \(percent(s.precision))   \(percent(s.recall))   \(percent(s.f1))   \(pad(String(s.tp), 7)) \(pad(String(s.fp), 7)) \(s.fn)"
    }

    private func percent(_ x: Double) -> String { String(format: "%6.2f", x * 100) }

    private func errorRows(_ evaluation: Evaluation, _ store: CorpusStore) throws -> [EvalReport.ErrorRow] {
        let texts = try store.sentenceTexts(Set(evaluation.errors.map(\.sentenceID)))
        return evaluation.errors.map { e in
            let text = texts[e.sentenceID].map(ScalarText.init)
            return EvalReport.ErrorRow(
                kind: e.kind.rawValue, sentence: e.sentenceID, drug: e.drug,
                predicted: e.predicted.map { [$0.start, $0.end] }, gold: e.gold.map { [$0.start, $0.end] },
                predictedText: e.predicted.flatMap { text?.text(at: $0) }, goldText: e.gold.flatMap { text?.text(at: $0) })
        }
    }
}

/// The JSON `vigil eval --json` prints.
struct EvalReport: Encodable {
    struct Pairs: Encodable { var gold: Int; var pred: Int }
    struct DrugScores: Encodable { var strict: Score; var lenient: Score }
    struct ErrorRow: Encodable {
        var kind: String
        var sentence: Int64
        var drug: String
        var predicted: [Int]?
        var gold: [Int]?
        var predictedText: String?
        var goldText: String?
        enum CodingKeys: String, CodingKey {
            case kind, sentence, drug, predicted, gold, predictedText = "predicted_text", goldText = "gold_text"
        }
    }
    var strict: Score
    var lenient: Score
    var pairs: Pairs
    var perDrug: [String: DrugScores]?
    var errors: [ErrorRow]?

    enum CodingKeys: String, CodingKey { case strict, lenient, pairs, perDrug = "per_drug", errors }

    init(_ e: Evaluation, perDrug: Bool, errors: [ErrorRow]?) {
        strict = e.strict
        lenient = e.lenient
        pairs = Pairs(gold: e.goldPairs, pred: e.predictedPairs)
        self.perDrug = perDrug ? e.perDrug.mapValues { DrugScores(strict: $0.strict, lenient: $0.lenient) } : nil
        self.errors = errors
    }
}
