import ArgumentParser
import Core
import Corpus
import Foundation

/// `vigil models`: the student model versions registered in the corpus.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the student model versions: folder, encoder, head, data source, training time and test scores.",
        discussion: """
            The table lists the versions training made (each with a model folder of its own); prediction runs of an \
            existing folder (`vigil predict`, `:predict`) and imported predictions are student layers too, and are \
            listed apart below it, with the folder they used. `vigil predict` without --model uses the newest trained one.
            """)
    @Flag(help: "Print a JSON array of objects (id, kind: trained|prediction|imported, path, created, encoder, head, source, params, metrics).")
    var json = false
    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        let versions = try corpus.open().modelVersions()
        if json {
            print(try modelsJSON(versions))
            return
        }
        let trained = versions.filter { $0.origin == .trained }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        if trained.isEmpty {
            print("no model versions (train one with `vigil train`)")
        } else {
            print("id   created           head        source            epochs  train     strict F1  lenient F1  path")
        }
        for v in trained {
            let test = v.metrics.first { $0.key.hasSuffix(":test") }?.value
            let seconds = v.params["train_seconds"].flatMap(Double.init).map { String(format: "%.0f s", $0) } ?? "-"
            let f1 = { (s: Score?) in s.map { String(format: "%.2f", $0.f1 * 100) } ?? "-" }
            // The kept epoch of those trained: "4/5".
            let epochs = v.params["epochs"].map { total in v.params["best_epoch"].map { "\($0)/\(total)" } ?? total } ?? "-"
            print([pad(String(v.id), 5), pad(formatter.string(from: v.createdAt), 18), pad(v.head ?? "-", 12),
                   pad(v.source ?? "-", 18), pad(epochs, 8), pad(seconds, 10), pad(f1(test?.strict), 11), pad(f1(test?.lenient), 12),
                   v.path ?? "-"].joined())
        }
        let others = versions.filter { $0.origin != .trained }
        guard !others.isEmpty else { return }
        print("")
        print("prediction runs and imported predictions (student layers, not model versions):")
        print("layer        created           made by     sentences         model folder or source")
        for v in others {
            let made = v.origin == .prediction ? "predict" : "import"
            let from = v.origin == .prediction ? (v.path ?? "-") : (v.params["source"] ?? "-")
            print([pad("student:\(v.id)", 13), pad(formatter.string(from: v.createdAt), 18), pad(made, 12),
                   pad(v.params["selection"] ?? "-", 18), from].joined())
        }
    }

    func modelsJSON(_ versions: [ModelVersion]) throws -> String {
        struct Entry: Encodable {
            var id: Int64
            var kind: String
            var path: String?
            var created: String
            var encoder: String?
            var head: String?
            var source: String?
            var params: [String: String]
            var metrics: [String: LayerScores]
        }
        let iso = ISO8601DateFormatter()
        let entries = versions.map {
            Entry(id: $0.id, kind: $0.origin.rawValue, path: $0.path, created: iso.string(from: $0.createdAt), encoder: $0.encoder, head: $0.head,
                  source: $0.source, params: $0.params, metrics: $0.metrics)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }
}
