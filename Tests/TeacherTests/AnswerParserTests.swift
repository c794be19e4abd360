import XCTest
@testable import Teacher

final class AnswerParserTests: XCTestCase {
    func testPaperFormat() {
        let answer = AnswerParser.parse("sulprostone: cardiac arrest|coronary spasm")
        XCTAssertEqual(answer.drugs, [DrugAnswer(drug: "sulprostone", ades: ["cardiac arrest", "coronary spasm"])])
        XCTAssertFalse(answer.saidNone)
    }
}
