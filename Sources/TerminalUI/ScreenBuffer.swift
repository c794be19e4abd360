/// One terminal cell: a scalar and the role it is drawn in.
public struct Cell: Hashable, Sendable {
    public var scalar: Unicode.Scalar
    public var role: Role
    /// True for the right half of a wide character (drawn by the cell to its left).
    public var isContinuation: Bool

    public init(_ scalar: Unicode.Scalar = " ", role: Role = .text, isContinuation: Bool = false) {
        self.scalar = scalar
        self.role = role
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}

/// A rectangle in cell coordinates.
public struct Rect: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
}

/// An in-memory screen that widgets draw into; it never talks to a terminal.
public struct ScreenBuffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Fills a rectangle (clipped to the screen) with spaces of `role`.
    public mutating func fill(_ rect: Rect, role: Role) {
        for y in max(0, rect.y)..<min(height, rect.maxY) where rect.x < width {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                self[x, y] = Cell(" ", role: role)
            }
        }
    }

    /// Sets the role of existing cells (keeps their text), e.g. to highlight a line.
    public mutating func paint(_ rect: Rect, role: Role) {
        for y in max(0, rect.y)..<min(height, rect.maxY) where rect.x < width {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                self[x, y].role = role
            }
        }
    }

    /// Writes `text` from (x, y) in `role`, clipped at column `limit` (default: the right
    /// edge). Wide characters take two cells and are never cut in half. Returns the next x.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role, limit: Int? = nil) -> Int {
        var cx = x
        for scalar in text.unicodeScalars {
            cx = put(scalar, x: cx, y: y, role: role, limit: limit)
        }
        return cx
    }

    /// Writes one scalar (see `put(_:x:y:role:limit:)`). Returns the next x.
    @discardableResult
    public mutating func put(_ scalar: Unicode.Scalar, x: Int, y: Int, role: Role, limit: Int? = nil) -> Int {
        let right = min(width, limit ?? width)
        guard y >= 0, y < height else { return x }
        let w = TextWidth.of(scalar)
        if w == 0 { return x }
        guard x >= 0, x + w <= right else { return x + w }
        self[x, y] = Cell(scalar, role: role)
        if w == 2 { self[x + 1, y] = Cell(" ", role: role, isContinuation: true) }
        return x + w
    }

    /// The screen as text, one line per row, trailing spaces removed.
    public var text: String {
        (0..<height).map { y in
            var line = String.UnicodeScalarView()
            for x in 0..<width where !self[x, y].isContinuation { line.append(self[x, y].scalar) }
            return String(line).trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    /// The screen's roles, one `Role.code` per cell, for snapshot tests.
    public var roleGrid: String {
        (0..<height).map { y in String((0..<width).map { self[$0, y].role.code }) }.joined(separator: "\n")
    }

    /// The cells that differ from `previous` (all of them when the size changed), in
    /// row-major order: what a backend has to redraw.
    public func changes(from previous: ScreenBuffer?) -> [CellChange] {
        var result: [CellChange] = []
        let full = previous == nil || previous?.width != width || previous?.height != height
        for y in 0..<height {
            for x in 0..<width {
                let cell = self[x, y]
                if full || previous?.cells[y * width + x] != cell {
                    result.append(CellChange(x: x, y: y, cell: cell))
                }
            }
        }
        return result
    }
}

/// One cell to redraw.
public struct CellChange: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var cell: Cell
    public init(x: Int, y: Int, cell: Cell) {
        self.x = x
        self.y = y
        self.cell = cell
    }
}
