import ArgumentParser

// Placeholder: registered so that parallel work can fill it in; not shipped as done.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Copy SampleData into a fresh corpus and open the workbench on it.")
    func run() throws { throw ValidationError("`vigil demo` is not built yet") }
}
