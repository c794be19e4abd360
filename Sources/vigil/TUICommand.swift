import ArgumentParser

// Placeholder: registered so that parallel work can fill it in; not shipped as done.
struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tui", abstract: "Open the curation workbench (the default command).")
    func run() throws { throw ValidationError("`vigil tui` is not built yet") }
}
