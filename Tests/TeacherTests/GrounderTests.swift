import Core
import Corpus
import XCTest
@testable import Teacher

/// Grounding places each ADE string on the sentence and each drug on a mention.
final class GrounderTests: XCTestCase {
    private func ground(_ response: String, _ v: SentenceView, mode: GroundingMode = .nearest) -> GroundedAnswer {
        Grounder(mode: mode).ground(AnswerParser.parse(response), sentence: v)
    }

    func testCaseWhitespaceAndPunctuationInsensitive() {
        let v = view("After amiodarone, Pulmonary  Fibrosis developed.", drugs: [("amiodarone", "amiodarone")])
        let g = ground("AMIODARONE: pulmonary fibrosis.", v)
        XCTAssertEqual(g.ades, [TeacherADE(drugMentionID: 1, span: Span(18, 37), text: "Pulmonary  Fibrosis")])
        XCTAssertEqual(g.ungrounded, [])
        XCTAssertEqual(g.answeredMentions, [1])
    }

    func testRepeatedStringTakesTheOccurrenceNearestTheDrug() {
        let text = "Rash was absent before aspirin; after ibuprofen a rash appeared."
        let v = view(text, drugs: [("aspirin", "aspirin"), ("ibuprofen", "ibuprofen")])
        let g = ground("ibuprofen: rash", v)
        XCTAssertEqual(g.ades.map(\.span), [Span(50, 54)])
        XCTAssertEqual(g.ades.map(\.drugMentionID), [2])
        XCTAssertEqual(ground("ibuprofen: rash", v, mode: .first).ades.map(\.span), [Span(0, 4)])
        XCTAssertEqual(Set(ground("ibuprofen: rash", v, mode: .all).ades.map(\.span)), [Span(0, 4), Span(50, 54)])
    }

    func testWholeWordOccurrencesWin() {
        let v = view("The thrashing patient on lithium had a rash.", drugs: [("lithium", "lithium")])
        XCTAssertEqual(ground("lithium: rash", v).ades.map(\.span), [Span(39, 43)])
    }

    func testTypographicQuotesAndDashesMatchPlainOnes() {
        let v = view("Paget’s disease flared with etidronate–induced osteomalacia.", drugs: [("etidronate", "etidronate")])
        let g = ground("etidronate: etidronate-induced osteomalacia", v)
        XCTAssertEqual(g.ades.first?.text, "etidronate–induced osteomalacia")
    }

    func testHallucinationsAreKeptAsUngrounded() {
        let v = view("Warfarin was associated with hematuria.", drugs: [("Warfarin", "warfarin")])
        let g = ground("Warfarin: hematuria|severe hematuria|intracranial bleeding", v)
        XCTAssertEqual(g.ades.map(\.text), ["hematuria"])
        XCTAssertEqual(g.ungrounded, [
            UngroundedProposal(drug: "Warfarin", drugMentionID: 1, text: "severe hematuria", reason: .adeNotInSentence),
            UngroundedProposal(drug: "Warfarin", drugMentionID: 1, text: "intracranial bleeding", reason: .adeNotInSentence),
        ])
    }

    func testUnknownDrugsAreKeptAsUngrounded() {
        let v = view("Warfarin was associated with hematuria.", drugs: [("Warfarin", "warfarin")])
        let g = ground("heparin: hematuria", v)
        XCTAssertEqual(g.ades, [])
        XCTAssertEqual(g.ungrounded, [UngroundedProposal(drug: "heparin", drugMentionID: nil, text: "hematuria",
                                                         reason: .drugNotInSentence)])
    }

    func testDrugsMapByNormalizedNameThenByText() {
        let v = view("Tylenol overdose caused hepatotoxicity.", drugs: [("Tylenol", "acetaminophen")])
        XCTAssertEqual(ground("acetaminophen: hepatotoxicity", v).ades.map(\.drugMentionID), [1])
        XCTAssertEqual(ground("Tylenol (acetaminophen): hepatotoxicity", v).ades.map(\.drugMentionID), [1])
        XCTAssertEqual(ground("tylenol: hepatotoxicity", v).ades.map(\.drugMentionID), [1])
    }

    func testADrugMentionedTwiceGetsTheNearestMention() {
        let text = "Heparin was stopped; thrombosis recurred and heparin was restarted, then thrombocytopenia followed."
        let v = view(text, drugs: [("Heparin", "heparin"), ("heparin", "heparin")])
        let g = ground("heparin: thrombocytopenia", v)
        XCTAssertEqual(g.ades.map(\.drugMentionID), [2])
    }

    func testNoneAnswersEveryMention() {
        let v = view("Aspirin and warfarin were given.", drugs: [("Aspirin", "aspirin"), ("warfarin", "warfarin")])
        let g = ground("None", v)
        XCTAssertEqual(g.ades, [])
        XCTAssertEqual(g.answeredMentions, [1, 2])
    }

    func testNonASCIIOffsetsAreUnicodeScalars() {
        let v = view("After 5 µg of fentanyl, apnoea occurred.", drugs: [("fentanyl", "fentanyl")])
        let g = ground("fentanyl: apnoea", v)
        XCTAssertEqual(g.ades.first?.span, Span(24, 30))
        XCTAssertEqual(ScalarText(v.text)[Span(24, 30)], "apnoea")
    }
}
