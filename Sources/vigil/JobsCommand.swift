import ArgumentParser
import Corpus
import Foundation

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List background jobs (teacher labeling, training, evaluation) and their progress.")
    @OptionGroup var corpus: CorpusOptions
    @Option(help: "How many, newest first.") var limit = 20
    @Option(help: ArgumentHelp("Show this job's last log lines.", valueName: "id")) var log: Int64?

    func run() throws {
        let store = try corpus.open()
        if let log {
            for line in try store.jobLog(log, last: 50) { print(line) }
            return
        }
        let jobs = try store.jobs(limit: limit)
        if jobs.isEmpty { print("no jobs"); return }
        for job in jobs {
            let progress = job.progress.map { String(format: "%5.1f%%", $0 * 100) } ?? "     -"
            print("\(pad(String(job.id), 5))\(pad(job.kind, 8))\(pad(job.state.rawValue, 10))\(progress)  \(job.message ?? "")")
        }
    }
}
