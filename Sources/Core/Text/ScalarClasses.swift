/// Whitespace, including line breaks and non-ASCII spaces such as U+00A0 (ASCII fast path).
/// Shared by the sentence splitter and the lexicon matcher.
@inline(__always)
func isSpace(_ c: Unicode.Scalar) -> Bool {
    let v = c.value
    if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
    return c.properties.isWhitespace
}

/// Letters, digits and combining marks: the scalars a word is made of, which a lexicon match,
/// a CoNLL token or a caret move by word never cuts through (ASCII fast path).
@inline(__always)
public func isWordScalar(_ c: Unicode.Scalar) -> Bool {
    let v = c.value
    if v < 0x80 {
        return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
    }
    let p = c.properties
    if p.isAlphabetic || p.numericType != nil { return true }
    switch p.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: return true
    default: return false
    }
}
