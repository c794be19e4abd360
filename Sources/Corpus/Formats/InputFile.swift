import Crypto
import Foundation

/// An input file read whole: its bytes' SHA-256 and its lines, each decoded as UTF-8
/// with the line number kept for error messages.
struct InputFile {
    let path: String
    let sha256: String
    /// (1-based line number, text without the line end).
    let lines: [(number: Int, text: String)]

    /// Reads `path`; invalid UTF-8 is an error naming the line. A final line end is optional.
    init(path: String, allowEmpty: Bool = false) throws {
        self.path = path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImportError(file: path, line: 0, "cannot read the file (\(Self.reason(error)))")
        }
        if data.isEmpty && !allowEmpty { throw ImportError(file: path, line: 0, "the file is empty") }
        sha256 = Self.hex(SHA256.hash(data: data))
        var lines: [(Int, String)] = []
        var number = 0
        var start = data.startIndex
        let bytes = [UInt8](data)
        var i = 0
        func emit(_ end: Int) throws {
            number += 1
            var slice = bytes[start..<end]
            if slice.last == 0x0D { slice = slice.dropLast() }  // tolerate CRLF
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw ImportError(file: path, line: number, "invalid UTF-8")
            }
            lines.append((number, text))
        }
        while i < bytes.count {
            if bytes[i] == 0x0A {
                try emit(i)
                start = i + 1
            }
            i += 1
        }
        if start < bytes.count { try emit(bytes.count) }
        self.lines = lines
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
