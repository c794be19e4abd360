/// Word wrapping over Unicode scalars, keeping offsets so spans can be drawn on wrapped lines.
public enum TextWrap {
    /// Splits `scalars` into lines at most `width` columns wide, breaking after spaces;
    /// a word longer than a line is cut. Each range is a half-open scalar range; the
    /// spaces at a break stay at the end of the earlier line.
    public static func lines(_ scalars: [Unicode.Scalar], width: Int) -> [Range<Int>] {
        guard width > 0 else { return [] }
        guard !scalars.isEmpty else { return [0..<0] }
        var result: [Range<Int>] = []
        var start = 0
        while start < scalars.count {
            var columns = 0
            var i = start
            var lastBreak: Int?
            while i < scalars.count {
                let w = TextWidth.of(scalars[i])
                if scalars[i] == " " {
                    lastBreak = i + 1
                    columns += w
                    i += 1
                    continue
                }
                if columns + w > width { break }
                columns += w
                i += 1
            }
            if i >= scalars.count {
                result.append(start..<scalars.count)
                break
            }
            var end = lastBreak ?? i
            if end <= start { end = max(i, start + 1) }
            result.append(start..<end)
            start = end
        }
        return result
    }

    /// Splits plain text into lines of at most `width` columns (for help and messages).
    public static func strings(_ text: String, width: Int) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return lines(scalars, width: width).map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view).trimmingTrailingSpaces()
        }
    }
}

extension String {
    /// The string without trailing spaces.
    func trimmingTrailingSpaces() -> String {
        var scalars = Array(unicodeScalars)
        while scalars.last == " " { scalars.removeLast() }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
