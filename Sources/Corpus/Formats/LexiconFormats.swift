import Core
import Foundation

/// The file formats a drug lexicon can be read from.
public enum LexiconFormat: String, CaseIterable, Sendable {
    /// Vigil's own: `name` or `name<TAB>normalized name` per line, `#` comments.
    case tsv
    /// One name per line; each name is its own concept.
    case lines
    /// The NCI Thesaurus flat file: code, concept name, parents, synonyms (`|`), definition,
    /// display name, concept status, semantic types (`|`), tab-separated.
    case ncit
}

/// A lexicon read from a file: its names, where they came from, and what was left out.
public struct LexiconFileContents: Sendable {
    public var format: LexiconFormat
    public var path: String
    public var sha256: String
    /// (surface name, concept name) pairs, in file order; the same name may repeat.
    public var entries: [(name: String, concept: String)]
    /// Concepts read (NCIt: kept by semantic type and status; other formats: distinct concepts).
    public var concepts: Int
    /// NCIt concepts left out because of their semantic type or status.
    public var skippedConcepts: Int
    /// Names left out for being shorter than the minimum length.
    public var skippedShortNames: Int
    /// The options that shaped the result (recorded with the import).
    public var parameters: [String: String]

    /// The names compiled into a trie.
    public var lexicon: DrugLexicon {
        var lexicon = DrugLexicon()
        for entry in entries { lexicon.add(entry.name, normalized: entry.concept) }
        return lexicon
    }
}

/// Reads lexicon files (see `LexiconFormat`).
public enum LexiconReader {
    /// The NCIt semantic types kept by default: drugs and chemicals.
    public static let defaultSemanticTypes = ["Pharmacologic Substance", "Clinical Drug", "Organic Chemical", "Antibiotic"]
    /// NCIt concept statuses that are never kept.
    static let retiredStatuses: Set<String> = ["obsolete_concept", "retired_concept"]

    /// Reads `path` in `format`.
    ///
    /// - Parameters:
    ///   - semanticTypes: NCIt only: a concept is kept when one of its semantic types is in
    ///     this list (compared case-insensitively).
    ///   - minimumLength: names shorter than this many characters (after trimming) are left
    ///     out, since two-letter synonyms ("IV", "AS") match ordinary words.
    public static func read(path: String, format: LexiconFormat,
                            semanticTypes: [String] = defaultSemanticTypes,
                            minimumLength: Int = 3) throws -> LexiconFileContents {
        let file = try InputFile(path: path)
        var result = LexiconFileContents(format: format, path: path, sha256: file.sha256, entries: [], concepts: 0,
                                         skippedConcepts: 0, skippedShortNames: 0,
                                         parameters: ["format": format.rawValue, "min_length": String(minimumLength)])
        func add(_ name: String, _ concept: String) {
            let name = FormatSupport.collapseWhitespace(name)
            guard !name.isEmpty else { return }
            guard name.count >= minimumLength else { result.skippedShortNames += 1; return }
            result.entries.append((name, concept))
        }
        switch format {
        case .tsv:
            let text = file.lines.map(\.text).joined(separator: "\n")
            let lexicon: DrugLexicon
            do { lexicon = try DrugLexicon.parse(text, file: path) } catch {
                switch error { case let .invalidLine(file, line, message): throw ImportError(file: file, line: line, message) }
            }
            for entry in lexicon.names { add(entry.name, entry.normalized) }
            result.concepts = Set(result.entries.map(\.concept)).count
        case .lines:
            for (number, line) in file.lines {
                var text = line
                if number == 1, text.unicodeScalars.first == "\u{FEFF}" { text = String(text.unicodeScalars.dropFirst()) }
                let name = FormatSupport.collapseWhitespace(text)
                if name.isEmpty || name.hasPrefix("#") { continue }
                add(name, name)
            }
            result.concepts = Set(result.entries.map(\.concept)).count
        case .ncit:
            let wanted = Set(semanticTypes.map { $0.lowercased() })
            result.parameters["semantic_types"] = semanticTypes.joined(separator: "|")
            for (number, line) in file.lines where !line.allSatisfy(\.isWhitespace) {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard fields.count >= 8 else {
                    throw ImportError(file: path, line: number, """
                        expected 8 tab-separated NCIt fields (code, concept name, parents, synonyms, definition, \
                        display name, concept status, semantic type), found \(fields.count)
                        """)
                }
                let code = fields[0].trimmingCharacters(in: .whitespaces)
                guard !code.isEmpty else { throw ImportError(file: path, line: number, "the concept code is empty") }
                let types = fields[7].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                let statuses = fields[6].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard types.contains(where: wanted.contains), !statuses.contains(where: retiredStatuses.contains) else {
                    result.skippedConcepts += 1
                    continue
                }
                let synonyms = fields[3].split(separator: "|").map { FormatSupport.collapseWhitespace(String($0)) }.filter { !$0.isEmpty }
                let display = FormatSupport.collapseWhitespace(fields[5])
                let conceptName = fields[1].hasPrefix("<") ? "" : FormatSupport.collapseWhitespace(fields[1].replacingOccurrences(of: "_", with: " "))
                guard let preferred = [display].filter({ !$0.isEmpty }).first ?? synonyms.first
                        ?? (conceptName.isEmpty ? nil : conceptName) else {
                    throw ImportError(file: path, line: number, "concept \(code) has no name, synonym or display name")
                }
                result.concepts += 1
                var seen = Set<String>()
                for name in [preferred] + synonyms + [display, conceptName] where !name.isEmpty {
                    if seen.insert(name.lowercased()).inserted { add(name, preferred) }
                }
            }
        }
        guard !result.entries.isEmpty else {
            throw ImportError(file: path, line: 1, "the lexicon has no usable names")
        }
        return result
    }
}
