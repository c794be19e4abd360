import ArgumentParser
import Core
import Corpus
import Foundation
import HTTP
import Teacher

/// `--db PATH`, shared by every command that opens the corpus.
struct CorpusOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The corpus file (default: $VIGIL_DB, else ./vigil.sqlite).",
                                            valueName: "path"))
    var db: String?

    /// The corpus path this invocation uses.
    var path: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["VIGIL_DB"], !env.isEmpty { return env }
        return "vigil.sqlite"
    }

    /// Opens the corpus; a missing file is an error naming the path unless `create` (only the
    /// commands that make corpora, `import` and `demo`, pass it).
    func open(create: Bool = false) throws -> CorpusStore {
        try CorpusStore(path: path, create: create)
    }
}

/// Writes a line to standard error (progress and summaries; results go to stdout), with
/// credentials in URLs redacted.
func note(_ text: String) {
    FileHandle.standardError.write(Data((Redaction.redact(text) + "\n").utf8))
}

/// Parses a layer address for `@Option(transform:)`, keeping the precise error.
func parseLayer(_ text: String) throws -> LayerRef {
    try LayerRef(parsing: text)
}

/// Parses a sentence selection (`NAME` or `NAME:PART`).
func parseSelection(_ text: String) throws -> SentenceSelection {
    try SentenceSelection(parsing: text)
}

/// Parses a byte count (`4194304`, `512k`, `4M`) for `@Option(transform:)`.
func parseByteCountOption(_ text: String) throws -> Int {
    guard let bytes = parseByteCount(text) else {
        throw ValidationError("\(text): not a byte count (e.g. 4194304, 512k, 4M)")
    }
    return bytes
}
