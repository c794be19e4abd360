/// Removes credentials from URLs before anything is stored, logged or shown: the one place
/// that decides what a secret in a URL looks like.
///
/// `http://user:secret@host/v1?api_key=K&x=1` becomes `http://host/v1?api_key=[redacted]&x=1`:
/// the userinfo is dropped (so a recorded base URL stays usable without it) and the values of
/// credential-like query parameters are replaced; everything else (scheme, host, path, other
/// parameters) stays readable.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "[redacted]"

    /// Query parameter names (compared case-insensitively) whose values are credentials.
    public static let secretParameters: Set<String> = [
        "key", "api_key", "apikey", "api-key", "token", "access_token", "auth", "password", "secret", "client_secret",
    ]

    /// `text` with every URL in it redacted (a message, an argument, a log line). A URL runs from
    /// its `scheme://` to the next whitespace or quote, less trailing punctuation (`url: HTTP 500`).
    public static func redact(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let marker = schemeSeparator(in: rest) {
            // The scheme: the letters just before `://`.
            var schemeStart = marker.lowerBound
            while schemeStart > rest.startIndex {
                let previous = rest.index(before: schemeStart)
                guard rest[previous].isLetter || rest[previous].isNumber || "+-.".contains(rest[previous]) else { break }
                schemeStart = previous
            }
            var end = rest[marker.upperBound...].firstIndex(where: { $0.isWhitespace || "\"'<>`".contains($0) })
                ?? rest.endIndex
            // Punctuation that ends a sentence or a message part is not part of the URL.
            while end > marker.upperBound, ".,;:!?)]}".contains(rest[rest.index(before: end)]) {
                end = rest.index(before: end)
            }
            out += rest[..<schemeStart]
            out += url(String(rest[schemeStart..<end]))
            rest = rest[end...]
        }
        return out + rest
    }

    /// The range of the first `://` in `text`.
    static func schemeSeparator(in text: Substring) -> Range<Substring.Index>? {
        var i = text.startIndex
        while let colon = text[i...].firstIndex(of: ":") {
            let after = text[text.index(after: colon)...]
            if after.hasPrefix("//") { return colon..<text.index(colon, offsetBy: 3) }
            i = text.index(after: colon)
        }
        return nil
    }

    /// One URL without its userinfo and with its credential query values replaced.
    public static func url(_ url: String) -> String {
        guard let marker = schemeSeparator(in: Substring(url)) else { return url }
        let afterScheme: Substring = url[marker.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        var result = String(url[..<marker.upperBound])
        if let at = afterScheme[..<authorityEnd].lastIndex(of: "@") {
            result += afterScheme[afterScheme.index(after: at)..<authorityEnd]
        } else {
            result += afterScheme[..<authorityEnd]
        }
        let tail: Substring = afterScheme[authorityEnd...]
        guard let question = tail.firstIndex(of: "?") else { return result + tail }
        result += tail[...question]
        let queryEnd = tail[question...].firstIndex(of: "#") ?? tail.endIndex
        let pairs = tail[tail.index(after: question)..<queryEnd].split(separator: "&", omittingEmptySubsequences: false)
        var redactedPairs: [String] = []
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "=") else {
                redactedPairs.append(String(pair))
                continue
            }
            let name = pair[..<equals].removingPercentEncodingLossy.lowercased()
            redactedPairs.append(secretParameters.contains(name) ? String(pair[...equals]) + mask : String(pair))
        }
        result += redactedPairs.joined(separator: "&")
        return result + tail[queryEnd...]
    }
}

private extension Substring {
    /// The text with `%XX` escapes decoded where they are valid (for comparing parameter names).
    var removingPercentEncodingLossy: String {
        guard contains("%") else { return String(self) }
        var bytes: [UInt8] = []
        var i = utf8.startIndex
        while i < utf8.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%"), let h1 = utf8.index(i, offsetBy: 1, limitedBy: utf8.endIndex),
               let h2 = utf8.index(i, offsetBy: 2, limitedBy: utf8.endIndex), h2 < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[h1], utf8[h2]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i = utf8.index(after: h2)
            } else {
                bytes.append(byte)
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
