import Core
import Corpus
import Foundation

/// The team benchmarks (issue 20) on a synthetic corpus of about 100,000 items: three
/// curators' answers, `vigil agreement` (read + compute), disputes, and the workbench as one
/// curator of an assigned team.
func teamBench(_ options: Options) throws {
    print("| team benchmark | median / p50 | best / p99 | target |")
    print("|---|---|---|---|")
    let store = try temporaryCorpus()
    defer { remove(store) }
    // One or two drugs per sentence: two thirds as many sentences as items.
    let batch = syntheticBatch(options.syntheticSentences * 2 / 3)
    _ = try store.ingest(batch, into: .gold)
    for name in ["ana", "ben", "cy", "dee"] { try store.addCurator(name) }
    _ = try store.assign(curators: ["ana", "ben", "cy", "dee"], overlap: 0.2, seed: 1)
    // Three curators: ana gives gold's spans, ben says "no ADE" on every tenth item, cy moves
    // every seventh span one character (a strict disagreement, a lenient agreement).
    var index = 0
    let answering = seconds {
        for name in ["ana", "ben", "cy"] {
            var answers = batch
            answers.sha256 += "-\(name)"
            answers.path = "answers-\(name)"
            index = 0
            for s in answers.sentences.indices {
                for d in answers.sentences[s].drugs.indices {
                    index += 1
                    if name == "ben", index % 10 == 0 { answers.sentences[s].drugs[d].ades = [] }
                    if name == "cy", index % 7 == 0 {
                        answers.sentences[s].drugs[d].ades = answers.sentences[s].drugs[d].ades.map {
                            ImportBatch.ADE(span: Span($0.span.start, $0.span.end - 1), text: String($0.text.dropLast()))
                        }
                    }
                }
            }
            _ = try? store.ingest(answers, into: .curated, author: name)
        }
    }
    let items = index
    row("three curators' answers recorded (\(items) items each, one transaction per curator)", (answering, answering), target: "-")

    var agreement: Agreement?
    var read: [AgreementItem] = []
    let reading = try measure(options.runs) { read = try store.agreementItems() }
    let computing = measure(options.runs) { agreement = Agreement(items: read) }
    let whole = try measure(options.runs) { agreement = Agreement(items: try store.agreementItems()) }
    row("agreement, \(items) items × 3 curators: read", reading, target: "-")
    row("agreement, \(items) items × 3 curators: compute", computing, target: "-")
    row("agreement, \(items) items × 3 curators (read + compute, as `vigil agreement`)", whole, target: "< 1 s")
    if let pair = agreement?.pair("ana", "cy") {
        print("| (check: ana–cy strict F1 \(String(format: "%.3f", pair.strictF1)), lenient \(String(format: "%.3f", pair.lenientF1)); alpha \(agreement?.alpha.map { String(format: "%.3f", $0) } ?? "-")) | | | |")
    }
    let disputes = try measure(options.runs) { _ = try store.disputes() }
    row("adjudication queue (\(try store.disputes().count) disputes, ordered)", disputes, target: "-")

    try benchWorkbench(path: store.path, author: "dee", label: "as one of four assigned curators", options)
}
