import CNcurses
import Foundation

/// The real terminal, through the CNcurses shim: wide characters, 256/8/no colours
/// (honouring `NO_COLOR`), resize as a key. `stop()` restores the terminal; call it on
/// every exit path (it is safe to call twice).
public final class NcursesBackend: TerminalBackend {
    public let depth: ColorDepth
    private var pairs: [PairKey: Int32] = [:]
    private var styleCache: [Role: (Int32, Int32)] = [:]
    private var cachedTheme: String?
    private let maxPairs: Int

    private struct PairKey: Hashable {
        var fg: TermColor
        var bg: TermColor
    }

    /// Starts curses; throws when standard input/output is not a terminal.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        guard vc_start() == 0 else { throw .cannotStart }
        vc_install_signal_handlers()
        depth = ColorDepth.detect(colors: Int(vc_colors()), environment: environment)
        maxPairs = Int(vc_color_pairs())
    }

    /// Restores the terminal.
    public func stop() { vc_stop() }

    /// A signal (SIGINT, SIGTERM, SIGHUP) received since the last call, or nil.
    public func takeSignal() -> Int32? {
        let s = vc_take_signal()
        return s == 0 ? nil : s
    }

    public var size: (width: Int, height: Int) {
        var rows: Int32 = 0, cols: Int32 = 0
        vc_size(&rows, &cols)
        return (Int(cols), Int(rows))
    }

    public func draw(_ changes: [CellChange], theme: Theme) {
        if cachedTheme != theme.name {
            styleCache.removeAll()
            cachedTheme = theme.name
        }
        for change in changes where !change.cell.isContinuation {
            let (attrs, pair) = resolved(change.cell.role, theme)
            vc_put(Int32(change.y), Int32(change.x), change.cell.scalar.value, attrs, pair)
        }
    }

    public func flush() { vc_refresh() }

    public func invalidate() {
        styleCache.removeAll()
        vc_clear()
    }

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        var value: UInt32 = 0
        switch vc_read(Int32(timeoutMilliseconds), &value) {
        case Int32(VC_CHAR): return Unicode.Scalar(value).map(Key.init(scalar:))
        case Int32(VC_KEY): return Self.key(code: Int(value))
        default: return nil
        }
    }

    private static func key(code: Int) -> Key? {
        switch code {
        case Int(VC_KEY_UP): .up
        case Int(VC_KEY_DOWN): .down
        case Int(VC_KEY_LEFT): .left
        case Int(VC_KEY_RIGHT): .right
        case Int(VC_KEY_HOME): .home
        case Int(VC_KEY_END): .end
        case Int(VC_KEY_PAGE_UP): .pageUp
        case Int(VC_KEY_PAGE_DOWN): .pageDown
        case Int(VC_KEY_BACKSPACE): .backspace
        case Int(VC_KEY_DELETE): .delete
        case Int(VC_KEY_ENTER): .enter
        case Int(VC_KEY_BACK_TAB): .backTab
        case Int(VC_KEY_RESIZE): .resize
        case Int(VC_KEY_SHIFT_LEFT): .shiftLeft
        case Int(VC_KEY_SHIFT_RIGHT): .shiftRight
        default: nil
        }
    }

    /// Attribute bits and colour pair for a role, allocating pairs on first use.
    private func resolved(_ role: Role, _ theme: Theme) -> (Int32, Int32) {
        if let cached = styleCache[role] { return cached }
        let style = theme.style(role).adapted(to: depth)
        var attrs: Int32 = 0
        if style.attributes.contains(.bold) { attrs |= Int32(VC_BOLD) }
        if style.attributes.contains(.underline) { attrs |= Int32(VC_UNDERLINE) }
        if style.attributes.contains(.reverse) { attrs |= Int32(VC_REVERSE) }
        if style.attributes.contains(.dim) { attrs |= Int32(VC_DIM) }
        if style.attributes.contains(.italic) { attrs |= Int32(VC_ITALIC) }
        var pair: Int32 = 0
        if depth != .none, style.foreground != .terminalDefault || style.background != .terminalDefault {
            let key = PairKey(fg: style.foreground, bg: style.background)
            if let existing = pairs[key] {
                pair = existing
            } else if pairs.count + 1 < maxPairs {
                pair = Int32(pairs.count + 1)
                let number = { (c: TermColor) -> Int32 in
                    if case .index(let i) = c { return Int32(i) }
                    return -1
                }
                if vc_init_pair(pair, number(style.foreground), number(style.background)) == 0 {
                    pairs[key] = pair
                } else {
                    pair = 0
                }
            }
        }
        styleCache[role] = (attrs, pair)
        return (attrs, pair)
    }
}

/// Why the terminal could not be used.
public enum TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
    case notATerminal
    case cannotStart

    public var description: String {
        switch self {
        case .notATerminal: "the workbench needs a terminal (standard input and output are not a TTY)"
        case .cannotStart: "cannot start curses on this terminal (is TERM set?)"
        }
    }
}
