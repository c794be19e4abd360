import Foundation

/// Reads the model's `drug: ae1|ae2` lines and `None`, tolerantly.
///
/// Accepts bullets and numbering (`-`, `*`, `•`, `1.`, `2)`), Markdown emphasis and code
/// fences, quotes, stray whitespace, any case, trailing punctuation, a leading
/// `Annotations:` label, several drugs on one line (`a: x|y; b: z` or `a: x, b: z`), and a
/// drug named twice (its ADEs are merged), and a `drug:` line whose ADEs follow on the next
/// line (as in the paper's Figure 3). Other lines without a colon, such as a preamble, are ignored.
public enum AnswerParser {
    public static func parse(_ response: String, noneAnswer: String = "None") -> ParsedAnswer {
        var drugs: [DrugAnswer] = []
        var saidNone = false
        /// Drugs answered explicitly with `None` (kept with no ADE).
        var explicitNone: Set<String> = []
        /// The drug of a `drug:` line with nothing after it: the next lines hold its ADEs.
        var open: String?
        func add(_ drug: String, _ rest: String) {
            let separator: Character = rest.contains("|") ? "|" : (rest.contains(";") ? ";" : "|")
            var ades: [String] = []
            for piece in rest.split(separator: separator) {
                let ade = cleanValue(String(piece))
                if ade.isEmpty || isNone(ade, noneAnswer) { continue }
                if !ades.contains(where: { $0.lowercased() == ade.lowercased() }) { ades.append(ade) }
            }
            if ades.isEmpty, isNone(rest, noneAnswer) { explicitNone.insert(drug.lowercased()) }
            if let i = drugs.firstIndex(where: { $0.drug.lowercased() == drug.lowercased() }) {
                for ade in ades where !drugs[i].ades.contains(where: { $0.lowercased() == ade.lowercased() }) {
                    drugs[i].ades.append(ade)
                }
            } else {
                drugs.append(DrugAnswer(drug: drug, ades: ades))
            }
        }
        for rawLine in response.split(whereSeparator: \.isNewline) {
            var line = cleanLine(String(rawLine))
            if line.lowercased().hasPrefix("annotations:") { line = trim(String(line.dropFirst("annotations:".count))) }
            if line.isEmpty || line.hasPrefix("```") { continue }
            if isNone(line, noneAnswer) {
                if let drug = open { explicitNone.insert(drug.lowercased()) } else { saidNone = true }
                open = nil
                continue
            }
            if !line.contains(":") {
                if let drug = open { add(drug, line) }
                open = nil
                continue
            }
            open = nil
            for segment in segments(line) {
                guard let colon = segment.firstIndex(of: ":") else { continue }
                let drug = cleanValue(String(segment[..<colon]))
                guard !drug.isEmpty, !isNone(drug, noneAnswer) else { continue }
                let rest = String(segment[segment.index(after: colon)...])
                if cleanValue(rest).isEmpty {
                    open = drug
                    continue
                }
                add(drug, rest)
            }
        }
        drugs.removeAll { $0.ades.isEmpty && !explicitNone.contains($0.drug.lowercased()) }
        return ParsedAnswer(drugs: drugs, saidNone: saidNone && drugs.allSatisfy(\.ades.isEmpty))
    }

    /// Splits a line holding several `drug: …` parts. A part after the first starts after the
    /// last `;` or `,` that precedes its colon.
    static func segments(_ line: String) -> [Substring] {
        let colons = line.indices.filter { line[$0] == ":" }
        guard colons.count > 1 else { return [Substring(line)] }
        var starts = [line.startIndex]
        for k in 1..<colons.count {
            var i = colons[k]
            var cut: String.Index?
            while i > colons[k - 1] {
                i = line.index(before: i)
                if line[i] == ";" || line[i] == "," { cut = line.index(after: i); break }
            }
            if let cut { starts.append(cut) }
        }
        var result: [Substring] = []
        for (n, start) in starts.enumerated() {
            var end = n + 1 < starts.count ? line.index(before: starts[n + 1]) : line.endIndex
            if end < start { end = start }
            result.append(line[start..<end])
        }
        return result
    }

    static func isNone(_ text: String, _ noneAnswer: String) -> Bool {
        let t = cleanValue(text).lowercased()
        return t == noneAnswer.lowercased() || t == "none" || t == "n/a" || t == "no ade" || t == "no ades"
            || t == "none found" || t == "no adverse events"
    }

    /// Removes bullets, numbering and Markdown emphasis around a line.
    static func cleanLine(_ line: String) -> String {
        var s = Substring(trim(line))
        while let first = s.first, "-*•·>".contains(first) { s = Substring(trim(String(s.dropFirst()))) }
        // Numbering: "1.", "2)", "(3)".
        let digits = s.prefix(while: { $0 == "(" || $0.isNumber })
        if digits.contains(where: \.isNumber) {
            let after = s.dropFirst(digits.count)
            if let mark = after.first, mark == "." || mark == ")" {
                s = Substring(trim(String(after.dropFirst())))
            }
        }
        return trim(String(s).replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "__", with: ""))
    }

    /// Removes quotes, stray whitespace and trailing punctuation from a drug or ADE string.
    static func cleanValue(_ value: String) -> String {
        var s = trim(value)
        let quotes: Set<Character> = ["\"", "'", "“", "”", "‘", "’", "`", "«", "»"]
        let trailing: Set<Character> = [".", ",", ";", ":", "!"]
        var changed = true
        while changed, !s.isEmpty {
            changed = false
            if let last = s.last, trailing.contains(last) || quotes.contains(last) { s.removeLast(); changed = true }
            if let first = s.first, quotes.contains(first) { s.removeFirst(); changed = true }
            s = trim(s)
        }
        return s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func trim(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
