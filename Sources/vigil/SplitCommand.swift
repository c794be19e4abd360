import ArgumentParser
import Core
import Corpus
import Foundation

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Assign sentences to named parts: a seeded ratio, k folds, or the standard SpERT ADE folds.",
        discussion: """
            vigil split --ratio 8:1:1 --seed 1   parts train, dev, test (name: holdout)
            vigil split --folds 10 --seed 1      parts fold0..fold9 (name: cv10)
            vigil split --spert ../shared/data/ade-spert-splits
                                                 the literature's 10 ADE folds (name: spert)

            Ratio and fold splits cover every sentence; SpERT folds cover the 4,272 sentences of DRUG-AE.rel. \
            Address a part elsewhere as NAME:PART, e.g. --split holdout:test.
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("Cut by ratio, e.g. 8:1:1 (train:dev:test) or 9:1 (train:test).", valueName: "a:b[:c]"))
    var ratio: String?
    @Option(help: "Deal sentences into K folds named fold0..fold<K-1>.") var folds: Int?
    @Option(help: ArgumentHelp("Reproduce the SpERT 10-fold ADE splits from this folder.", valueName: "dir"))
    var spert: String?
    @Option(help: "Seed for the shuffle (ratio and folds).") var seed: UInt64 = 1
    @Option(help: "The split's name (default: holdout, cv<K> or spert).") var name: String?
    @Flag(help: "Replace an existing split of the same name.") var replace = false

    func validate() throws {
        let chosen = [ratio != nil, folds != nil, spert != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("give exactly one of --ratio, --folds, --spert") }
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2, got \(folds)") }
    }

    func run() throws {
        let store = try corpus.open()
        let ids = try store.sentenceIDs()
        guard !ids.isEmpty else { throw ValidationError("the corpus has no sentences: import some first") }
        let splitName: String
        let assignment: [Int64: String]
        if let ratio {
            let numbers = ratio.split(separator: ":").map { Int($0) }
            guard numbers.count >= 2, numbers.allSatisfy({ ($0 ?? -1) >= 0 }),
                  let names = SplitPlan.defaultPartNames(count: numbers.count),
                  numbers.reduce(0, { $0 + ($1 ?? 0) }) > 0 else {
                throw ValidationError("--ratio '\(ratio)': expected two or three non-negative integers like 8:1:1")
            }
            splitName = name ?? "holdout"
            assignment = SplitPlan.ratio(ids, ratios: numbers.map { $0! }, names: names, seed: seed)
            try store.saveSplit(name: splitName, method: "ratio", seed: seed, params: ["ratio": ratio],
                                assignment: assignment, replace: replace)
        } else if let folds {
            splitName = name ?? "cv\(folds)"
            assignment = SplitPlan.folds(ids, k: folds, seed: seed)
            try store.saveSplit(name: splitName, method: "folds", seed: seed, params: ["folds": String(folds)],
                                assignment: assignment, replace: replace)
        } else {
            let directory = spert!
            splitName = name ?? "spert"
            let folds = try SpertSplits.readTestFolds(directory: directory)
            assignment = try SpertSplits.assignment(folds: folds, byCompactText: try store.sentenceIDsByCompactText(),
                                                    directory: directory)
            try store.saveSplit(name: splitName, method: "spert", seed: nil, params: ["source": directory],
                                assignment: assignment, replace: replace)
        }
        var sizes: [String: Int] = [:]
        for part in assignment.values { sizes[part, default: 0] += 1 }
        let text = sizes.sorted { $0.key.localizedStandardCompare($1.key) == .orderedAscending }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("split \(splitName): \(text)")
    }
}
