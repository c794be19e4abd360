import Core
import Foundation

extension ADECorpusFormat {
    /// Writes `sentences` as a `DRUG-AE.rel` file (atomically): one line per (drug, ADE) pair,
    /// `PMID|sentence|ae|ae_begin|ae_end|drug|drug_begin|drug_end`.
    ///
    /// Offsets are document offsets: the span's sentence offset plus the sentence's
    /// `docOffset` (0 when unknown). The PMID field is the document's PMID when it has one,
    /// else its document key. Drugs without an ADE and sentences without a pair have no line:
    /// the format cannot say "no ADE". A sentence or document key holding `|` or a line break
    /// cannot be written, nor one whose document offsets overflow; the error names the
    /// sentence id and nothing is written.
    public static func write(_ sentences: [SentenceView], to path: String) throws {
        var out = ""
        for s in sentences {
            let pairs = s.drugs.reduce(0) { $0 + $1.ades.count }
            if pairs == 0 { continue }
            let field = s.pmid ?? s.documentKey
            for (what, value) in [("text", s.text), ("document key", field)] {
                if value.unicodeScalars.contains("|") || FormatSupport.hasLineBreak(value) {
                    throw ExportError(path: path, """
                        sentence \(s.id): its \(what) contains '|' or a line break, which the .rel format cannot hold
                        """)
                }
            }
            let text = ScalarText(s.text)
            let base = s.docOffset ?? 0
            for drug in s.drugs {
                for ade in drug.ades {
                    guard let aeText = text.text(at: ade), let drugText = text.text(at: drug.span) else {
                        throw ExportError(path: path, "sentence \(s.id): span \(ade) is outside the sentence")
                    }
                    guard let aeAt = FormatSupport.documentSpan(ade, base: base),
                          let drugAt = FormatSupport.documentSpan(drug.span, base: base) else {
                        throw ExportError(path: path, """
                            sentence \(s.id): its document offset \(base) plus a span overflows \
                            (the sentence was imported with an invalid doc_offset)
                            """)
                    }
                    out += [field, s.text,
                            aeText, String(aeAt.start), String(aeAt.end),
                            drugText, String(drugAt.start), String(drugAt.end)]
                        .joined(separator: "|")
                    out += "\n"
                }
            }
        }
        try AtomicWrite.file(Data(out.utf8), to: path)
    }
}
