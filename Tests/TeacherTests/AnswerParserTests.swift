import XCTest
@testable import Teacher

/// The parser reads what models actually write, not only the paper's clean format.
final class AnswerParserTests: XCTestCase {
    func testPaperFormat() {
        let answer = AnswerParser.parse("sulprostone: cardiac arrest|coronary spasm")
        XCTAssertEqual(answer.drugs, [DrugAnswer(drug: "sulprostone", ades: ["cardiac arrest", "coronary spasm"])])
        XCTAssertFalse(answer.saidNone)
    }

    func testNoneInItsVariants() {
        for text in ["None", "none.", "  NONE  ", "\"None\"", "Annotations: None", "- None", "**None**"] {
            let answer = AnswerParser.parse(text)
            XCTAssertTrue(answer.saidNone, text)
            XCTAssertEqual(answer.drugs, [], text)
        }
    }

    func testBulletsNumberingQuotesCaseAndTrailingPunctuation() {
        let text = """
            Here are the annotations:
            1. Aspirin: "gastric bleeding" | tinnitus.
            - **ibuprofen**:  renal   failure;
            • 'Warfarin': hematuria,
            """
        let answer = AnswerParser.parse(text)
        XCTAssertEqual(answer.drugs, [
            DrugAnswer(drug: "Aspirin", ades: ["gastric bleeding", "tinnitus"]),
            DrugAnswer(drug: "ibuprofen", ades: ["renal failure"]),
            DrugAnswer(drug: "Warfarin", ades: ["hematuria"]),
        ])
    }

    func testSeveralDrugsOnOneLine() {
        XCTAssertEqual(AnswerParser.parse("aspirin: rash|fever; ibuprofen: ulcer").drugs, [
            DrugAnswer(drug: "aspirin", ades: ["rash", "fever"]), DrugAnswer(drug: "ibuprofen", ades: ["ulcer"]),
        ])
        XCTAssertEqual(AnswerParser.parse("aspirin: rash, ibuprofen: gastric ulcer").drugs, [
            DrugAnswer(drug: "aspirin", ades: ["rash"]), DrugAnswer(drug: "ibuprofen", ades: ["gastric ulcer"]),
        ])
    }

    func testADrugNamedTwiceIsMergedAndDuplicatesDropped() {
        let answer = AnswerParser.parse("Aspirin: rash\naspirin: fever|Rash\n```")
        XCTAssertEqual(answer.drugs, [DrugAnswer(drug: "Aspirin", ades: ["rash", "fever"])])
    }

    func testDrugWithNoneAndMixedAnswers() {
        let answer = AnswerParser.parse("aspirin: None\nwarfarin: bleeding")
        XCTAssertEqual(answer.drugs, [DrugAnswer(drug: "aspirin", ades: []), DrugAnswer(drug: "warfarin", ades: ["bleeding"])])
        XCTAssertFalse(answer.saidNone)
    }

    func testSemicolonSeparatedADEsWhenThereIsNoBar() {
        XCTAssertEqual(AnswerParser.parse("Lithium: tremor; confusion").drugs.first?.ades, ["tremor", "confusion"])
    }

    func testADrugLineWithItsADEsOnTheNextLine() {
        let answer = AnswerParser.parse("Annotations:\nniacin:\nhyperalgesia of sensory nerve receptors|pain to the teeth")
        XCTAssertEqual(answer.drugs, [DrugAnswer(drug: "niacin", ades: ["hyperalgesia of sensory nerve receptors", "pain to the teeth"])])
    }
}
