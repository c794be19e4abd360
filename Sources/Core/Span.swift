/// A half-open range `[start, end)` of Unicode-scalar offsets into a sentence's text.
///
/// Offsets count Unicode scalars (code points), the unit Python's `str` and brat use,
/// so a span written by another tool means the same characters here.
public struct Span: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    /// Creates a span; `start <= end` is the caller's promise (see `validated`).
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }

    /// Creates a span after checking `0 <= start < end <= length`.
    public static func validated(_ start: Int, _ end: Int, length: Int) throws(SpanError) -> Span {
        guard start >= 0, end <= length, start < end else {
            throw SpanError.outOfRange(start: start, end: end, length: length)
        }
        return Span(start, end)
    }

    public var length: Int { end - start }
    public var isEmpty: Bool { end <= start }

    /// True when the two spans share at least one scalar (the lenient match).
    public func overlaps(_ other: Span) -> Bool {
        start < other.end && other.start < end
    }

    /// True when `other` lies entirely inside this span.
    public func contains(_ other: Span) -> Bool {
        start <= other.start && other.end <= end
    }

    public static func < (a: Span, b: Span) -> Bool {
        (a.start, a.end) < (b.start, b.end)
    }

    public var description: String { "[\(start),\(end))" }
}

/// Why a span is not valid for a text.
public enum SpanError: Error, Equatable, Sendable, CustomStringConvertible {
    case outOfRange(start: Int, end: Int, length: Int)
    case textMismatch(span: Span, expected: String, found: String)

    public var description: String {
        switch self {
        case let .outOfRange(start, end, length):
            return "span [\(start),\(end)) is empty or outside the text (length \(length))"
        case let .textMismatch(span, expected, found):
            return "span \(span) covers \"\(found)\", not \"\(expected)\""
        }
    }
}
