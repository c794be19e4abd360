import ArgumentParser
import Corpus
import Foundation
import Student

/// `vigil tokenize`: the WordPiece view of stdin lines, for checking a checkpoint's vocabulary.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "WordPiece-tokenize stdin lines with a model's vocabulary (JSON lines).",
        discussion: """
            Reads one sentence per line on stdin and prints one JSON object per line:
              {"tokens": ["[CLS]", ...], "ids": [101, ...], "offsets": [[0, 0], [0, 4], ...]}

            Offsets are half-open Unicode-scalar offsets into the line; [CLS] and [SEP] get [0, 0]. \
            Lines longer than the model's maximum are truncated, as the encoder sees them.

            Example: echo "Amiodarone-induced toxicity" | vigil tokenize --model models/minilm-l6
            """)

    @Option(help: ArgumentHelp("A BERT folder (config.json, vocab.txt).", valueName: "dir")) var model: String

    func run() throws {
        let config = try BertConfig.load(directory: model)
        let tokenizer = try WordPieceTokenizer(directory: model, config: config)
        while let line = readLine(strippingNewline: true) {
            let pieces = tokenizer.encode(line)
            let tokens = pieces.map { JSONWriter.quoted($0.token) }.joined(separator: ", ")
            let ids = pieces.map { String($0.id) }.joined(separator: ", ")
            let offsets = pieces.map { "[\($0.span.start), \($0.span.end)]" }.joined(separator: ", ")
            print("{\"tokens\": [\(tokens)], \"ids\": [\(ids)], \"offsets\": [\(offsets)]}")
        }
    }
}

