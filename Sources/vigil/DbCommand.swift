import ArgumentParser
import Corpus
import Foundation
import PostgresStore

/// `vigil db`: the corpus's store itself, SQLite or PostgreSQL (docs/postgresql.md).
struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Create a corpus schema, and copy a corpus between SQLite and PostgreSQL.",
        discussion: """
            --db takes a SQLite file (PATH or sqlite:PATH) or a PostgreSQL URL, \
            postgresql://HOST:PORT/DB?user=NAME&sslmode=disable|prefer|require|verify-ca|verify-full \
            (the user may also come as NAME@ before HOST; a Unix socket: ?host=/run/postgresql). The password comes from the URL, $PGPASSWORD \
            or ~/.pgpass (mode 0600) and is never printed. So far only these commands work on \
            PostgreSQL; the others and the workbench run on SQLite.
            """,
        subcommands: [DbInitCommand.self, DbCopyCommand.self])
}

/// `vigil db init`: creates the schema, or brings it up to date.
struct DbInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the corpus schema (or apply the migrations it lacks) in a SQLite file or a PostgreSQL database.",
        discussion: """
            The migrations are the same on both backends (v1-corpus ... v9-concepts). A schema made \
            by a newer vigil is refused, and nothing is changed. On PostgreSQL the database must exist \
            (createdb -E UTF8 vigil) and be UTF8; the migrations run in one transaction.
            """)

    @OptionGroup var corpus: CorpusOptions

    func run() async throws {
        switch try corpus.location() {
        case let .sqlite(path):
            let existed = FileManager.default.fileExists(atPath: path)
            let store = try CorpusStore(path: path, create: true)
            let applied = try store.appliedMigrations()
            note("\(path): \(existed ? "corpus schema at" : "created the corpus schema,") \(applied.last ?? "?")")
        case let .postgres(url):
            let connector = try await PostgresConnector.connect(url, warn: note)
            do {
                let applied = try await connector.migrate()
                let latest = try await connector.appliedMigrations()?.last ?? "?"
                if applied.isEmpty {
                    note("\(url): corpus schema at \(latest), nothing to do")
                } else {
                    note("\(url): applied \(applied.joined(separator: ", ")); corpus schema at \(latest)")
                }
                await connector.close()
            } catch {
                await connector.close()
                throw error
            }
        }
    }
}

/// `vigil db copy SRC DST`: a whole corpus, losslessly, into an empty destination.
struct DbCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a whole corpus between SQLite and PostgreSQL (either way), losslessly.",
        discussion: """
            SRC and DST are each a SQLite file (PATH or sqlite:PATH) or a postgresql:// URL. Every \
            table is copied with its ids: documents, layers, the review log, team data, jobs, splits, \
            the teacher's cache. The destination gets all of it or nothing: a PostgreSQL database is \
            written in one transaction and must hold no corpus rows (an empty database gets the \
            schema in the same transaction); a SQLite destination must not exist yet.
            """)

    @Argument(help: ArgumentHelp("The corpus to copy.", valueName: "src"))
    var source: String
    @Argument(help: ArgumentHelp("Where to copy it.", valueName: "dst"))
    var destination: String

    func run() async throws {
        let from = try StoreLocation(parsing: source)
        let to = try StoreLocation(parsing: destination)
        let started = Date()
        let counts = try await CorpusCopy.copy(from: from, to: to, warn: note)
        for (table, rows) in counts where rows > 0 { print("\(pad(table, 22))\(rows)") }
        let total = counts.reduce(0) { $0 + $1.rows }
        note("copied \(total) rows in \(counts.count) tables from \(from) to \(to) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
