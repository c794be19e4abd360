import Foundation

/// An offline teacher that answers from recorded responses: one JSON object per line,
/// `{"text": SENTENCE, "response": RAW ASSISTANT TEXT}`. Its answers go through the same
/// parsing and grounding as the HTTP teacher's.
public struct ReplayTeacher: TeacherBackend {
    public let file: String
    private let responses: [String: String]
    public var endpointKind: String { "replay" }
    public var endpoint: String { file }

    public init(path: String) throws {
        file = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TeacherError.badReplayFile(file: path, line: 0, reason: "cannot read the file")
        }
        var responses: [String: String] = [:]
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TeacherError.badReplayFile(file: path, line: n + 1, reason: "not a JSON object")
            }
            guard let text = object["text"] as? String else {
                throw TeacherError.badReplayFile(file: path, line: n + 1, reason: "\"text\" must be a string")
            }
            guard let response = object["response"] as? String else {
                throw TeacherError.badReplayFile(file: path, line: n + 1, reason: "\"response\" must be a string")
            }
            responses[Self.key(text)] = response
        }
        self.responses = responses
    }

    public func complete(_ request: TeacherRequest) throws -> TeacherReply {
        guard let response = responses[Self.key(request.sentence)] else {
            throw TeacherError.noRecordedResponse(file: file, sentence: request.sentence)
        }
        return TeacherReply(text: response)
    }

    static func key(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
