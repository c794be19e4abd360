import ArgumentParser
import Foundation
import Student
import Tensor

/// `vigil embed`: the encoder's last hidden states for stdin lines.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Print the encoder's last hidden states for stdin lines (JSON lines).",
        discussion: """
            Reads one sentence per line on stdin and prints one JSON object per line:
              {"ids": [101, ...], "hidden": [[0.12, ...], ...]}

            One hidden vector per word piece, [CLS] and [SEP] included (as `vigil tokenize` lists them).

            Example: echo "Rash after penicillin." | vigil embed --model models/minilm-l6
            """)

    @Option(help: ArgumentHelp("A BERT folder (config.json, vocab.txt, model.safetensors).", valueName: "dir"))
    var model: String
    @Option(help: "Sentences per encoder batch.") var batch: Int = 16

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be positive, not \(batch)") }
    }

    func run() throws {
        BLASRuntime.ensureFastCore()
        let (_, tokenizer, encoder, _) = try StudentModel.loadEncoder(directory: model)
        var pending: [[Int32]] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            let output = try encoder.forward(pending)
            for (b, ids) in pending.enumerated() {
                let hidden = output.sequence(b)
                let rows = (0..<ids.count).map { t in
                    "[" + hidden.row(t).map { "\($0)" }.joined(separator: ", ") + "]"
                }
                print("{\"ids\": [\(ids.map(String.init).joined(separator: ", "))], \"hidden\": [\(rows.joined(separator: ", "))]}")
            }
            pending.removeAll()
        }
        while let line = readLine(strippingNewline: true) {
            pending.append(tokenizer.encode(line).map(\.id))
            if pending.count == batch { try flush() }
        }
        try flush()
    }
}
