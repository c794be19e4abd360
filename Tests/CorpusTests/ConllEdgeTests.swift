import Core
import XCTest
@testable import Corpus

/// CoNLL cases found on the full ADE corpus.
final class ConllEdgeTests: XCTestCase {
    func testAHashTokenIsATokenNotAComment() throws {
        let store = try temporaryStore(self)
        let text = "Rash in case #1 after penicillin."
        _ = try store.ingest(ImportBatch(format: "test", path: "t", sha256: "t", sentences: [
            .init(documentKey: "doc:1", text: text, drugs: [
                .init(span: Span(22, 32), text: "penicillin", normalized: "penicillin",
                      ades: [.init(span: Span(0, 4), text: "Rash")]),
            ]),
        ]), into: .gold)
        let path = (try temporaryDirectory(self) as NSString).appendingPathComponent("x.conll")
        try ConllFormat.write(try store.sentenceViews(layer: try store.layer(.gold)), to: path)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("#\t13\t14\tO\tO"))
        let batch = try ConllFormat.read(path: path)
        XCTAssertEqual(batch.sentences.map(\.text), [text])
        XCTAssertEqual(batch.sentences[0].drugs[0].ades.map(\.span), [Span(0, 4)])
    }
}
