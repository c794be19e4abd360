import Core
import Corpus
import Foundation
import Workbench
import XCTest

/// Opening a sentence brings the teacher's evidence from the corpus: the strings the replay
/// teacher could not place (the tray) and the raw exchange (`R`); the "ungrounded" filter.
final class CorpusTeacherEvidenceTests: XCTestCase {
    func testLoadingASentenceBringsItsUngroundedStringsAndRawExchange() throws {
        guard FileManager.default.isExecutableFile(atPath: vigilBinary.path) else {
            throw XCTSkip("SKIPPED: the vigil binary is not built at \(vigilBinary.path) (swift build)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-evidence-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let (status, _) = try runProgram(vigilBinary.path, ["demo", "--dir", dir.path, "--no-tui", "--sample-data",
                                                            packageRoot.appendingPathComponent("SampleData").path])
        XCTAssertEqual(status, 0)
        let store = try CorpusStore(path: dir.appendingPathComponent("vigil.sqlite").path, create: true)
        let runner = EffectRunner(store: store, supervisor: nil, author: "test")

        guard case let .filterLoaded(_, flagged)? = runner.run(.loadFilter(.ungrounded)).first else {
            return XCTFail("the ungrounded filter did not load")
        }
        XCTAssertFalse(flagged.isEmpty, "the replay teacher hallucinates on purpose")
        let texts = try store.sentenceTexts(flagged)
        // "lipase of 2,400 U/L" was answered as "elevated lipase", which the sentence does not contain.
        let lipase = try XCTUnwrap(texts.first { $0.value.contains("lipase of 2,400 U/L") }?.key)
        guard case let .sentenceLoaded(detail, ungrounded, exchange)? = runner.run(.loadSentence(lipase)).first else {
            return XCTFail("the sentence did not load")
        }
        XCTAssertEqual(detail.id, lipase)
        XCTAssertEqual(ungrounded.map { $0.text }, ["elevated lipase"])
        XCTAssertEqual(ungrounded.map { $0.reason }, [.adeNotInSentence])
        let raw = try XCTUnwrap(exchange)
        XCTAssertTrue(raw.prompt.contains("Extract the adverse events each drug causes in the Message."), raw.prompt)
        XCTAssertTrue(raw.prompt.contains(texts[lipase] ?? "?"), "the message is in the prompt")
        XCTAssertEqual(raw.response, "azathioprine: epigastric pain|elevated lipase")
    }
}
