import ArgumentParser
import Corpus
import Foundation

/// `vigil jobs`: the background jobs with their progress and, for those that did not succeed,
/// their full error; `--log ID` prints one job's log and its captured error output.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List background jobs (teacher labeling, training, evaluation) and their progress.",
        discussion: """
            Jobs whose process is gone (killed, crashed) are marked lost first: on this host when their pid \
            no longer exists, for another host when they have not reported for 15 minutes. A failed or lost \
            job's full error follows its line.
            """)
    @OptionGroup var corpus: CorpusOptions
    @Option(help: "How many, newest first.") var limit = 20
    @Option(help: ArgumentHelp("Show this job's last log lines and its error output.", valueName: "id")) var log: Int64?

    func run() throws {
        let store = try corpus.open()
        try store.markLostJobs()
        if let log {
            let job = try store.job(log)
            let lines = try store.jobLog(log, last: 50)
            for line in lines { print(line) }
            // A job the workbench started writes its error output to a file; a job that failed
            // before it could log (a bad option, a missing model) left its words only there.
            let path = store.jobOutputPath(log)
            if let output = try? String(contentsOfFile: path, encoding: .utf8),
               !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                print("--- error output (\(path)):")
                print(output.hasSuffix("\n") ? String(output.dropLast()) : output)
            } else if lines.isEmpty {
                print("job \(log) (\(job.kind), \(job.state.rawValue)) has logged nothing" + (job.error.map { "; error: \($0)" } ?? ""))
            }
            return
        }
        let jobs = try store.jobs(limit: limit)
        if jobs.isEmpty { print("no jobs"); return }
        for job in jobs {
            let progress = job.progress.map { String(format: "%5.1f%%", $0 * 100) } ?? "     -"
            print("\(pad(String(job.id), 5))\(pad(job.kind, 8))\(pad(job.state.rawValue, 10))\(progress)  \(job.message ?? "")")
            if let error = job.error {
                print("     error: \(error)")
            }
        }
    }
}
