import Core
import GRDB
import XCTest
@testable import Corpus

/// Bystander drugs: a corpus's own drug names found again where no mention covers them, for
/// training (`vigil train --bystanders`) and as gold "no ADE" mentions (`vigil lexicon bystanders`).
final class BystandersTests: XCTestCase {
    /// The first occurrence of `needle` in `text`, in Unicode-scalar offsets.
    func span(_ needle: String, in text: String) -> Span {
        let scalars = Array(text.unicodeScalars), target = Array(needle.unicodeScalars)
        let start = (0...(scalars.count - target.count)).first { Array(scalars[$0..<$0 + target.count]) == target }!
        return Span(start, start + target.count)
    }

    /// A gold training sentence with one drug and its ADEs (first occurrences).
    func sentence(_ text: String, _ drug: String, _ ades: [String]) -> TrainingSentence {
        TrainingSentence(sentenceID: 1, text: text, items: [
            .init(mentionID: 1, drug: span(drug, in: text), ades: ades.map { span($0, in: text) }, origin: .gold),
        ])
    }

    func texts(_ spans: [Span], in text: String) -> [String] { spans.map { ScalarText(text)[$0] } }

    func testAnotherSentencesDrugNameBecomesABystander() {
        let sentences = [
            sentence("Haloperidol calmed the ciprofloxacin-induced delirium.", "ciprofloxacin", ["delirium"]),
            sentence("HALOPERIDOL caused dystonia.", "HALOPERIDOL", ["dystonia"]),
            sentence("Ciprofloxacin was stopped, and ciprofloxacin caused fever.", "Ciprofloxacin", ["fever"]),
            sentence("Haloperidol allergy after heparin.", "heparin", ["Haloperidol allergy"]),
            sentence("Ca caused colic; lithium was also given.", "Ca", ["colic"]),
            sentence("Lithium toxicity with low Ca in serum.", "Lithium", ["toxicity"]),
        ]
        let spans = Bystanders.spans(in: sentences)
        XCTAssertEqual(spans.count, sentences.count)
        XCTAssertEqual(texts(spans[0], in: sentences[0].text), ["Haloperidol"], "a drug named elsewhere, not annotated here")
        XCTAssertEqual(spans[1], [], "the sentence's own drug is no bystander, in any case")
        XCTAssertEqual(spans[2], [], "a second mention of the annotated drug is the same drug")
        XCTAssertEqual(spans[3], [], "a name inside an ADE span is not a drug mention")
        XCTAssertEqual(texts(spans[4], in: sentences[4].text), ["lithium"])
        XCTAssertEqual(spans[5], [])
        // "Ca" is under the minimum length: the last sentence's "Ca" is no bystander.
        XCTAssertFalse(spans.enumerated().contains { k, found in texts(found, in: sentences[k].text).contains("Ca") })
        XCTAssertEqual(Bystanders.matches(in: sentences)[4].map(\.normalized), ["lithium"], "named as the lexicon names it")
    }

    /// A drug of `text` at the first occurrence of `name`, with ADEs at the first occurrences of `ades`.
    func drug(_ name: String, in text: String, ades: [String] = []) -> ImportBatch.Drug {
        .init(span: span(name, in: text), text: name, normalized: name.lowercased(),
              ades: ades.map { .init(span: span($0, in: text), text: $0) })
    }

    func testGoldBystandersBecomeLexiconMentionsWithAGoldNoADE() throws {
        let store = try temporaryStore(self)
        let calmed = "Haloperidol calmed the ciprofloxacin-induced delirium."
        let dystonia = "Haloperidol caused dystonia."
        // The teacher found the first haloperidol in each; the gold layer annotates ciprofloxacin only.
        let mixed = "Haloperidol and ciprofloxacin were given; ciprofloxacin caused fever and haloperidol was stopped."
        let longer = "Haloperidol decanoate preceded the ciprofloxacin rash."
        let teacherOnly = "Ciprofloxacin and aspirin were given."
        let gold = [(calmed, "ciprofloxacin", "delirium"), (dystonia, "Haloperidol", "dystonia"),
                    (mixed, "ciprofloxacin", "fever"), (longer, "ciprofloxacin", "rash")].map { text, name, ade in
            ImportBatch.Sentence(documentKey: "d", text: text, drugs: [drug(name, in: text, ades: [ade])])
        }
        _ = try store.ingest(ImportBatch(format: "t", path: "gold", sha256: "g", sentences: gold), into: .gold)
        let teacher = [
            ImportBatch.Sentence(documentKey: "d", text: mixed, drugs: [drug("Haloperidol", in: mixed)]),
            ImportBatch.Sentence(documentKey: "d", text: longer, drugs: [drug("Haloperidol decanoate", in: longer)]),
            ImportBatch.Sentence(documentKey: "d", text: teacherOnly, drugs: [drug("aspirin", in: teacherOnly)]),
        ]
        _ = try store.ingest(ImportBatch(format: "t", path: "teacher", sha256: "t", sentences: teacher), into: LayerRef(.teacher))
        func lexiconMentions() throws -> Int {
            try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM drug_mention WHERE origin = 'lexicon'") ?? -1 }
        }
        let before = try store.trainingSentences(source: .gold)

        let planned = try store.addGoldBystanders(dryRun: true)
        XCTAssertEqual(planned.map(\.text), ["Haloperidol"],
                       "only calmed's: mixed's first haloperidol is the teacher's mention and its second names it again, "
                       + "longer's lies inside the teacher's mention, and the teacher-only sentence has no gold item")
        XCTAssertEqual(planned.first?.span, Span(0, 11))
        XCTAssertEqual(planned.first?.normalized, "haloperidol")
        XCTAssertEqual(try lexiconMentions(), 0, "a dry run writes nothing")
        XCTAssertEqual(try store.trainingSentences(source: .gold), before)

        XCTAssertEqual(try store.addGoldBystanders(), planned)
        XCTAssertEqual(try lexiconMentions(), 1)
        let after = try store.trainingSentences(source: .gold)
        let items = try XCTUnwrap(after.first { $0.text == calmed }).items
        XCTAssertEqual(items.map(\.drug), [Span(0, 11), span("ciprofloxacin", in: calmed)])
        XCTAssertEqual(items.map(\.ades), [[], [span("delirium", in: calmed)]], "the bystander is a gold 'no ADE'")
        XCTAssertEqual(after.filter { $0.text != calmed }, before.filter { $0.text != calmed })
        XCTAssertFalse(try store.trainingSentences(source: .teacher(LayerRef(.teacher))).flatMap(\.items)
            .contains { $0.mentionID == items[0].mentionID }, "only the gold layer covers it")

        XCTAssertEqual(try store.addGoldBystanders(), [], "a second run finds nothing new")
        XCTAssertEqual(try lexiconMentions(), 1)
    }
}
