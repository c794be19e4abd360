#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// TEST AND BENCHMARK DOUBLE — not used by `vigil` itself.
///
/// A real HTTP/1.1 server on 127.0.0.1 (an ephemeral port) that plays the chat-completions
/// API: POSIX sockets, one thread per connection, keep-alive. A handler decides each answer,
/// so tests can misbehave on purpose (429 with Retry-After, 500, slow answers, broken JSON,
/// 401, a connection closed without an answer).
public final class LoopbackChatServer: @unchecked Sendable {
    /// One request as received.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: String

        /// The content of the last message of a chat-completions body.
        public var prompt: String? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                  let messages = object["messages"] as? [[String: Any]],
                  let content = messages.last?["content"] as? String else { return nil }
            return content
        }

        /// The sentence asked about: the prompt's last `Message: ` line.
        public var sentence: String? {
            guard let prompt else { return nil }
            return prompt.split(separator: "\n").last(where: { $0.hasPrefix("Message: ") }).map { String($0.dropFirst(9)) }
        }
    }

    /// One answer.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        /// Seconds to wait before answering.
        public var delay: Double
        /// Close the connection without answering.
        public var hangUp: Bool
        /// Stream this many bytes after `body`, with no Content-Length (the body ends when the
        /// connection closes), stopping early when the client hangs up.
        public var streamBytes: Int?

        public init(status: Int, headers: [String: String] = [:], body: String, delay: Double = 0, hangUp: Bool = false,
                    streamBytes: Int? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
            self.hangUp = hangUp
            self.streamBytes = streamBytes
        }

        /// A 200 chat completion whose assistant text is `text`.
        public static func chat(_ text: String, promptTokens: Int = 100, completionTokens: Int = 10,
                                delay: Double = 0) -> Response {
            let object: [String: Any] = [
                "id": "chatcmpl-loopback", "object": "chat.completion", "model": "loopback",
                "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens,
                          "total_tokens": promptTokens + completionTokens],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Response(status: 200, headers: ["Content-Type": "application/json"],
                            body: String(decoding: data, as: UTF8.self), delay: delay)
        }
    }

    /// Decides the answer to the `index`-th request (0-based, in arrival order).
    public typealias Handler = @Sendable (Request, Int) -> Response

    public let port: UInt16
    /// `http://127.0.0.1:PORT/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var received: [Request] = []
    private var stopped = false

    public init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackServerError.socket("socket", errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            close(fd)
            throw LoopbackServerError.socket("bind/listen", errno)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Every request received so far, in arrival order.
    public var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    public var requestCount: Int { requests.count }

    /// Stops accepting connections.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        // The accept loop closes the listener when it ends: closing it here could hand its
        // descriptor to a new server before the loop (perhaps not yet started) calls accept.
        if !wasStopped { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            if isStopped {
                close(client)
                return
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(client) }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // Read the head.
            var headEnd: Int?
            while headEnd == nil {
                headEnd = Self.find([13, 10, 13, 10], in: buffer)
                if headEnd != nil { break }
                let n = recv(fd, &chunk, chunk.count, 0)
                if n <= 0 { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            guard let end = headEnd else { return }
            let head = String(decoding: buffer[0..<end], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            while buffer.count < end + 4 + length {
                let n = recv(fd, &chunk, chunk.count, 0)
                if n <= 0 { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
            buffer.removeFirst(end + 4 + length)
            let request = Request(method: requestLine.first.map(String.init) ?? "",
                                  path: requestLine.count > 1 ? String(requestLine[1]) : "", headers: headers, body: body)
            lock.lock()
            let index = received.count
            received.append(request)
            lock.unlock()
            let response = handler(request, index)
            if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
            if response.hangUp { return }
            var text = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
            if let stream = response.streamBytes {
                text += "Connection: close\r\n\r\n" + response.body
                guard Self.sendAll(Array(text.utf8), to: fd) else { return }
                let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 65536)
                var left = stream
                while left > 0, Self.sendAll(Array(filler.prefix(left)), to: fd) { left -= min(left, filler.count) }
                return
            }
            text += "Content-Length: \(response.body.utf8.count)\r\nConnection: keep-alive\r\n\r\n" + response.body
            guard Self.sendAll(Array(text.utf8), to: fd) else { return }
        }
    }

    /// Sends all of `bytes`; false when the peer went away.
    private static func sendAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// A socket call of the loopback server failed.
public enum LoopbackServerError: Error, CustomStringConvertible {
    case socket(String, Int32)
    public var description: String {
        switch self {
        case let .socket(call, code): "loopback server: \(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
