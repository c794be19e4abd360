import Core
import Corpus
import Foundation
import TerminalUI
import Workbench

/// The workbench benchmarks (issue 4) on a synthetic corpus of `options.syntheticSentences`
/// sentences: startup (open, queue load, first frame) and key-to-frame latency
/// (update + effects + render + diff onto an in-memory terminal), p50 and p99.
func workbenchBench(_ options: Options) throws {
    print("| workbench benchmark | p50 / median | p99 / best | target |")
    print("|---|---|---|---|")
    let seed = try temporaryCorpus()
    defer { remove(seed) }
    var batch = syntheticBatch(options.syntheticSentences)
    _ = try seed.ingest(batch, into: .gold)
    batch.sha256 += "-teacher"
    _ = try seed.ingest(batch, into: LayerRef(.teacher))
    try benchWorkbench(path: seed.path, author: "bench", label: "", options)
}

/// Startup and key-to-frame latency of the workbench on the corpus at `path`, as `author`.
func benchWorkbench(path: String, author: String, label: String, _ options: Options) throws {
    let suffix = label.isEmpty ? "" : ", \(label)"
    // Startup: a fresh store handle, the queue, the model, the first frame.
    var app: WorkbenchApp?
    var backend = TestBackend(width: 120, height: 40)
    let startup = try measure(options.runs) {
        let store = try CorpusStore(path: path)
        let model = try WorkbenchApp.initialModel(store: store, keymap: .standard, author: author, themeName: "fallback")
        backend = TestBackend(width: 120, height: 40)
        let a = WorkbenchApp(model: model, runner: EffectRunner(store: store, supervisor: nil, author: author),
                             terminal: Terminal(backend: backend, theme: .fallback))
        a.start(metrics: false)
        app = a
    }
    guard let app, backend.screen.text.contains("Item 1/") else {
        print("| workbench | failed | | the first frame did not show an item |")
        return
    }
    let items = app.model.queue.count
    row("startup, \(options.syntheticSentences) sentences / \(items) items (queue + first frame)\(suffix)", startup,
        target: "< 200 ms")

    // Key to frame: navigation (loading sentences), span edits, views.
    let keys: [Key] = [.char("j"), .char("e"), .char("E"), .char("]"), .char("l"), .char("h"), .char("b"),
                       .char("B"), .char("t"), .char("d"), .char("d"), .char("k"), .char("j"), .char("j")]
    var latencies: [Double] = []
    for i in 0..<(keys.count * 150) {
        let key = keys[i % keys.count]
        latencies.append(seconds {
            app.send(.key(key))
            app.frame()
        })
    }
    percentiles("key to frame (update + render + diff), \(latencies.count) keys\(suffix)", latencies, target: "p99 < 5 ms")

    // Decisions: the same, plus the SQLite transaction that must finish before the frame.
    var decisions: [Double] = []
    for _ in 0..<300 {
        decisions.append(seconds {
            app.send(.key(.enter))
            app.frame()
        })
    }
    percentiles("decision key to frame (incl. its transaction), \(decisions.count) keys\(suffix)", decisions, target: "-")
}

/// Prints p50 and p99 of `samples` (seconds) as one table row.
func percentiles(_ name: String, _ samples: [Double], target: String) {
    let sorted = samples.sorted()
    let at = { (q: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))] }
    print("| \(name) | \(String(format: "%.2f ms", at(0.5) * 1000)) | \(String(format: "%.2f ms", at(0.99) * 1000)) | \(target) |")
}
