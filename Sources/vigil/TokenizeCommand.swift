import ArgumentParser

// Placeholder: registered so that parallel work can fill it in; not shipped as done.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "WordPiece-tokenize stdin lines with a model's vocabulary (JSON lines).")
    func run() throws { throw ValidationError("`vigil tokenize` is not built yet") }
}
