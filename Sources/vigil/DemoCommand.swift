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
            Builds DIR/vigil.sqlite (replacing an earlier demo corpus there): gold.jsonl as gold,
            abstracts.txt with lexicon.tsv as unlabeled text, and a seeded 8:1:1 split named holdout.
            Then the replay teacher (teacher-replay.jsonl: recorded, synthetic LLM answers) labels it
            through the real parsing and grounding, as `vigil teach --teacher replay:FILE` does, and
            the workbench opens (unless --no-tui).
            """)

    @Option(help: ArgumentHelp("Where the demo corpus goes.", valueName: "dir")) var dir = ".demo"
    @Option(name: .customLong("sample-data"), help: ArgumentHelp("The SampleData folder (default: found beside the binary or in the working directory).", valueName: "dir"))
    var sampleData: String?
    @Option(help: ArgumentHelp("Theme name or file.", valueName: "name|path")) var theme: String?
    @Flag(name: .customLong("no-tui"), help: "Build the corpus and print its path; do not open the workbench.")
    var noTUI = false

    func run() throws {
        let source = try findSampleData()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/vigil.sqlite"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
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
