import ArgumentParser
import Core
import Corpus
import Foundation

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Record, undo and inspect curator decisions from the command line (the workbench does the same).",
        discussion: """
            An item is one drug mention of one sentence, written SENTENCE/MENTION (ids as in JSONL exports).
              vigil review set 12/40 --state accepted --span 33:44
              vigil review set 12/41 --state no-ade
              vigil review undo
              vigil review log 12/40
            """,
        subcommands: [Set.self, Undo.self, Redo.self, Log.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decide an item: its state and its ADE spans.")
        @OptionGroup var corpus: CorpusOptions
        @OptionGroup var author: CuratorOption
        @Argument(help: ArgumentHelp("The item, SENTENCE/MENTION.", valueName: "item"), transform: parseItem)
        var item: ItemKey
        @Option(help: "accepted, no-ade, skipped, flagged or pending.") var state: ReviewState
        @Option(name: .customLong("span"), help: ArgumentHelp("An ADE span START:END (repeatable).", valueName: "start:end"),
                transform: parseSpan)
        var spans: [Span] = []
        @Option(help: "A note (e.g. why the item is flagged).") var note: String?

        func validate() throws {
            if state == .noADE && !spans.isEmpty { throw ValidationError("--state no-ade takes no --span") }
        }

        func run() throws {
            let event = try corpus.open().decide(item, state: state, spans: spans, author: author.name, note: note)
            print("\(item): \(event.stateBefore.rawValue) -> \(event.stateAfter.rawValue) \(format(event.spansAfter)) (event \(event.id))")
        }
    }

    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Undo your latest decision (across sessions).")
        @OptionGroup var corpus: CorpusOptions
        @OptionGroup var author: CuratorOption
        func run() throws {
            let event = try corpus.open().undo(author: author.name)
            print("\(event.item): back to \(event.stateAfter.rawValue) \(format(event.spansAfter)) (event \(event.id))")
        }
    }

    struct Redo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Redo your latest undone decision.")
        @OptionGroup var corpus: CorpusOptions
        @OptionGroup var author: CuratorOption
        func run() throws {
            let event = try corpus.open().redo(author: author.name)
            print("\(event.item): again \(event.stateAfter.rawValue) \(format(event.spansAfter)) (event \(event.id))")
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an item's audit trail, oldest first.")
        @OptionGroup var corpus: CorpusOptions
        @Argument(help: ArgumentHelp("The item, SENTENCE/MENTION.", valueName: "item"), transform: parseItem)
        var item: ItemKey
        func run() throws {
            let formatter = ISO8601DateFormatter()
            for e in try corpus.open().history(item) {
                let target = e.target.map { " of \($0)" } ?? ""
                let note = e.note.map { "  \"\($0)\"" } ?? ""
                print("\(e.id)  \(formatter.string(from: e.createdAt))  \(e.author)  \(e.action.rawValue)\(target)  \(e.stateBefore.rawValue) \(format(e.spansBefore)) -> \(e.stateAfter.rawValue) \(format(e.spansAfter))\(note)")
            }
        }
    }
}

extension ReviewState: ExpressibleByArgument {}

func format(_ spans: [Span]) -> String {
    "[" + spans.map { "\($0.start):\($0.end)" }.joined(separator: " ") + "]"
}

/// Parses `SENTENCE/MENTION`.
func parseItem(_ text: String) throws -> ItemKey {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let s = Int64(parts[0]), let m = Int64(parts[1]) else {
        throw ValidationError("item '\(text)': expected SENTENCE/MENTION, e.g. 12/40")
    }
    return ItemKey(sentenceID: s, drugMentionID: m)
}

/// Parses `START:END`.
func parseSpan(_ text: String) throws -> Span {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 0, a < b else {
        throw ValidationError("span '\(text)': expected START:END with 0 <= START < END")
    }
    return Span(a, b)
}
