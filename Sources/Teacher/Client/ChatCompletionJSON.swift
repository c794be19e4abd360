import Foundation

/// The request body of `POST …/chat/completions` (keys sorted, so equal requests are equal bytes).
struct ChatCompletionBody: Encodable {
    var model: String
    var messages: [ChatMessage]
    var temperature: Double
    var maxTokens: Int

    enum CodingKeys: String, CodingKey { case model, messages, temperature, maxTokens = "max_tokens" }

    init(_ request: TeacherRequest) {
        model = request.model
        messages = request.messages
        temperature = request.temperature
        maxTokens = request.maxTokens
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// The parts of a chat completion response the teacher reads.
struct ChatCompletionResponse: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable { var content: String? }
        var message: Message?
        var text: String?
    }
    struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?
        enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens" }
    }
    var choices: [Choice]?
    var usage: Usage?

    /// The assistant text and token usage of a response body.
    static func reply(from body: Data, url: String) throws(TeacherError) -> TeacherReply {
        let decoded: ChatCompletionResponse
        do {
            decoded = try JSONDecoder().decode(ChatCompletionResponse.self, from: body)
        } catch {
            throw .malformedResponse(url: url, reason: "invalid JSON (\(body.count) bytes): \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        guard let choice = decoded.choices?.first else {
            throw .malformedResponse(url: url, reason: "no choices")
        }
        guard let text = choice.message?.content ?? choice.text else {
            throw .malformedResponse(url: url, reason: "the first choice has no message content")
        }
        return TeacherReply(text: text, promptTokens: max(0, decoded.usage?.promptTokens ?? 0),
                            completionTokens: max(0, decoded.usage?.completionTokens ?? 0))
    }
}
