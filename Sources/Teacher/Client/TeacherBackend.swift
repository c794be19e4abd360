/// What the teacher is asked: the messages and sampling parameters for one sentence.
public struct TeacherRequest: Hashable, Sendable {
    public var model: String
    public var messages: [ChatMessage]
    public var temperature: Double
    public var maxTokens: Int
    /// The sentence asked about (the replay teacher answers by it).
    public var sentence: String

    public init(model: String, messages: [ChatMessage], temperature: Double, maxTokens: Int, sentence: String) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.sentence = sentence
    }
}

/// The teacher's answer to one request.
public struct TeacherReply: Hashable, Sendable {
    /// The raw assistant text.
    public var text: String
    public var promptTokens: Int
    public var completionTokens: Int
    public init(text: String, promptTokens: Int = 0, completionTokens: Int = 0) {
        self.text = text
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// Something that answers teacher requests: an HTTP client or a replay file.
public protocol TeacherBackend: Sendable {
    /// A short name of the endpoint kind, recorded with the run (`openai`, `replay`…).
    var endpointKind: String { get }
    /// Where requests go, recorded with the run (never credentials).
    var endpoint: String { get }
    /// Answers one request, retrying what can be retried; throws `TeacherError` otherwise.
    func complete(_ request: TeacherRequest) throws -> TeacherReply
}
