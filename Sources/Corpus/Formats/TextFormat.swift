import Core
import Crypto
import Foundation

/// Plain-text import: unlabeled prose, split into sentences, with drug mentions from a lexicon.
///
/// Each file is UTF-8. Paragraphs (documents) are separated by blank lines; a document's
/// key is `sha256:<hex of its text>` (the paragraph's lines joined by `\n`), so importing
/// the same text again finds the same documents. Sentences come from `SentenceSplitter`,
/// with `docOffset` = the sentence's scalar offset in the paragraph; a line break inside a
/// sentence becomes a space in its text (one scalar for one, so offsets still hold). Drug
/// mentions come from the lexicon (origin `lexicon`); there are no ADEs, and the batch is
/// unlabeled (`isLabeled == false`): no layer gets a "no ADE" answer from it. Sentences
/// without a drug are dropped unless `keepDrugless`.
public enum TextFormat {
    /// A lexicon file as read: the lexicon and the SHA-256 of the file's bytes.
    public struct LexiconFile: Sendable {
        public var path: String
        public var lexicon: DrugLexicon
        public var sha256: String
    }

    /// Reads a lexicon file (one `name` or `name<TAB>normalized name` per line); errors,
    /// invalid UTF-8 included, are `ImportError`s naming the file and line.
    public static func readLexicon(path: String) throws -> DrugLexicon {
        try loadLexicon(path: path).lexicon
    }

    /// Reads a lexicon file and keeps its hash, which `read(paths:lexicon:)` needs.
    public static func loadLexicon(path: String) throws -> LexiconFile {
        let file = try InputFile(path: path)
        let contents = file.lines.map(\.text).joined(separator: "\n")
        do {
            return LexiconFile(path: path, lexicon: try DrugLexicon.parse(contents, file: path), sha256: file.sha256)
        } catch {
            switch error {
            case let .invalidLine(file, line, message): throw ImportError(file: file, line: line, message)
            }
        }
    }

    /// Reads text files with a lexicon file (see `loadLexicon`).
    public static func read(paths: [String], lexicon: LexiconFile, keepDrugless: Bool = false) throws -> ImportBatch {
        try read(paths: paths, lexicon: lexicon.lexicon, lexiconHash: lexicon.sha256, keepDrugless: keepDrugless)
    }

    /// Reads text files, finding drugs with `lexicon`.
    ///
    /// `lexiconHash` identifies the lexicon's content (the file's SHA-256): the batch hash
    /// covers the files, the lexicon and `keepDrugless`, so the same import is recognised as
    /// done while a changed lexicon is a new import.
    public static func read(paths: [String], lexicon: DrugLexicon, lexiconHash: String,
                            keepDrugless: Bool = false) throws -> ImportBatch {
        guard !paths.isEmpty else { throw ImportError(file: "-", line: 0, "no text files to import") }
        let splitter = SentenceSplitter()
        var sentences: [ImportBatch.Sentence] = []
        var hashInput = "vigil-text-import-1\nlexicon \(lexiconHash)\nkeep-drugless \(keepDrugless)\n"
        for path in paths {
            let file = try InputFile(path: path)
            hashInput += "file \(file.sha256)\n"
            for (position, paragraph) in paragraphs(file).enumerated() {
                let key = "sha256:\(FormatSupport.sha256(paragraph))"
                let text = ScalarText(paragraph)
                for span in splitter.split(text) {
                    var view = String.UnicodeScalarView()
                    view.append(contentsOf: text.scalars[span.start..<span.end].map { isLineBreak($0) ? " " : $0 })
                    let sentence = String(view)
                    let drugs = lexicon.matches(in: sentence).map {
                        ImportBatch.Drug(span: $0.span, text: $0.text, normalized: $0.normalized, origin: "lexicon")
                    }
                    if drugs.isEmpty && !keepDrugless { continue }
                    sentences.append(ImportBatch.Sentence(documentKey: key, file: path, documentPosition: position,
                                                          text: sentence, docOffset: span.start, drugs: drugs))
                }
            }
        }
        let path = paths.count == 1 ? paths[0] : paths.joined(separator: ", ")
        return ImportBatch(format: "text", path: path, sha256: FormatSupport.sha256(hashInput), sentences: sentences,
                           isLabeled: false)
    }

    private static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// The file's paragraphs: runs of non-blank lines joined by `\n` (a leading BOM dropped).
    static func paragraphs(_ file: InputFile) -> [String] {
        var result: [String] = []
        var current: [String] = []
        for (number, line) in file.lines {
            var line = line
            if number == 1, line.unicodeScalars.first == "\u{FEFF}" { line = String(line.unicodeScalars.dropFirst()) }
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { result.append(current.joined(separator: "\n")) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { result.append(current.joined(separator: "\n")) }
        return result
    }
}
