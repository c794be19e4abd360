import Foundation

/// A parsed JSON value, kept exact enough to tell an integer from a fraction and a
/// number from a boolean, so readers can say precisely which field has the wrong type.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// Parses one JSON text; the error text says where the syntax is wrong when Foundation knows.
    static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch _ where loneSurrogate(in: text) != nil {
            let (escape, offset) = loneSurrogate(in: text)!
            throw JSONSyntaxError(detail: """
                the escape \(escape) at character \(offset + 1) is a lone UTF-16 surrogate, not a character \
                (a high surrogate \\uD800–\\uDBFF must be followed by a low one \\uDC00–\\uDFFF)
                """)
        } catch let DecodingError.dataCorrupted(context) {
            // JSONSerialization says where the syntax breaks ("around character 12");
            // the decoder only that it does.
            var detail = context.debugDescription
            do {
                _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            } catch {
                if let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String { detail = message }
            }
            throw JSONSyntaxError(detail: detail)
        } catch {
            throw JSONSyntaxError(detail: "\(error)")
        }
    }

    /// The first `\uXXXX` escape in `text` that is a UTF-16 surrogate without its pair, and
    /// its offset in characters, or `nil`. (Foundation's decoder rejects such a string with a
    /// misleading type-mismatch error.)
    static func loneSurrogate(in text: String) -> (escape: String, offset: Int)? {
        let scalars = Array(text.unicodeScalars)
        func unit(at i: Int) -> UInt32? {
            guard i + 5 < scalars.count, scalars[i] == "\\", scalars[i + 1] == "u" else { return nil }
            var value: UInt32 = 0
            for c in scalars[(i + 2)...(i + 5)] {
                guard let digit = hex(c) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        func hex(_ c: Unicode.Scalar) -> UInt32? {
            switch c {
            case "0"..."9": return c.value - 0x30
            case "a"..."f": return c.value - 0x61 + 10
            case "A"..."F": return c.value - 0x41 + 10
            default: return nil
            }
        }
        var i = 0
        var inString = false
        while i < scalars.count {
            let c = scalars[i]
            if c == "\"" {
                inString.toggle()
            } else if inString, c == "\\" {
                if let u = unit(at: i) {
                    let escape = String(String.UnicodeScalarView(scalars[i...(i + 5)]))
                    if (0xDC00...0xDFFF).contains(u) { return (escape, i) }
                    if (0xD800...0xDBFF).contains(u) {
                        guard let low = unit(at: i + 6), (0xDC00...0xDFFF).contains(low) else { return (escape, i) }
                        i += 12
                        continue
                    }
                    i += 6
                    continue
                }
                i += 2  // another escape: skip the escaped character
                continue
            }
            i += 1
        }
        return nil
    }

    /// How the value's type is named in error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number with a fraction"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// JSON that does not parse.
struct JSONSyntaxError: Error {
    var detail: String
}

/// Writes JSON text with the key order the caller chooses and non-ASCII characters as is
/// (no `\u` escapes), like Python's `json.dumps(..., ensure_ascii=False)`.
public enum JSONWriter {
    /// `s` as a JSON string literal: quotes, backslashes and control characters escaped.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count + 2)
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if c.value < 0x20 {
                    out += String(format: "\\u%04x", c.value)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out += "\""
        return out
    }

    /// An object from `(key, already encoded value)` pairs, in the given order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// An array of already encoded values.
    static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }
}
