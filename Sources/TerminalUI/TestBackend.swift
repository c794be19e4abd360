/// An in-memory terminal for tests and benchmarks: it keeps the cells drawn and plays
/// back queued keys.
public final class TestBackend: TerminalBackend {
    public private(set) var screen: ScreenBuffer
    public var keys: [Key]
    public private(set) var flushes = 0
    public private(set) var cellsDrawn = 0

    public init(width: Int, height: Int, keys: [Key] = []) {
        screen = ScreenBuffer(width: width, height: height)
        self.keys = keys
    }

    public var size: (width: Int, height: Int) { (screen.width, screen.height) }

    /// Changes the size as a terminal resize would (the next key read is `.resize`).
    public func resize(width: Int, height: Int) {
        screen = ScreenBuffer(width: width, height: height)
        keys.insert(.resize, at: 0)
    }

    public func draw(_ changes: [CellChange], theme: Theme) {
        for change in changes where change.x < screen.width && change.y < screen.height {
            screen[change.x, change.y] = change.cell
        }
        cellsDrawn += changes.count
    }

    public func flush() { flushes += 1 }
    public func invalidate() {}

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        keys.isEmpty ? nil : keys.removeFirst()
    }
}
