// vigil-bench: the corpus benchmarks behind `make bench`. Prints a Markdown table.
//
//   vigil-bench --ade-corpus ../shared/data/ade-corpus-v2 [--runs 5]
//
// Each figure is the median (and best) of several runs in a fresh temporary corpus.
import Core
import Corpus
import Foundation
import Tensor

struct Options {
    var adeCorpus = "../shared/data/ade-corpus-v2"
    var runs = 5
    var syntheticSentences = 100_000
    /// The encoder folder for the student benchmarks.
    var model = "models/minilm-l6"
    /// Which sections run (corpus, ingest, teacher, workbench, team, student); all when empty.
    var only: Set<String> = []

    func runs(_ section: String) -> Bool { only.isEmpty || only.contains(section) }

    init(_ arguments: [String]) {
        var i = 1
        while i < arguments.count {
            let value = i + 1 < arguments.count ? arguments[i + 1] : ""
            switch arguments[i] {
            case "--ade-corpus": adeCorpus = value; i += 1
            case "--runs": runs = Int(value) ?? runs; i += 1
            case "--synthetic": syntheticSentences = Int(value) ?? syntheticSentences; i += 1
            case "--model": model = value; i += 1
            case "--only": only = Set(value.split(separator: ",").map(String.init)); i += 1
            default:
                FileHandle.standardError.write(Data("unknown argument \(arguments[i])\n".utf8))
                exit(2)
            }
            i += 1
        }
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func measure(_ runs: Int, _ body: () throws -> Void) rethrows -> (median: Double, best: Double) {
    var times: [Double] = []
    for _ in 0..<runs { times.append(try seconds(body)) }
    times.sort()
    return (times[times.count / 2], times[0])
}

func temporaryCorpus() throws -> CorpusStore {
    let dir = NSTemporaryDirectory() + "vigil-bench-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return try CorpusStore(path: dir + "/vigil.sqlite", create: true)
}

func remove(_ store: CorpusStore) {
    try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent)
}

func row(_ name: String, _ t: (median: Double, best: Double), target: String) {
    let ms = { (x: Double) in x < 1 ? String(format: "%.1f ms", x * 1000) : String(format: "%.2f s", x) }
    print("| \(name) | \(ms(t.median)) | \(ms(t.best)) | \(target) |")
}

/// A synthetic corpus: `n` sentences of 20–40 words, one or two drugs each, about one ADE per drug.
func syntheticBatch(_ n: Int) -> ImportBatch {
    var rng = SplitMix64(seed: 42)
    let words = ["patient", "developed", "after", "treatment", "with", "the", "dose", "was", "reduced", "and",
                 "symptoms", "resolved", "within", "days", "of", "therapy", "a", "case", "report", "severe"]
    var sentences: [ImportBatch.Sentence] = []
    sentences.reserveCapacity(n)
    for i in 0..<n {
        var text = ""
        var drugs: [ImportBatch.Drug] = []
        let length = 20 + Int(rng.next() % 21)
        let drugCount = 1 + Int(rng.next() % 2)
        for w in 0..<length {
            if !text.isEmpty { text += " " }
            if w < drugCount * 6, w % 6 == 0 {
                let name = "drug\(rng.next() % 5000)"
                let start = text.scalarCount
                text += name
                let adeStart = text.scalarCount + 1
                text += " rash\(w)"
                drugs.append(.init(span: Span(start, start + name.scalarCount), text: name, normalized: name,
                                   ades: [.init(span: Span(adeStart, text.scalarCount), text: "rash\(w)")]))
            } else {
                text += words[Int(rng.next() % UInt64(words.count))]
            }
        }
        sentences.append(.init(documentKey: "synthetic:\(i / 10)", text: text + ".", drugs: drugs))
    }
    return ImportBatch(format: "synthetic", path: "synthetic", sha256: "synthetic-\(n)", sentences: sentences)
}

let options = Options(CommandLine.arguments)
print(machineDescription())
print("")

if options.runs("corpus") { try corpusBench(options) }
if options.runs("ingest") { try ingestBench(options) }
if options.runs("teacher") { try teacherBench(options) }
if options.runs("workbench") { try workbenchBench(options) }
if options.runs("team") { try teamBench(options) }
if options.runs("student") { try studentBench(options) }
if options.only.contains("train") && !options.only.contains("student") {
    BLASRuntime.ensureFastCore()
    try trainBench(options, peak: peakSgemm(rounds: max(5, options.runs)))
}

/// The corpus benchmarks (issue 2): ADE import, evaluation, stats at 100k sentences.
func corpusBench(_ options: Options) throws {
    print("| benchmark | median | best | target |")
    print("|---|---|---|---|")

    if FileManager.default.fileExists(atPath: options.adeCorpus + "/DRUG-AE.rel") {
        // 1. Full ADE corpus import: read + parse + one transaction into a new corpus.
        var store: CorpusStore?
        let importTime = try measure(options.runs) {
            if let store { remove(store) }
            let s = try temporaryCorpus()
            _ = try s.ingest(try ADECorpusFormat.read(path: options.adeCorpus), into: .gold)
            store = s
        }
        row("ADE corpus import (20,960 sentences, 6,821 relations)", importTime, target: "< 1 s")

        // 2. Evaluation over all 6,821 gold pairs: load both layers and match, as `vigil eval` does.
        let corpus = store!
        let teacher = try corpus.ingest(try ADECorpusFormat.read(path: options.adeCorpus), into: LayerRef(.teacher))
        let gold = try corpus.layer(.gold), pred = try corpus.layer(try LayerRef(parsing: teacher.layer))
        var result: Evaluation?
        let evalTime = try measure(options.runs * 4) {
            result = Evaluation(predicted: try corpus.pairs(in: pred, within: gold), gold: try corpus.pairs(in: gold))
        }
        precondition(result!.strict.tp == 6_821, "evaluation sanity check")
        row("evaluation, 6,821 pairs (load from SQLite + match)", evalTime, target: "< 50 ms")
        let goldPairs = try corpus.pairs(in: gold), predPairs = try corpus.pairs(in: pred)
        let matchTime = measure(options.runs * 4) { result = Evaluation(predicted: predPairs, gold: goldPairs) }
        row("evaluation, 6,821 pairs (match only)", matchTime, target: "-")
        remove(corpus)
    } else {
        print("| ADE corpus benchmarks | skipped | | corpus not found at \(options.adeCorpus) |")
    }

    // 3. stats on a 100k-sentence synthetic corpus.
    let synthetic = try temporaryCorpus()
    let batch = syntheticBatch(options.syntheticSentences)
    let ingestTime = try seconds { _ = try synthetic.ingest(batch, into: .gold) }
    row("synthetic corpus ingest (\(options.syntheticSentences) sentences)", (ingestTime, ingestTime), target: "-")
    let statsTime = try measure(options.runs) { _ = try synthetic.stats() }
    row("stats on \(options.syntheticSentences) sentences", statsTime, target: "-")
    remove(synthetic)
}
