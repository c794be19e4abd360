import ArgumentParser
import Corpus
import Foundation

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count documents, sentences, drug mentions, ADEs per layer, review states and splits.")

    @OptionGroup var corpus: CorpusOptions
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let stats = try corpus.open().stats()
        if json {
            print(try jsonString(stats))
            return
        }
        print("corpus            \(try corpus.path)")
        print("documents         \(stats.documents)")
        print("sentences         \(stats.sentences)  (\(stats.sentencesWithADE) with a gold ADE)")
        print("drug mentions     \(stats.drugMentions)")
        print("ADE annotations")
        for (layer, n) in stats.ade.sorted(by: { $0.key < $1.key }) { print("  \(pad(layer, 16))\(n)") }
        print("review")
        for state in ["pending", "accepted", "no-ade", "skipped", "flagged"] {
            print("  \(pad(state, 16))\(stats.review[state] ?? 0)")
        }
        if stats.curators > 1 || stats.assigned > 0 || (stats.resolution["disputed"] ?? 0) > 0 {
            print("team              \(stats.curators) curators, \(stats.assigned) items assigned")
            let resolution = ["single", "agreed", "adjudicated", "disputed"].map { "\($0) \(stats.resolution[$0] ?? 0)" }
            print("  resolution      " + resolution.joined(separator: ", "))
            if let disputed = stats.resolution["disputed"], disputed > 0 {
                print("  \(disputed) disputed item\(disputed == 1 ? "" : "s") left out of the curated layer until adjudicated (`vigil adjudicate --list`)")
            }
        }
        if !stats.splits.isEmpty {
            print("splits")
            for (name, parts) in stats.splits.sorted(by: { $0.key < $1.key }) {
                let text = parts.sorted { $0.key.localizedStandardCompare($1.key) == .orderedAscending }
                    .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                print("  \(pad(name, 16))\(text)")
            }
        }
        if !stats.jobs.isEmpty {
            print("jobs              " + stats.jobs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", "))
        }
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

/// Stable, compact JSON for machine-readable output.
func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
