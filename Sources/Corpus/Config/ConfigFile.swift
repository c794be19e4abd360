import Foundation
import TOMLKit

/// Vigil's configuration file: TOML, one table per concern (`[teacher]`, `[keys]`, `[ui]`…).
///
/// Found at `$VIGIL_CONFIG`, else `$XDG_CONFIG_HOME/vigil/config.toml`, else
/// `~/.config/vigil/config.toml`; a missing file is an empty configuration. Values are read
/// through typed accessors whose errors name the file and the dotted key.
public struct ConfigFile: Sendable {
    /// The file the values came from; nil when there was none.
    public let path: String?
    /// The file's permission bits (e.g. 0o600); nil when there was no file.
    public let mode: UInt16?
    public let root: ConfigValue

    /// An empty configuration (no file).
    public init() {
        path = nil
        mode = nil
        root = .table([:])
    }

    /// Parses TOML text; `path` names the source in errors.
    public init(text: String, path: String, mode: UInt16? = nil) throws {
        if let (line, column) = Self.badTableHeader(text) {
            throw ConfigError.syntax(file: path, line: line, column: column,
                                     message: "a table name must start with a letter, digit, '_', '-' or a quote")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError.syntax(file: path, line: error.source.begin.line,
                                     column: error.source.begin.column, message: error.description)
        }
        self.path = path
        self.mode = mode
        root = ConfigValue(table)
    }

    /// The line and column (1-based) of the first table header (`[name]`, `[[name]]`) whose name
    /// starts with a character a key cannot start with, or `nil`. toml++ (under TOMLKit) asserts
    /// that it never meets one, which aborts the process (found by `make fuzz` with `[!teacher]`),
    /// so such a file is refused here first. Strings, comments and the brackets of array and
    /// inline-table values are skipped: only a `[` that starts a line at the top level is a header.
    static func badTableHeader(_ text: String) -> (line: Int, column: Int)? {
        let s = Array(text.unicodeScalars)
        var i = 0, line = 1, lineStart = 0, depth = 0
        var atLineStart = true, inHeader = false
        func isKeyStart(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
                || c == "\"" || c == "'" || c == "]"
        }
        func skipBlanks(_ j: inout Int) { while j < s.count, s[j] == " " || s[j] == "\t" { j += 1 } }
        func newline() {
            line += 1
            lineStart = i + 1
            atLineStart = true
            inHeader = false
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case "\n":
                newline()
            case " ", "\t", "\r":
                break
            case "#":
                while i + 1 < s.count, s[i + 1] != "\n" { i += 1 }
            case "\"", "'":
                atLineStart = false
                let triple = i + 2 < s.count && s[i + 1] == c && s[i + 2] == c
                i += triple ? 3 : 1
                while i < s.count {
                    if c == "\"", s[i] == "\\" { i += 2; continue }
                    if s[i] == "\n" {
                        if !triple { break } // an unterminated string: the parser reports it
                        line += 1
                        lineStart = i + 1
                    }
                    if s[i] == c, !triple || (i + 2 < s.count && s[i + 1] == c && s[i + 2] == c) {
                        i += triple ? 2 : 0
                        break
                    }
                    i += 1
                }
                if i < s.count, s[i] == "\n" { newline() }
            case "[" where atLineStart && depth == 0:
                atLineStart = false
                inHeader = true
                var j = i + 1
                skipBlanks(&j)
                if j < s.count, s[j] == "[", j == i + 1 {
                    j += 1
                    skipBlanks(&j)
                }
                if j < s.count, !isKeyStart(s[j]) { return (line, j - lineStart + 1) }
                i = j - 1
            case "[", "{":
                atLineStart = false
                if !inHeader { depth += 1 }
            case "]", "}":
                atLineStart = false
                if !inHeader { depth = max(0, depth - 1) }
            default:
                atLineStart = false
            }
            i += 1
        }
        return nil
    }

    /// Reads `path`; a file that does not exist gives an empty configuration.
    public static func load(path: String) throws -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return ConfigFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError.unreadable(file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.syntax(file: path, line: 1, column: 1, message: "the file is not UTF-8")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let mode = (attributes?[.posixPermissions] as? NSNumber).map { UInt16($0.intValue & 0o777) }
        return try ConfigFile(text: text, path: path, mode: mode)
    }

    /// The file Vigil reads by default (see the type's documentation).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["VIGIL_CONFIG"], !explicit.isEmpty { return explicit }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/vigil/config.toml"
    }

    /// Loads the default file.
    public static func loadDefault(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigFile {
        try load(path: defaultPath(environment: environment))
    }

    // MARK: - Typed access

    /// The value at a dotted key (`teacher.model`), or nil.
    public func value(_ key: String) -> ConfigValue? {
        var current = root
        for part in key.split(separator: ".") {
            guard case .table(let table) = current, let next = table[String(part)] else { return nil }
            current = next
        }
        return current
    }

    /// The keys of the table at `key` (the root when empty); an error when it is not a table.
    public func keys(_ key: String) throws -> [String] {
        guard let value = key.isEmpty ? root : value(key) else { return [] }
        guard case .table(let table) = value else { throw mismatch(key, "a table", value) }
        return table.keys.sorted()
    }

    public func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let s) = value else { throw mismatch(key, "a string", value) }
        return s
    }

    public func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard case .int(let i) = value else { throw mismatch(key, "an integer", value) }
        return i
    }

    /// A number; integers are accepted where a fraction is allowed.
    public func double(_ key: String) throws -> Double? {
        guard let value = value(key) else { return nil }
        switch value {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: throw mismatch(key, "a number", value)
        }
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let b) = value else { throw mismatch(key, "true or false", value) }
        return b
    }

    /// A string or an array of strings (a single string reads as a one-element list).
    public func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            return try items.map { item in
                guard case .string(let s) = item else { throw mismatch(key, "a list of strings", value) }
                return s
            }
        default: throw mismatch(key, "a string or a list of strings", value)
        }
    }

    /// An error naming this file and `key`, for callers that validate values themselves.
    public func invalid(_ key: String, _ message: String) -> ConfigError {
        ConfigError.invalidValue(file: path ?? "(no config file)", key: key, message: message)
    }

    private func mismatch(_ key: String, _ expected: String, _ found: ConfigValue) -> ConfigError {
        invalid(key, "expected \(expected), found \(found.kindDescription) \(found)")
    }
}

/// A configuration value, detached from the TOML parser (a plain, sendable tree).
public enum ConfigValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])
    /// Dates and times, kept as their TOML text.
    case other(String)

    init(_ table: TOMLTable) {
        var values: [String: ConfigValue] = [:]
        for key in table.keys {
            if let value = table[key] { values[key] = ConfigValue(value) }
        }
        self = .table(values)
    }

    init(_ value: TOMLValueConvertible) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .int(value.int ?? 0)
        case .double: self = .double(value.double ?? 0)
        case .bool: self = .bool(value.bool ?? false)
        case .array: self = .array((value.array.map { Array($0) } ?? []).map { ConfigValue($0) })
        case .table: self = value.table.map { ConfigValue($0) } ?? .table([:])
        default: self = .other(value.debugDescription)
        }
    }

    var kindDescription: String {
        switch self {
        case .string: "string"
        case .int: "integer"
        case .double: "number"
        case .bool: "boolean"
        case .array: "list"
        case .table: "table"
        case .other: "value"
        }
    }

    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .table(let t): "{" + t.keys.sorted().map { "\($0) = \(t[$0]!)" }.joined(separator: ", ") + "}"
        case .other(let s): s
        }
    }
}

/// A configuration problem, naming the file and the line or key.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case syntax(file: String, line: Int, column: Int, message: String)
    case unreadable(file: String)
    case invalidValue(file: String, key: String, message: String)

    public var description: String {
        switch self {
        case .syntax(let file, let line, let column, let message): "\(file):\(line):\(column): \(message)"
        case .unreadable(let file): "\(file): cannot read the configuration file"
        case .invalidValue(let file, let key, let message): "\(file): \(key): \(message)"
        }
    }
}
