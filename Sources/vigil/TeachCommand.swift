import ArgumentParser

// Placeholder: registered so that parallel work can fill it in; not shipped as done.
struct TeachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "teach", abstract: "Label sentences with the LLM teacher (OpenAI-compatible API or a replay file).")
    func run() throws { throw ValidationError("`vigil teach` is not built yet") }
}
