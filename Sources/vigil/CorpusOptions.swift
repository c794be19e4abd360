import ArgumentParser
import Core
import Corpus
import Foundation
import HTTP
import PostgresStore
import Teacher

/// `--db PATH|sqlite:PATH|postgresql://…`, shared by every command that opens the corpus.
struct CorpusOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The corpus: a SQLite file (PATH or sqlite:PATH) or postgresql://HOST:PORT/DB (vigil db only, so far) (default: $VIGIL_DB, else ./vigil.sqlite).",
        valueName: "path|url"))
    var db: String?

    /// The `--db` text this invocation uses.
    var text: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["VIGIL_DB"], !env.isEmpty { return env }
        return "vigil.sqlite"
    }

    /// Where the corpus is; a bad PostgreSQL URL is an error naming it (password hidden).
    func location() throws -> StoreLocation {
        try StoreLocation(parsing: text)
    }

    /// The SQLite corpus file: every command but `vigil db` runs on SQLite only so far, and says
    /// so when given a PostgreSQL URL.
    var path: String {
        get throws {
            switch try location() {
            case let .sqlite(path): return path
            case let .postgres(url): throw SQLiteOnly(url: url)
            }
        }
    }

    /// Opens the corpus; a missing file is an error naming the path unless `create` (only the
    /// commands that make corpora, `import` and `demo`, pass it).
    func open(create: Bool = false) throws -> CorpusStore {
        try CorpusStore(path: path, create: create)
    }
}

/// A PostgreSQL `--db` given to a command that runs on SQLite only (issue 21's next slice).
struct SQLiteOnly: Error, CustomStringConvertible {
    let url: PostgresURL
    var description: String {
        "--db \(url): this command runs on a SQLite corpus only so far; on PostgreSQL, `vigil db init` and `vigil db copy` work (docs/postgresql.md): copy the corpus to a SQLite file to work on it"
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
