import Core
import Foundation
import Tensor

/// A model folder: a Hugging Face BERT checkpoint (`config.json`, `vocab.txt`,
/// `model.safetensors`, optional `tokenizer_config.json`) plus Vigil's head, whose tensors
/// live in `model.safetensors` under `vigil_head.` and whose settings live in `vigil.json`:
/// `{"head": "concat"|"interaction"|"residual", "threshold": 0.5, "mlp_size": 384, "encoder": "…"}`.
public struct StudentModel: Sendable {
    /// The contents of `vigil.json`.
    public struct Settings: Sendable, Codable, Equatable {
        public var head: HeadKind
        public var threshold: Float
        public var mlpSize: Int
        /// Where the encoder came from (e.g. `minilm-l6`), for provenance.
        public var encoder: String?
        /// How piece probabilities become words (absent = `.pieces`).
        public var decoding: Decoding?
        /// Spans whose confidence (mean probability of their run) is below this are dropped (absent = keep all).
        public var minConfidence: Float?
        /// Decoding's hysteresis: a span grows over neighbouring pieces over this (absent = `threshold`).
        public var extendThreshold: Float?
        enum CodingKeys: String, CodingKey {
            case head, threshold, mlpSize = "mlp_size", encoder, decoding, minConfidence = "min_confidence"
            case extendThreshold = "extend_threshold"
        }
        public init(head: HeadKind, threshold: Float = 0.5, mlpSize: Int = 0, encoder: String? = nil) {
            self.head = head
            self.threshold = threshold
            self.mlpSize = mlpSize
            self.encoder = encoder
        }
    }

    /// How a word's pieces decide whether it is part of an ADE.
    public enum Decoding: String, Sendable, Codable, CaseIterable {
        /// Every piece on its own: a word is in when any of its pieces is over the threshold.
        case pieces
        /// The word's first piece decides for the whole word (the usual token-classification rule).
        case firstPiece = "first-piece"
    }

    public var config: BertConfig
    public var tokenizer: WordPieceTokenizer
    public var encoder: BertEncoder
    public var head: TaggerHead
    public var settings: Settings

    public init(config: BertConfig, tokenizer: WordPieceTokenizer, encoder: BertEncoder, head: TaggerHead, settings: Settings) {
        self.config = config
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.head = head
        self.settings = settings
    }

    /// Loads the encoder and tokenizer of a plain BERT folder (no head needed).
    public static func loadEncoder(directory: String) throws(CheckpointError)
        -> (config: BertConfig, tokenizer: WordPieceTokenizer, encoder: BertEncoder, file: SafeTensorsFile) {
        let config = try BertConfig.load(directory: directory)
        let tokenizer = try WordPieceTokenizer(directory: directory, config: config)
        guard tokenizer.vocabulary.tokens.count <= config.vocabularySize else {
            throw .badVocabulary(path: directory + "/vocab.txt", line: tokenizer.vocabulary.tokens.count,
                                 reason: "\(tokenizer.vocabulary.tokens.count) tokens, config vocab_size is \(config.vocabularySize)")
        }
        let file = try SafeTensorsFile(path: directory + "/model.safetensors")
        let weights = try BertWeights(file: file, config: config)
        return (config, tokenizer, BertEncoder(config: config, weights: weights), file)
    }

    /// Loads a full model folder: encoder, tokenizer, `vigil.json` and the head.
    public static func load(directory: String) throws(CheckpointError) -> StudentModel {
        let (config, tokenizer, encoder, file) = try loadEncoder(directory: directory)
        let settingsPath = directory + "/vigil.json"
        guard let data = FileManager.default.contents(atPath: settingsPath) else { throw .missingFile(path: settingsPath) }
        let settings: Settings
        do { settings = try JSONDecoder().decode(Settings.self, from: data) } catch {
            throw .badConfig(path: settingsPath, key: "(file)", reason: "\(error)")
        }
        guard settings.threshold > 0, settings.threshold < 1 else {
            throw .badConfig(path: settingsPath, key: "threshold", reason: "must lie in (0, 1), not \(settings.threshold)")
        }
        if let extend = settings.extendThreshold, !(extend > 0 && extend <= settings.threshold) {
            throw .badConfig(path: settingsPath, key: "extend_threshold",
                             reason: "must lie in (0, threshold \(settings.threshold)], not \(extend)")
        }
        if settings.head.hasMLP, settings.mlpSize <= 0 {
            throw .badConfig(path: settingsPath, key: "mlp_size", reason: "the \(settings.head.rawValue) head needs a positive size")
        }
        let head = try TaggerHead(file: file, kind: settings.head, hiddenSize: config.hiddenSize, mlpSize: settings.mlpSize)
        return StudentModel(config: config, tokenizer: tokenizer, encoder: encoder, head: head, settings: settings)
    }

    /// Writes the folder `directory` (which must not exist or be empty): config, vocabulary,
    /// tokenizer config, encoder and head tensors, `vigil.json`. Written beside and renamed
    /// into place, so a failure leaves no half-written model.
    public func save(to directory: String) throws(CheckpointError) {
        let fm = FileManager.default
        if let contents = try? fm.contentsOfDirectory(atPath: directory), !contents.isEmpty {
            throw .folderExists(path: directory)
        }
        let staging = directory + ".partial-\(UUID().uuidString)"
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
            func writeJSON(_ object: Any, _ name: String) throws {
                try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                    .write(to: URL(fileURLWithPath: staging + "/" + name))
            }
            try writeJSON(config.json, "config.json")
            try writeJSON(config.tokenizerJSON, "tokenizer_config.json")
            try Data((tokenizer.vocabulary.tokens.joined(separator: "\n") + "\n").utf8)
                .write(to: URL(fileURLWithPath: staging + "/vocab.txt"))
            let encoderJSON = JSONEncoder()
            encoderJSON.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoderJSON.encode(settings).write(to: URL(fileURLWithPath: staging + "/vigil.json"))
            try SafeTensorsFile.write(encoder.weights.namedTensors() + head.namedTensors, metadata: ["format": "pt"],
                                      to: staging + "/model.safetensors")
            if fm.fileExists(atPath: directory) { try fm.removeItem(atPath: directory) }
            try fm.moveItem(atPath: staging, toPath: directory)
        } catch let error as CheckpointError {
            try? fm.removeItem(atPath: staging)
            throw error
        } catch {
            try? fm.removeItem(atPath: staging)
            throw .unreadable(path: directory, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

extension StudentModel {
    /// A tagger over a plain BERT folder's encoder with a freshly initialised head of `kind`
    /// (what training starts from). `mlpSize` defaults to the hidden size for the MLP heads;
    /// `relativePosition` adds the head's distance bias.
    public static func fresh(encoderDirectory: String, head kind: HeadKind, mlpSize: Int? = nil, threshold: Float = 0.5,
                             seed: UInt64 = 1, relativePosition: Bool = false) throws(CheckpointError) -> StudentModel {
        let (config, tokenizer, encoder, _) = try loadEncoder(directory: encoderDirectory)
        let size = kind.hasMLP ? (mlpSize ?? config.hiddenSize) : 0
        let head = TaggerHead(random: kind, hiddenSize: config.hiddenSize, mlpSize: size, seed: seed,
                              relativePosition: relativePosition)
        let name = URL(fileURLWithPath: encoderDirectory).standardizedFileURL.lastPathComponent
        return StudentModel(config: config, tokenizer: tokenizer, encoder: encoder, head: head,
                            settings: Settings(head: kind, threshold: threshold, mlpSize: size, encoder: name))
    }
}
