/// A sentence's text indexed by Unicode scalar, for O(1) slicing by `Span`.
public struct ScalarText: Sendable, Hashable {
    public let scalars: [Unicode.Scalar]

    public init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    public var count: Int { scalars.count }

    /// The text that `span` covers. The span must lie inside the text.
    public subscript(span: Span) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[span.start..<span.end])
        return String(view)
    }

    /// The covered text, or `nil` when the span does not lie inside the text.
    public func text(at span: Span) -> String? {
        guard span.start >= 0, span.end <= count, span.start < span.end else { return nil }
        return self[span]
    }

    /// Checks that `span` lies inside the text and, when given, covers exactly `expected`.
    public func check(_ span: Span, covers expected: String? = nil) throws(SpanError) {
        guard let found = text(at: span) else {
            throw SpanError.outOfRange(start: span.start, end: span.end, length: count)
        }
        if let expected, found != expected {
            throw SpanError.textMismatch(span: span, expected: expected, found: found)
        }
    }

    /// Every position where `needle` occurs (exact scalars), in order.
    public func occurrences(of needle: String) -> [Int] {
        let n = Array(needle.unicodeScalars)
        guard !n.isEmpty, n.count <= scalars.count else { return [] }
        var found: [Int] = []
        var i = 0
        while i + n.count <= scalars.count {
            if scalars[i] == n[0] && scalars[i..<(i + n.count)].elementsEqual(n) {
                found.append(i)
            }
            i += 1
        }
        return found
    }
}

extension String {
    /// Length in Unicode scalars: the unit of every `Span`.
    public var scalarCount: Int { unicodeScalars.count }
}
