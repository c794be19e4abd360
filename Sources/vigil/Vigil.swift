import ArgumentParser
import Core
import Foundation

/// The `vigil` command: one binary, one subcommand per action.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Curate adverse-drug-event annotations: an LLM teacher, a SQLite corpus, a small student model.",
        discussion: """
            Every command works on one corpus file: --db PATH, else $VIGIL_DB, else ./vigil.sqlite \
            (vigil db also takes postgresql://HOST:PORT/DB; docs/postgresql.md). \
            Layers: gold, curated, teacher (latest run) or teacher:RUN, student (latest) or student:VERSION. \
            Splits: NAME (all its sentences) or NAME:PART (e.g. holdout:test, cv10:fold3).

            Start here:
              vigil import jsonl SampleData/gold.jsonl
              vigil split --ratio 8:1:1 --seed 1
              vigil stats
            """,
        subcommands: [
            TUICommand.self, DemoCommand.self,
            ImportCommand.self, LexiconCommand.self, ExportCommand.self, SplitCommand.self, StatsCommand.self, ReviewCommand.self,
            CuratorsCommand.self, AssignCommand.self, AgreementCommand.self, AdjudicateCommand.self,
            TeachCommand.self, PredictCommand.self, TrainCommand.self, CrossValidateCommand.self, CurveCommand.self, EvalCommand.self, ModelsCommand.self, JobsCommand.self,
            DbCommand.self, TokenizeCommand.self, EmbedCommand.self, KeysCommand.self, HelpMarkdownCommand.self,
        ],
        defaultSubcommand: TUICommand.self
    )

    /// Parses and runs the command; an error's message has credentials in URLs redacted before
    /// it is printed (the exit status stays the error's own).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let message = fullMessage(for: error)
            let clean = Redaction.redact(message)
            guard clean != message else { exit(withError: error) }
            FileHandle.standardError.write(Data((clean + "\n").utf8))
            Foundation.exit(exitCode(for: error).rawValue)
        }
    }
}
