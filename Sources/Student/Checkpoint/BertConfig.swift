import Foundation

/// The fields of a Hugging Face BERT `config.json` that the encoder needs, plus the
/// tokenizer options from `tokenizer_config.json` when the folder has one.
public struct BertConfig: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEps: Float
    /// `do_lower_case` (default true, as for uncased checkpoints).
    public var lowercase: Bool
    /// `strip_accents`; `nil` means "as `lowercase`", BERT's rule.
    public var stripAccents: Bool?
    /// The longest input in word pieces, `[CLS]` and `[SEP]` included.
    public var maxLength: Int

    public init(vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
                maxPositions: Int = 512, typeVocabularySize: Int = 2, layerNormEps: Float = 1e-12,
                lowercase: Bool = true, stripAccents: Bool? = nil, maxLength: Int? = nil) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEps = layerNormEps
        self.lowercase = lowercase
        self.stripAccents = stripAccents
        self.maxLength = min(maxLength ?? maxPositions, maxPositions)
    }

    /// Reads `config.json` (and `tokenizer_config.json` beside it, when present) from `directory`.
    public static func load(directory: String) throws(CheckpointError) -> BertConfig {
        let path = directory + "/config.json"
        let json = try readObject(path)
        func int(_ key: String, default value: Int? = nil) throws(CheckpointError) -> Int {
            guard let raw = json[key] else {
                if let value { return value }
                throw .badConfig(path: path, key: key, reason: "missing")
            }
            guard let number = raw as? Int, number > 0 else {
                throw .badConfig(path: path, key: key, reason: "must be a positive integer, not \(raw)")
            }
            return number
        }
        if let act = json["hidden_act"], act as? String != "gelu" {
            throw .badConfig(path: path, key: "hidden_act", reason: "only \"gelu\" (erf form) is supported, not \(act)")
        }
        if let kind = json["position_embedding_type"], kind as? String != "absolute" {
            throw .badConfig(path: path, key: "position_embedding_type", reason: "only \"absolute\" is supported, not \(kind)")
        }
        var eps: Float = 1e-12
        if let raw = json["layer_norm_eps"] {
            guard let value = raw as? Double, value > 0 else {
                throw .badConfig(path: path, key: "layer_norm_eps", reason: "must be a positive number, not \(raw)")
            }
            eps = Float(value)
        }
        var config = BertConfig(
            vocabularySize: try int("vocab_size"), hiddenSize: try int("hidden_size"),
            layers: try int("num_hidden_layers"), heads: try int("num_attention_heads"),
            intermediateSize: try int("intermediate_size"), maxPositions: try int("max_position_embeddings", default: 512),
            typeVocabularySize: try int("type_vocab_size", default: 2), layerNormEps: eps)
        guard config.hiddenSize % config.heads == 0 else {
            throw .badConfig(path: path, key: "num_attention_heads",
                             reason: "\(config.heads) does not divide hidden_size \(config.hiddenSize)")
        }
        let tokenizerPath = directory + "/tokenizer_config.json"
        if FileManager.default.fileExists(atPath: tokenizerPath) {
            let tokenizer = try readObject(tokenizerPath)
            if let lower = tokenizer["do_lower_case"] {
                guard let value = lower as? Bool else {
                    throw .badConfig(path: tokenizerPath, key: "do_lower_case", reason: "must be true or false")
                }
                config.lowercase = value
            }
            config.stripAccents = tokenizer["strip_accents"] as? Bool
            if let length = tokenizer["model_max_length"] as? Int, length > 2 {
                config.maxLength = min(length, config.maxPositions)
            }
        }
        return config
    }

    /// The `config.json` object for this configuration (what `StudentModel.save` writes).
    public var json: [String: Any] {
        ["model_type": "bert", "architectures": ["BertModel"], "vocab_size": vocabularySize, "hidden_size": hiddenSize,
         "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": intermediateSize,
         "max_position_embeddings": maxPositions, "type_vocab_size": typeVocabularySize,
         "layer_norm_eps": Double(layerNormEps), "hidden_act": "gelu", "position_embedding_type": "absolute"]
    }

    /// The `tokenizer_config.json` object for this configuration.
    public var tokenizerJSON: [String: Any] {
        var object: [String: Any] = ["do_lower_case": lowercase, "model_max_length": maxLength,
                                     "tokenizer_class": "BertTokenizer"]
        if let stripAccents { object["strip_accents"] = stripAccents }
        return object
    }

    static func readObject(_ path: String) throws(CheckpointError) -> [String: Any] {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .badConfig(path: path, key: "(file)", reason: "not a JSON object")
        }
        return object
    }
}
