import Core
import Corpus
import Foundation

/// One chat message as the API takes it.
public struct ChatMessage: Hashable, Sendable, Codable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A labeled sentence that can serve as a few-shot example.
public struct PromptExample: Hashable, Sendable {
    public var sentenceID: Int64
    public var text: String
    /// The drugs with their ADE strings, in text order; only drugs with at least one ADE.
    public var annotations: [DrugAnswer]

    public init(sentenceID: Int64, text: String, annotations: [DrugAnswer]) {
        self.sentenceID = sentenceID
        self.text = text
        self.annotations = annotations
    }

    /// An example from a layer's view of a sentence; nil when the layer gives it no ADE.
    public init?(_ view: SentenceView) {
        let text = ScalarText(view.text)
        var annotations: [DrugAnswer] = []
        for drug in view.drugs where !drug.ades.isEmpty {
            let ades = drug.ades.compactMap { text.text(at: $0) }
            if let i = annotations.firstIndex(where: { $0.drug.lowercased() == drug.text.lowercased() }) {
                annotations[i].ades += ades.filter { !annotations[i].ades.contains($0) }
            } else {
                annotations.append(DrugAnswer(drug: drug.text, ades: ades))
            }
        }
        guard !annotations.isEmpty else { return nil }
        self.init(sentenceID: view.id, text: view.text, annotations: annotations)
    }
}

/// Builds the prompt for one sentence: the instruction, `shots` seeded examples drawn from a
/// pool (never the sentence asked about), then the message.
public struct PromptBuilder: Sendable {
    public var template: PromptTemplate
    public var shots: Int
    public var seed: UInt64
    public let pool: [PromptExample]

    public init(template: PromptTemplate = .paper, shots: Int, seed: UInt64, pool: [PromptExample]) {
        self.template = template
        self.shots = max(0, shots)
        self.seed = seed
        self.pool = pool.sorted { $0.sentenceID < $1.sentenceID }
    }

    /// The examples for a sentence: the same sentence and seed always give the same ones.
    public func examples(for sentenceID: Int64, text: String) -> [PromptExample] {
        guard shots > 0 else { return [] }
        var candidates = pool.filter { $0.sentenceID != sentenceID && $0.text != text }
        var rng = SplitMix64(seed: seed &+ UInt64(bitPattern: sentenceID) &* 0x9E37_79B9_7F4A_7C15)
        var chosen: [PromptExample] = []
        while chosen.count < shots, !candidates.isEmpty {
            let i = Int(rng.next() % UInt64(candidates.count))
            chosen.append(candidates.remove(at: i))
        }
        return chosen
    }

    /// The messages to send for a sentence.
    public func messages(for sentenceID: Int64, text: String) -> [ChatMessage] {
        var lines = [template.instruction]
        for (n, example) in examples(for: sentenceID, text: text).enumerated() {
            lines.append(template.exampleHeader.replacingOccurrences(of: "{n}", with: String(n + 1)))
            lines.append("\(template.messageLabel) \(example.text)")
            lines.append("\(template.annotationsLabel) " + Self.annotationText(example.annotations, template))
        }
        lines.append("\(template.messageLabel) \(text)")
        lines.append(template.annotationsLabel)
        return [ChatMessage(role: "user", content: lines.joined(separator: "\n"))]
    }

    /// `drug: ae1|ae2` lines (several drugs are separated by line breaks), or the none answer.
    static func annotationText(_ annotations: [DrugAnswer], _ template: PromptTemplate) -> String {
        guard !annotations.isEmpty else { return template.noneAnswer }
        return annotations.map { "\($0.drug): \($0.ades.joined(separator: "|"))" }.joined(separator: "\n")
    }

    /// Messages as a person reads them: each under its role.
    public static func readable(_ messages: [ChatMessage]) -> String {
        messages.map { "[\($0.role)]\n\($0.content)" }.joined(separator: "\n\n")
    }
}
