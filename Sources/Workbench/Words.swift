import Core

/// Word boundaries in a sentence, for caret moves, visual selection and span editing by word.
/// A word is a maximal run of letters, digits and combining marks.
public struct Words: Sendable {
    public let spans: [Span]
    public let length: Int

    public init(_ scalars: [Unicode.Scalar]) {
        var result: [Span] = []
        var start: Int?
        for (i, s) in scalars.enumerated() {
            if isWordScalar(s) {
                if start == nil { start = i }
            } else if let st = start {
                result.append(Span(st, i))
                start = nil
            }
        }
        if let st = start { result.append(Span(st, scalars.count)) }
        spans = result
        length = scalars.count
    }

    /// The word containing `offset`, else the next word after it, else the last word.
    public func word(at offset: Int) -> Span? {
        spans.first { $0.end > offset } ?? spans.last
    }

    /// The start of the next word after `offset`, or nil.
    public func nextStart(after offset: Int) -> Int? { spans.first { $0.start > offset }?.start }
    /// The start of the previous word before `offset`, or nil.
    public func previousStart(before offset: Int) -> Int? { spans.last { $0.start < offset }?.start }

    // MARK: - Span boundary moves (nil when the move is impossible)

    public func endRightWord(_ s: Span) -> Span? {
        spans.first { $0.end > s.end }.map { Span(s.start, $0.end) }
    }

    public func endLeftWord(_ s: Span) -> Span? {
        spans.last { $0.end < s.end && $0.end > s.start }.map { Span(s.start, $0.end) }
    }

    public func startLeftWord(_ s: Span) -> Span? {
        spans.last { $0.start < s.start }.map { Span($0.start, s.end) }
    }

    public func startRightWord(_ s: Span) -> Span? {
        spans.first { $0.start > s.start && $0.start < s.end }.map { Span($0.start, s.end) }
    }

    public func endRightChar(_ s: Span) -> Span? { s.end < length ? Span(s.start, s.end + 1) : nil }
    public func endLeftChar(_ s: Span) -> Span? { s.end - 1 > s.start ? Span(s.start, s.end - 1) : nil }
    public func startLeftChar(_ s: Span) -> Span? { s.start > 0 ? Span(s.start - 1, s.end) : nil }
    public func startRightChar(_ s: Span) -> Span? { s.start + 1 < s.end ? Span(s.start + 1, s.end) : nil }

    /// The visual selection from the word at `anchor` through the word at `caret`.
    public func selection(anchor: Int, caret: Int) -> Span? {
        guard let a = word(at: min(anchor, caret)), let b = word(at: max(anchor, caret)) else { return nil }
        return Span(min(a.start, b.start), max(a.end, b.end))
    }
}
