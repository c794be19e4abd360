import ArgumentParser

// Placeholder: registered so that parallel work can fill it in; not shipped as done.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed", abstract: "Print the encoder's last hidden states for stdin lines (JSON lines).")
    func run() throws { throw ValidationError("`vigil embed` is not built yet") }
}
