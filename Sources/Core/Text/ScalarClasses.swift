/// Whitespace, including line breaks and non-ASCII spaces such as U+00A0 (ASCII fast path).
/// Shared by the sentence splitter and the lexicon matcher.
@inline(__always)
func isSpace(_ c: Unicode.Scalar) -> Bool {
    let v = c.value
    if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
    return c.properties.isWhitespace
}
