import Corpus
import Foundation

/// The prompt's wording as data (Gu et al. 2023, Figure 3); its hash is recorded per run.
public struct PromptTemplate: Hashable, Sendable, Codable {
    /// The instruction that opens the prompt.
    public var instruction: String
    /// The header before each example; `{n}` is replaced by its number (1-based).
    public var exampleHeader: String
    /// The label before a sentence.
    public var messageLabel: String
    /// The label before the answer.
    public var annotationsLabel: String
    /// What an answer with no ADE says.
    public var noneAnswer: String

    public init(instruction: String, exampleHeader: String, messageLabel: String, annotationsLabel: String,
                noneAnswer: String) {
        self.instruction = instruction
        self.exampleHeader = exampleHeader
        self.messageLabel = messageLabel
        self.annotationsLabel = annotationsLabel
        self.noneAnswer = noneAnswer
    }

    /// The paper's prompt: one user message with the instruction, the examples and the message.
    public static let paper = PromptTemplate(
        instruction: "Extract the adverse events each drug causes in the Message. If no ADE is found, return None.",
        exampleHeader: "Example {n}:",
        messageLabel: "Message:",
        annotationsLabel: "Annotations:",
        noneAnswer: "None")

    /// SHA-256 (hex) of the template's canonical JSON: changes whenever any wording does.
    public var hash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        return FormatSupport.sha256(data)
    }
}
