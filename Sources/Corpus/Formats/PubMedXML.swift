import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One PubMed record, as read from PubMed XML (efetch or the annual baseline files).
public struct PubMedArticle: Hashable, Sendable, Codable {
    /// One abstract section; structured abstracts label theirs (BACKGROUND, CASE REPORT…).
    public struct Section: Hashable, Sendable, Codable {
        public var label: String?
        public var text: String
        public init(label: String?, text: String) {
            self.label = label
            self.text = text
        }
    }

    public var pmid: String
    public var title: String
    public var abstract: [Section]
    public var publicationTypes: [String]
    /// MeSH descriptors, each with its qualifiers as `Descriptor/qualifier`.
    public var meshHeadings: [String]
    public var languages: [String]

    public init(pmid: String, title: String, abstract: [Section] = [], publicationTypes: [String] = [],
                meshHeadings: [String] = [], languages: [String] = []) {
        self.pmid = pmid
        self.title = title
        self.abstract = abstract
        self.publicationTypes = publicationTypes
        self.meshHeadings = meshHeadings
        self.languages = languages
    }

    /// The abstract as one paragraph: sections in order, a labelled one as `LABEL: text`.
    public var abstractText: String {
        abstract.map { section in section.label.map { "\($0): \(section.text)" } ?? section.text }
            .joined(separator: " ")
    }

    /// The document text, laid out as the ADE corpus was annotated: `PMID\n\nTitle\n\nAbstract`
    /// (without the last part when there is no abstract), so document offsets agree.
    public var documentText: String {
        let abstract = abstractText
        return abstract.isEmpty ? "\(pmid)\n\n\(title)" : "\(pmid)\n\n\(title)\n\n\(abstract)"
    }
}

/// Reads PubMed XML (`<PubmedArticleSet>` of `<PubmedArticle>`) with Foundation's XMLParser.
///
/// Only `MedlineCitation/PMID` identifies a record (the PMIDs inside comment and correction
/// lists are other articles). Inline markup in titles and abstracts (`<i>`, `<sup>`…) keeps
/// its text; whitespace runs collapse to one space. Book records and deletions are skipped.
/// Entities are never read: a file that declares one is an error (see `entityDeclarationLine`).
public enum PubMedXML {
    /// Parses a file; a malformed file is an error naming it and the line.
    public static func read(path: String) throws -> [PubMedArticle] {
        try parse(try InputFile.contents(of: path), file: path)
    }

    /// Parses PubMed XML bytes; `file` names the source in errors.
    public static func parse(_ data: Data, file: String) throws -> [PubMedArticle] {
        if let line = FormatSupport.invalidUTF8Line(data) {
            throw ImportError(file: file, line: line, "invalid UTF-8 (PubMed XML is read as UTF-8)")
        }
        if let line = FormatSupport.emptyProcessingInstructionLine(data) {
            throw ImportError(file: file, line: line, "a processing instruction without data (<?NAME?>), which the XML parser cannot read")
        }
        if let line = entityDeclarationLine(data) {
            throw ImportError(file: file, line: line, """
                the file declares an XML entity (<!ENTITY …>), which is not read: its text and the rest \
                of the element after it would be lost (PubMed XML declares none)
                """)
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        let reader = Reader()
        parser.delegate = reader
        // On Linux parse() may return true after an error, and accepts a truncated file
        // silently: check the error and the open elements too.
        let parsed = parser.parse()
        if let error = reader.parseError ?? parser.parserError.map({ ($0 as NSError, parser.lineNumber) }) {
            throw ImportError(file: file, line: max(error.1, 1), "malformed PubMed XML: \(describe(error.0))")
        }
        if !parsed { throw ImportError(file: file, line: max(parser.lineNumber, 1), "malformed PubMed XML") }
        if let open = reader.openElement {
            throw ImportError(file: file, line: max(parser.lineNumber, 1), "the file ends inside <\(open)> (truncated?)")
        }
        if let problem = reader.problem { throw ImportError(file: file, line: problem.line, problem.message) }
        return reader.articles
    }

    /// The line of the first `<!ENTITY` in the prolog (before the first `<PubmedArticle`), or
    /// `nil`. The parser neither resolves nor reports entities: with one declared, the text
    /// after its reference is dropped without an error, so such files are refused.
    static func entityDeclarationLine(_ data: Data) -> Int? {
        let bytes = [UInt8](data)
        let declaration = Array("<!ENTITY".utf8), body = Array("<PubmedArticle".utf8)
        var line = 1
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A { line += 1 }
            if bytes[i] == UInt8(ascii: "<") {
                if bytes[i...].starts(with: declaration) { return line }
                if bytes[i...].starts(with: body) { return nil }
            }
            i += 1
        }
        return nil
    }

    /// A readable name for libxml2's error codes that PubMed files are likely to meet.
    private static func describe(_ error: NSError) -> String {
        switch error.code {
        case 4: "the document is empty"
        case 5: "the file ends too early"
        case 9: "an invalid character"
        case 26: "an undefined entity"
        case 38, 39, 40, 41: "a malformed attribute"
        case 73, 76: "a closing tag does not match the open element"
        default: "XML parser error \(error.code)"
        }
    }

    /// The SAX delegate: a stack of element names and the text collected for the open field.
    private final class Reader: NSObject, XMLParserDelegate {
        var articles: [PubMedArticle] = []
        var problem: (line: Int, message: String)?
        /// The first parse error and the line it was met on.
        var parseError: (NSError, Int)?
        /// The innermost element still open at the end, if any.
        var openElement: String? { path.last }
        private var path: [String] = []
        private var current: PubMedArticle?
        private var text = ""
        private var collecting = false
        private var sectionLabel: String?
        private var descriptor: String?
        private var qualifiers: [String] = []
        private var articleLine = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            path.append(name)
            switch name {
            case "PubmedArticle":
                current = PubMedArticle(pmid: "", title: "")
                articleLine = parser.lineNumber
            case "PMID" where path.suffix(2) == ["MedlineCitation", "PMID"],
                 "ArticleTitle", "PublicationType", "Language", "DescriptorName", "QualifierName":
                begin()
            case "AbstractText" where path.contains("Abstract") && !path.contains("OtherAbstract"):
                sectionLabel = attributes["Label"].map(collapse).flatMap { $0.isEmpty ? nil : $0 }
                begin()
            case "MeshHeading":
                descriptor = nil
                qualifiers = []
            default:
                break
            }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred error: Error) {
            if parseError == nil { parseError = (error as NSError, parser.lineNumber) }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if collecting { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { path.removeLast() }
            guard current != nil else { return }
            switch name {
            case "PMID" where collecting && path.suffix(2) == ["MedlineCitation", "PMID"]:
                current?.pmid = end()
            case "ArticleTitle" where collecting:
                current?.title = end()
            case "AbstractText" where collecting:
                let body = end()
                if !body.isEmpty { current?.abstract.append(.init(label: sectionLabel, text: body)) }
            case "PublicationType" where collecting:
                let value = end()
                if !value.isEmpty { current?.publicationTypes.append(value) }
            case "Language" where collecting:
                let value = end()
                if !value.isEmpty { current?.languages.append(value) }
            case "DescriptorName" where collecting:
                descriptor = end()
            case "QualifierName" where collecting:
                qualifiers.append(end())
            case "MeshHeading":
                if let descriptor, !descriptor.isEmpty {
                    current?.meshHeadings.append(descriptor)
                    current?.meshHeadings += qualifiers.filter { !$0.isEmpty }.map { "\(descriptor)/\($0)" }
                }
            case "PubmedArticle":
                if let article = current {
                    if article.pmid.isEmpty || !article.pmid.allSatisfy(\.isNumber) {
                        problem = problem ?? (articleLine, "a PubmedArticle without a numeric MedlineCitation/PMID")
                    } else {
                        articles.append(article)
                    }
                }
                current = nil
            default:
                break
            }
        }

        private func begin() {
            collecting = true
            text = ""
        }

        private func end() -> String {
            collecting = false
            return collapse(text)
        }

        private func collapse(_ value: String) -> String {
            value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
    }
}
