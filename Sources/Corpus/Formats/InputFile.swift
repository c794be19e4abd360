import Crypto
import Foundation

/// An input file read whole: its bytes' SHA-256 and its lines, each decoded as UTF-8
/// with the line number kept for error messages.
///
/// A folder given as a file, a NUL byte (which SQLite's text functions take for the end of
/// the text) and a line longer than `maxLineBytes` are errors naming the file and line.
struct InputFile {
    /// The longest line read, in bytes (1 MiB): every format Vigil reads holds one sentence,
    /// record, paragraph or name per line, far shorter than this.
    static let maxLineBytes = 1 << 20

    let path: String
    let sha256: String
    /// (1-based line number, text without the line end).
    let lines: [(number: Int, text: String)]

    /// Reads `path`; invalid UTF-8 is an error naming the line. A final line end is optional.
    init(path: String, allowEmpty: Bool = false, maxLineBytes: Int = InputFile.maxLineBytes) throws {
        self.path = path
        let data = try Self.contents(of: path)
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
            switch bytes[i] {
            case 0x0A:
                try emit(i)
                start = i + 1
            case 0x00:
                let column = String(decoding: bytes[start..<i], as: UTF8.self).unicodeScalars.count + 1
                throw ImportError(file: path, line: number + 1,
                                  "a NUL byte (U+0000) at character \(column): text files hold no NUL (binary or corrupt file?)")
            default:
                break
            }
            if i - start >= maxLineBytes {
                throw ImportError(file: path, line: number + 1, """
                    the line is longer than \(maxLineBytes) bytes, the limit for one line (one sentence, record or name)
                    """)
            }
            i += 1
        }
        if start < bytes.count { try emit(bytes.count) }
        self.lines = lines
    }

    /// The bytes of the file at `path`; a missing file, a folder or an unreadable file is an
    /// `ImportError` that says which.
    static func contents(of path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError(file: path, line: 0, "no such file")
        }
        if isDirectory.boolValue { throw ImportError(file: path, line: 0, "is a folder, expected a file") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImportError(file: path, line: 0, "cannot read the file (\(Self.reason(error)))")
        }
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
