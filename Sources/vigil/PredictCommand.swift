import ArgumentParser

// Placeholder: registered so that parallel work can fill it in; not shipped as done.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Tag ADEs with a student model and write a student layer.")
    func run() throws { throw ValidationError("`vigil predict` is not built yet") }
}
