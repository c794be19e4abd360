/// Why an export could not be written, as `path: what is wrong`.
///
/// Exporters check every sentence before writing anything, so an `ExportError` means
/// nothing was written (or the previous file at `path` is still intact).
public struct ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder that was to be written.
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
