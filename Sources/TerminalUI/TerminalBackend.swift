/// What the workbench needs from a terminal: its size, drawing changed cells, and keys.
/// `NcursesBackend` is the real one, `TestBackend` the in-memory one.
public protocol TerminalBackend: AnyObject {
    /// The current size in cells.
    var size: (width: Int, height: Int) { get }
    /// Draws cells in the theme's styles (not yet visible until `flush`).
    func draw(_ changes: [CellChange], theme: Theme)
    /// Makes everything drawn visible.
    func flush()
    /// Forgets what is on screen so the next frame is drawn in full (after a resize).
    func invalidate()
    /// Waits up to `timeoutMilliseconds` for a key; nil on timeout.
    func readKey(timeoutMilliseconds: Int) -> Key?
}

/// Draws buffers onto a backend, sending only the cells that changed since the last frame.
public final class Terminal {
    public let backend: TerminalBackend
    public var theme: Theme
    private var previous: ScreenBuffer?

    public init(backend: TerminalBackend, theme: Theme) {
        self.backend = backend
        self.theme = theme
    }

    /// Draws `buffer`; returns how many cells were sent.
    @discardableResult
    public func present(_ buffer: ScreenBuffer) -> Int {
        let changes = buffer.changes(from: previous)
        if !changes.isEmpty {
            backend.draw(changes, theme: theme)
            backend.flush()
        }
        previous = buffer
        return changes.count
    }

    /// Redraws everything on the next `present` (after a resize or a theme change).
    public func invalidate() {
        previous = nil
        backend.invalidate()
    }
}
