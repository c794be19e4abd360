/// A key press, independent of the backend that read it.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case char(Unicode.Scalar)
    case ctrl(Unicode.Scalar)
    case up, down, left, right, home, end, pageUp, pageDown
    case backspace, delete, enter, escape, tab, backTab, shiftLeft, shiftRight
    /// The terminal changed size (delivered as a key by curses).
    case resize

    /// Maps a raw byte-level scalar (as `get_wch` returns it) to a key: control codes
    /// become `enter`, `tab`, `escape`, `backspace` or `ctrl`.
    public init(scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x0D, 0x0A: self = .enter
        case 0x09: self = .tab
        case 0x1B: self = .escape
        case 0x7F, 0x08: self = .backspace
        case 0x01...0x1A: self = .ctrl(Unicode.Scalar(scalar.value + 0x60) ?? "?")
        default: self = .char(scalar)
        }
    }

    private static let named: [(String, Key)] = [
        ("Up", .up), ("Down", .down), ("Left", .left), ("Right", .right), ("Home", .home), ("End", .end),
        ("PageUp", .pageUp), ("PageDown", .pageDown), ("BS", .backspace), ("Del", .delete), ("Enter", .enter),
        ("Esc", .escape), ("Tab", .tab), ("S-Tab", .backTab), ("S-Left", .shiftLeft), ("S-Right", .shiftRight),
        ("Space", .char(" ")), ("Resize", .resize),
    ]

    /// The names in angle brackets that `init?(name:)` reads (`Up`, `S-Tab`, …), in table order.
    public static var configNames: [String] { named.map(\.0).filter { $0 != "Resize" } }

    /// Reads a key name as written in keymaps and config files: a single character
    /// (`j`, `?`), `<C-r>` for Ctrl, or a name in angle brackets (`<Down>`, `<Enter>`,
    /// `<S-Tab>`, `<Space>`). Returns nil for anything else.
    public init?(name: String) {
        let scalars = Array(name.unicodeScalars)
        if scalars.count == 1 {
            self = .char(scalars[0])
            return
        }
        guard name.hasPrefix("<"), name.hasSuffix(">"), scalars.count > 2 else { return nil }
        let inner = String(name.dropFirst().dropLast())
        if inner.hasPrefix("C-"), inner.unicodeScalars.count == 3, let c = inner.unicodeScalars.last,
           ("a"..."z").contains(Character(c)) {
            self = .ctrl(c)
            return
        }
        guard let match = Key.named.first(where: { $0.0.lowercased() == inner.lowercased() }) else { return nil }
        self = match.1
    }

    /// The name `init?(name:)` reads, shown in the footer and the help.
    public var description: String {
        switch self {
        case .char(" "): return "<Space>"
        case .char(let c): return String(Character(c))
        case .ctrl(let c): return "<C-\(Character(c))>"
        default:
            return "<" + (Key.named.first(where: { $0.1 == self })?.0 ?? "?") + ">"
        }
    }

    /// A compact label for hints: `↓`, `⏎`, `C-r`.
    public var label: String {
        switch self {
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .enter: "⏎"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .shiftLeft: "S-←"
        case .shiftRight: "S-→"
        case .char(" "): "Space"
        case .char(let c): String(Character(c))
        case .ctrl(let c): "C-\(Character(c))"
        default: String(description.dropFirst().dropLast())
        }
    }
}
