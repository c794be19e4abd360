import Core
import Corpus
import Foundation
import Workbench
import XCTest

/// The workbench's teacher evidence, read from a corpus the replay teacher labelled.
final class CorpusTeacherEvidenceTests: XCTestCase {
    func testUngroundedStringsAndRawExchangeOfTheDemoTeacher() throws {
        guard FileManager.default.isExecutableFile(atPath: vigilBinary.path) else {
            throw XCTSkip("SKIPPED: the vigil binary is not built at \(vigilBinary.path) (swift build)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-evidence-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let (status, _) = try runProgram(vigilBinary.path, ["demo", "--dir", dir.path, "--no-tui", "--sample-data",
                                                            packageRoot.appendingPathComponent("SampleData").path])
        XCTAssertEqual(status, 0)
        let store = try CorpusStore(path: dir.appendingPathComponent("vigil.sqlite").path)
        let run = try XCTUnwrap(try store.layer(LayerRef(.teacher)).version)
        let evidence = CorpusTeacherEvidence(store: store)

        let flagged = try evidence.sentencesWithUngrounded(teacherRun: run)
        XCTAssertFalse(flagged.isEmpty, "the replay teacher hallucinates on purpose")
        let texts = try store.sentenceTexts(flagged)
        // "lipase of 2,400 U/L" was answered as "elevated lipase", which the sentence does not contain.
        let lipase = try XCTUnwrap(texts.first { $0.value.contains("lipase of 2,400 U/L") }?.key)
        let strings = try evidence.ungrounded(sentenceID: lipase, teacherRun: run)
        XCTAssertEqual(strings.map { $0.text }, ["elevated lipase"])
        XCTAssertEqual(strings.map { $0.reason }, ["ade-not-in-sentence"])
        XCTAssertNotNil(strings.first?.drugMentionID)

        let exchange = try XCTUnwrap(try evidence.exchange(sentenceID: lipase, teacherRun: run))
        XCTAssertTrue(exchange.prompt.contains("Extract the adverse events each drug causes in the Message."), exchange.prompt)
        XCTAssertTrue(exchange.prompt.contains(texts[lipase] ?? "?"), "the message is in the prompt")
        XCTAssertEqual(exchange.response, "azathioprine: epigastric pain|elevated lipase")
        let clean = try XCTUnwrap(try store.sentenceIDs().first { !flagged.contains($0) && (try? evidence.exchange(sentenceID: $0, teacherRun: run)) != nil })
        XCTAssertEqual(try evidence.ungrounded(sentenceID: clean, teacherRun: run), [])
    }
}
