/// A terminal colour: the terminal's default or an xterm palette index (0–255).
public enum TermColor: Hashable, Sendable {
    case terminalDefault
    case index(UInt8)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Reads `default`, a colour name (`red`, `bright_red`), a palette index (`0`–`255`)
    /// or `#rrggbb` (mapped to the nearest entry of the 6×6×6 cube).
    public init?(parsing text: String) {
        let t = text.lowercased()
        if t == "default" { self = .terminalDefault; return }
        if let i = TermColor.names.firstIndex(of: t) { self = .index(UInt8(i)); return }
        if t.hasPrefix("bright_"), let i = TermColor.names.firstIndex(of: String(t.dropFirst(7))) {
            self = .index(UInt8(i + 8))
            return
        }
        if let n = Int(t), (0...255).contains(n) { self = .index(UInt8(n)); return }
        if t.hasPrefix("#"), t.count == 7, let rgb = Int(t.dropFirst(), radix: 16) {
            let level = { (c: Int) in c < 48 ? 0 : c < 115 ? 1 : (c - 35) / 40 }
            let r = level((rgb >> 16) & 0xFF), g = level((rgb >> 8) & 0xFF), b = level(rgb & 0xFF)
            self = .index(UInt8(16 + 36 * r + 6 * g + b))
            return
        }
        return nil
    }

    /// The nearest of the 8 basic colours, for terminals without 256 colours.
    public var basic: TermColor {
        guard case .index(let i) = self else { return self }
        switch i {
        case 0..<8: return self
        case 8..<16: return .index(i - 8)
        case 16..<232:
            let v = Int(i) - 16
            let r = v / 36, g = (v / 6) % 6, b = v % 6
            let bits = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0)
            return .index(UInt8(bits))
        default:
            return .index(i >= 244 ? 7 : 0)
        }
    }
}

/// Text attributes a style can carry.
public struct TextAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let bold = TextAttributes(rawValue: 1)
    public static let underline = TextAttributes(rawValue: 2)
    public static let reverse = TextAttributes(rawValue: 4)
    public static let dim = TextAttributes(rawValue: 8)
    public static let italic = TextAttributes(rawValue: 16)

    static let names: [(String, TextAttributes)] = [
        ("bold", .bold), ("underline", .underline), ("reverse", .reverse), ("dim", .dim), ("italic", .italic),
    ]
}

/// How a role looks: foreground, background and attributes.
public struct Style: Hashable, Sendable {
    public var foreground: TermColor
    public var background: TermColor
    public var attributes: TextAttributes

    public init(foreground: TermColor = .terminalDefault, background: TermColor = .terminalDefault,
                attributes: TextAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()

    /// Parses `FG [on BG] [bold] [underline] [reverse] [dim] [italic]`, e.g.
    /// `"black on yellow bold"`, `"on 236"`, `"reverse"`. The error says which word is wrong.
    public init(parsing text: String) throws(StyleParseError) {
        var style = Style()
        var words = text.split(separator: " ").map { String($0) }[...]
        var sawForeground = false
        while let word = words.popFirst() {
            if word == "on" {
                guard let bg = words.popFirst() else { throw .missingBackground }
                guard let color = TermColor(parsing: bg) else { throw .badColor(bg) }
                style.background = color
            } else if let attribute = TextAttributes.names.first(where: { $0.0 == word.lowercased() }) {
                style.attributes.insert(attribute.1)
            } else if let color = TermColor(parsing: word), !sawForeground {
                style.foreground = color
                sawForeground = true
            } else {
                throw .badColor(word)
            }
        }
        self = style
    }

    /// The style a terminal with `depth` can show.
    public func adapted(to depth: ColorDepth) -> Style {
        switch depth {
        case .full: return self
        case .basic: return Style(foreground: foreground.basic, background: background.basic, attributes: attributes)
        case .none: return Style(attributes: attributes)
        }
    }
}

/// What was wrong with a style string.
public enum StyleParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case badColor(String)
    case missingBackground

    public var description: String {
        switch self {
        case .badColor(let word):
            return "'\(word)' is not a colour (a name like red or bright_blue, 0-255, #rrggbb, default) or an attribute (bold, underline, reverse, dim, italic)"
        case .missingBackground:
            return "'on' must be followed by a background colour"
        }
    }
}

/// How many colours the terminal can show.
public enum ColorDepth: Hashable, Sendable {
    /// 256 colours.
    case full
    /// The 8 basic colours.
    case basic
    /// No colour: attributes only (monochrome terminals and `NO_COLOR`).
    case none

    /// The depth for a terminal reporting `colors` colours, honouring `NO_COLOR`.
    public static func detect(colors: Int, environment: [String: String]) -> ColorDepth {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .none }
        if colors >= 256 { return .full }
        if colors >= 8 { return .basic }
        return .none
    }
}
