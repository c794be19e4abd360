/// A problem in an input file, located as `file:line: what is wrong`.
public struct ImportError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line number; 0 when the problem is the file as a whole.
    public var line: Int
    public var message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}
