import Core
import Foundation
import XCTest
@testable import Corpus

final class QueueTests: XCTestCase {
    /// Two documents; the second sentence of doc:a has two drugs; teacher proposals on one.
    func seeded() throws -> CorpusStore {
        let store = try temporaryStore(self)
        let text1 = "Warfarin caused bleeding."
        let text2 = "Aspirin and ibuprofen caused ulcers."
        let text3 = "Metformin was given."
        let batch = ImportBatch(format: "test", path: "t", sha256: "q1", sentences: [
            .init(documentKey: "doc:b", text: text3, drugs: [.init(span: Span(0, 9), text: "Metformin", normalized: "metformin")]),
            .init(documentKey: "doc:a", text: text1, drugs: [
                .init(span: Span(0, 8), text: "Warfarin", normalized: "warfarin", ades: [.init(span: Span(16, 24), text: "bleeding")]),
            ]),
            .init(documentKey: "doc:a", text: text2, drugs: [
                .init(span: Span(12, 21), text: "ibuprofen", normalized: "ibuprofen", ades: [.init(span: Span(29, 35), text: "ulcers")]),
                .init(span: Span(0, 7), text: "Aspirin", normalized: "aspirin"),
            ]),
        ])
        _ = try store.ingest(batch, into: .gold)
        var teacher = batch
        teacher.sha256 = "q2"
        teacher.sentences[1].drugs[0].ades = [.init(span: Span(16, 25), text: "bleeding.")]
        _ = try store.ingest(teacher, into: LayerRef(.teacher))
        return store
    }

    func testQueueIsInReadingOrderWithStates() throws {
        let store = try seeded()
        let queue = try store.queueEntries()
        XCTAssertEqual(queue.count, 4)
        let texts = try store.sentenceTexts(Set(queue.map(\.item.sentenceID)))
        XCTAssertEqual(queue.map { texts[$0.item.sentenceID]!.prefix(4) }, ["Metf", "Warf", "Aspi", "Aspi"],
                       "documents in import order, sentences by position")
        XCTAssertEqual(queue.map(\.drug), ["Metformin", "Warfarin", "Aspirin", "ibuprofen"])
        let aspirinSentence = queue[2].item.sentenceID
        let detail = try XCTUnwrap(try store.sentenceDetail(aspirinSentence))
        XCTAssertEqual(detail.drugs.map(\.text), ["Aspirin", "ibuprofen"], "mentions by start")
        XCTAssertEqual(queue[2].item.drugMentionID, detail.drugs[0].mentionID)
        XCTAssertEqual(Set(queue.map(\.state)), [.pending])
        try store.decide(queue[1].item, state: .noADE, spans: [], author: "a")
        XCTAssertEqual(try store.queueEntries()[1].state, .noADE)
    }

    func testSentenceDetailHasEveryLayer() throws {
        let store = try seeded()
        let warfarin = try store.queueEntries()[1].item
        try store.decide(warfarin, state: .accepted, spans: [Span(16, 24)], author: "a", note: "ok")
        let detail = try XCTUnwrap(try store.sentenceDetail(warfarin.sentenceID))
        XCTAssertEqual(detail.spans[.gold]?[warfarin.drugMentionID], [Span(16, 24)])
        XCTAssertEqual(detail.spans[.teacher]?[warfarin.drugMentionID], [Span(16, 25)])
        XCTAssertEqual(detail.spans[.curated]?[warfarin.drugMentionID], [Span(16, 24)])
        XCTAssertNil(detail.spans[.student], "no student layer yet")
        XCTAssertEqual(detail.drugs[0].review, ReviewStatus(.accepted, spans: [Span(16, 24)], note: "ok"))
        XCTAssertEqual(detail.answered[.curated], [warfarin.drugMentionID])
        XCTAssertEqual(detail.teacherRun, 1)
        XCTAssertNil(try store.sentenceDetail(999))
    }

    func testSearchAndDisagreements() throws {
        let store = try seeded()
        XCTAssertEqual(try store.searchSentences("ULCER").count, 1)
        XCTAssertEqual(try store.searchSentences(""), [])
        XCTAssertEqual(try store.teacherStudentDisagreements(), [], "no student layer")
        let queue = try store.queueEntries()
        var student = ImportBatch(format: "test", path: "t", sha256: "q3", sentences: [
            .init(documentKey: "doc:a", text: "Warfarin caused bleeding.", drugs: [
                .init(span: Span(0, 8), text: "Warfarin", normalized: "warfarin", ades: [.init(span: Span(16, 24), text: "bleeding")]),
            ]),
        ])
        _ = try store.ingest(student, into: LayerRef(.student))
        XCTAssertEqual(try store.teacherStudentDisagreements(), [queue[1].item.drugMentionID])
        student.sha256 = "q4"
        student.sentences[0].drugs[0].ades = [.init(span: Span(16, 25), text: "bleeding.")]
        _ = try store.ingest(student, into: LayerRef(.student))
        XCTAssertEqual(try store.teacherStudentDisagreements(), [], "the latest student agrees")
    }

    func testCuratorMentions() throws {
        let store = try seeded()
        let sentence = try store.queueEntries()[0].item.sentenceID // "Metformin was given."
        XCTAssertThrowsError(try store.addCuratorMention(sentenceID: sentence, span: Span(0, 9))) {
            guard case .alreadyExists? = $0 as? CuratorMentionError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try store.addCuratorMention(sentenceID: sentence, span: Span(5, 13))) {
            guard case .overlapsMention? = $0 as? CuratorMentionError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try store.addCuratorMention(sentenceID: sentence, span: Span(14, 99))) {
            XCTAssertEqual($0 as? CuratorMentionError, .invalidSpan(sentenceID: sentence, span: Span(14, 99), length: 20))
        }
        XCTAssertThrowsError(try store.addCuratorMention(sentenceID: 999, span: Span(0, 1)))
        let id = try store.addCuratorMention(sentenceID: sentence, span: Span(14, 19))
        let detail = try XCTUnwrap(try store.sentenceDetail(sentence))
        let added = try XCTUnwrap(detail.drugs.first { $0.mentionID == id })
        XCTAssertEqual([added.text, added.normalized, added.origin], ["given", "given", "curator"])
        XCTAssertEqual(try store.queueEntries().filter { $0.item.sentenceID == sentence }.count, 2)
        try store.decide(ItemKey(sentenceID: sentence, drugMentionID: id), state: .noADE, spans: [], author: "a")
    }
}
