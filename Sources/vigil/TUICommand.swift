import ArgumentParser
import Core
import Corpus
import Foundation
import TerminalUI
import Workbench

/// `vigil tui`, the default command: the curation workbench.
struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Open the curation workbench (the default command).",
        discussion: """
            Review (sentence, drug) items: accept or fix the teacher's ADE spans by keyboard; ? lists every key. \
            Keys can be remapped in the [keys] table of the config file ($VIGIL_CONFIG, else \
            ~/.config/vigil/config.toml), the theme set with [ui] theme = "NAME|PATH". --theme beats the file.
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("Theme name (dark, light, high-contrast, monochrome) or a theme file.", valueName: "name|path"))
    var theme: String?
    @OptionGroup var curator: CuratorOption

    func run() throws {
        try openWorkbench(path: try corpus.path, theme: theme, author: curator.name)
    }
}

/// Opens the workbench on a corpus file; the terminal is restored on every exit path.
func openWorkbench(path: String, theme: String?, author: String?) throws {
    let environment = ProcessInfo.processInfo.environment
    let config = try WorkbenchConfig(try ConfigFile.loadDefault())
    let requested = theme ?? config.theme
    let loaded: Theme
    if let requested {
        loaded = try ThemeLoader.load(requested)
    } else {
        let name = (environment["NO_COLOR"].map { !$0.isEmpty } ?? false) ? "monochrome" : "dark"
        loaded = (try? ThemeLoader.load(name)) ?? Theme.fallback
    }
    let store = try CorpusStore(path: path)
    let who = CuratorOption.resolve(author, environment: environment)
    // Under dynamic assignment, opening the queue hands the curator their next items.
    if let policy = try store.dynamicAssignment(), policy.curators.contains(who) { _ = try store.claim(curator: who) }
    let model = try WorkbenchApp.initialModel(store: store, keymap: config.keymap, author: who, themeName: loaded.name)
    let supervisor = JobSupervisor(store: store, executable: currentExecutable())
    let runner = EffectRunner(store: store, supervisor: supervisor, author: who)
    runner.loadTheme = { try ThemeLoader.load($0) }
    let backend = try NcursesBackend(environment: environment)
    defer { backend.stop() }
    let app = WorkbenchApp(model: model, runner: runner, terminal: Terminal(backend: backend, theme: loaded))
    var signal: Int32?
    app.run(shouldStop: {
        signal = signal ?? backend.takeSignal()
        return signal != nil
    })
    // Killed by a signal: the terminal is restored (defer), and the status says why.
    if let signal { throw ExitCode(128 + signal) }
}

/// The path of this `vigil` binary, for starting jobs.
func currentExecutable() -> String {
    #if os(Linux)
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    #endif
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
}
