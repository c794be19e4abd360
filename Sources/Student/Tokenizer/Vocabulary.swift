import Foundation

/// A WordPiece vocabulary (`vocab.txt`: one token per line, the line number is its id).
public struct Vocabulary: Sendable {
    public let tokens: [String]
    public let ids: [String: Int32]
    /// The longest token, in Unicode scalars (bounds the greedy match).
    public let longestToken: Int

    public init(tokens: [String]) {
        self.tokens = tokens
        var ids: [String: Int32] = [:]
        for (i, token) in tokens.enumerated() where ids[token] == nil { ids[token] = Int32(i) }
        self.ids = ids
        longestToken = tokens.map(\.unicodeScalars.count).max() ?? 0
    }

    /// Reads `vocab.txt`; the special tokens `[UNK]`, `[CLS]`, `[SEP]` must be present.
    public init(path: String) throws(CheckpointError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "cannot open")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        self.init(tokens: lines)
        for special in ["[UNK]", "[CLS]", "[SEP]"] where ids[special] == nil {
            throw .badVocabulary(path: path, line: lines.count, reason: "no \(special) token")
        }
    }

    public subscript(token: String) -> Int32? { ids[token] }
}
