import ArgumentParser
import Core
import Corpus
import Foundation

/// `vigil demo`: a fresh corpus from SampleData, with the sample teacher's proposals,
/// opened in the workbench.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Copy SampleData into a fresh corpus and open the workbench on it.",
        discussion: """
            Builds DIR/vigil.sqlite (replacing an earlier demo corpus there, but not one that holds \
            review events unless --force, and never one a workbench or job has open): gold.jsonl as gold, \
            abstracts.txt with lexicon.tsv as unlabeled text, and a seeded 8:1:1 split named holdout. \
            Then the replay teacher (teacher-replay.jsonl: recorded, synthetic LLM answers) labels it \
            through the real parsing and grounding, as `vigil teach --teacher replay:FILE` does, and \
            the workbench opens (unless --no-tui).
            """)

    @Option(help: ArgumentHelp("Where the demo corpus goes.", valueName: "dir")) var dir = ".demo"
    @Option(name: .customLong("sample-data"), help: ArgumentHelp("The SampleData folder (default: found beside the binary or in the working directory).", valueName: "dir"))
    var sampleData: String?
    @Option(help: ArgumentHelp("Theme name or file.", valueName: "name|path")) var theme: String?
    @Flag(name: .customLong("no-tui"), help: "Build the corpus and print its path; do not open the workbench.")
    var noTUI = false
    @Flag(help: "Replace the corpus in DIR even when it holds review events (curator decisions).")
    var force = false

    func run() throws {
        let source = try findSampleData()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/vigil.sqlite"
        try removeEarlierCorpus(path)
        let store = try CorpusStore(path: path, create: true)
        _ = try store.ingest(try JSONLFormat.read(path: source + "/gold.jsonl"), into: .gold)
        let lexicon = try TextFormat.loadLexicon(path: source + "/lexicon.tsv")
        _ = try store.ingest(try TextFormat.read(paths: [source + "/abstracts.txt"], lexicon: lexicon), into: .gold,
                             author: "import:text")
        let ids = try store.sentenceIDs()
        guard let names = SplitPlan.defaultPartNames(count: 3) else { throw ValidationError("no part names for 3 parts") }
        try store.saveSplit(name: "holdout", method: "ratio", seed: 1, params: ["ratio": "8:1:1"],
                            assignment: SplitPlan.ratio(ids, ratios: [8, 1, 1], names: names, seed: 1))
        let teach = try TeachCommand.parse(["--db", path, "--teacher", "replay:\(source)/teacher-replay.jsonl"])
        try teach.run()
        note("demo corpus: \(path) (\(ids.count) sentences)")
        if noTUI {
            print(path)
            return
        }
        try openWorkbench(path: path, theme: theme, author: nil)
    }

    /// Deletes the corpus at `path`, if any, under its exclusive lock: refused while a workbench
    /// or job has it open, and (unless --force) when it holds decisions.
    private func removeEarlierCorpus(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let lock = try ExclusiveCorpusLock(corpus: path) else { throw DemoError.corpusOpen(path: path) }
        if !force {
            let events = try CorpusStore.reviewEventCount(atPath: path)
            if events > 0 { throw DemoError.corpusHasDecisions(path: path, events: events) }
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
        withExtendedLifetime(lock) {}
    }

    private func findSampleData() throws -> String {
        if let sampleData {
            guard FileManager.default.fileExists(atPath: sampleData + "/gold.jsonl") else {
                throw ValidationError("--sample-data \(sampleData): no gold.jsonl there")
            }
            return sampleData
        }
        var candidates = [FileManager.default.currentDirectoryPath + "/SampleData"]
        var dir = URL(fileURLWithPath: currentExecutable()).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("SampleData").path)
            dir = dir.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/gold.jsonl") }) else {
            throw ValidationError("SampleData not found (looked in \(candidates.joined(separator: ", "))); pass --sample-data DIR")
        }
        return found
    }
}

/// Why `vigil demo` will not replace the corpus in its folder.
enum DemoError: Error, CustomStringConvertible {
    case corpusOpen(path: String)
    case corpusHasDecisions(path: String, events: Int)

    var description: String {
        switch self {
        case let .corpusOpen(path):
            return "\(path): another process (a workbench or a job) has this corpus open; close it, or pass another --dir"
        case let .corpusHasDecisions(path, events):
            return "\(path) holds \(events) review event\(events == 1 ? "" : "s") (curator decisions): not replacing it; pass --force to replace it anyway, or pass another --dir"
        }
    }
}
