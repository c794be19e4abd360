import Core
import Corpus
import Foundation
import TerminalUI
@testable import Workbench
import XCTest

/// Two workbenches on one corpus (issue 26 item 5): each sees the other's decisions within a
/// poll, and a decision on an item that changed since it was shown is refused, not overwritten.
final class SharedCorpusTests: XCTestCase {
    func makeApp(_ store: CorpusStore, author: String = "tester") throws -> (WorkbenchApp, TestBackend) {
        let model = try WorkbenchApp.initialModel(store: store, keymap: .standard, author: author, themeName: "fallback")
        let backend = TestBackend(width: 110, height: 30)
        let app = WorkbenchApp(model: model, runner: EffectRunner(store: store, supervisor: nil, author: author),
                               terminal: Terminal(backend: backend, theme: .fallback))
        app.start(metrics: false)
        return (app, backend)
    }

    func press(_ app: WorkbenchApp, _ names: String...) {
        for name in names {
            app.send(.key(Key(name: name)!))
            app.frame()
        }
    }

    func state(_ app: WorkbenchApp, _ item: ItemKey) -> ReviewState? {
        app.model.queue.first { $0.item == item }?.state
    }

    func testAnotherWorkbenchsDecisionShowsOnTheOpenItemAndInTheCounts() throws {
        let store = try sampleStore(self)
        let (a, screen) = try makeApp(store)
        let (b, _) = try makeApp(store)  // the same author, as two terminals of one curator
        let item = try XCTUnwrap(a.model.current?.item)
        XCTAssertEqual(b.model.current?.item, item)
        press(b, "0")
        a.pollChanges()
        a.frame()
        XCTAssertEqual(state(a, item), .noADE, "the queue follows")
        XCTAssertEqual(a.model.doneCount, 1, "and the counts")
        XCTAssertEqual(a.model.detail?.drugs.first { $0.mentionID == item.drugMentionID }?.review.state, .noADE,
                       "the open item was reloaded")
        XCTAssertTrue(screen.screen.text.contains("tester decided \(item) meanwhile: now no-ade (shown)"), screen.screen.text)
        a.pollChanges()
        XCTAssertEqual(a.model.message, "tester decided \(item) meanwhile: now no-ade (shown)", "reported once")
        press(b, "j")
        b.pollChanges()
        XCTAssertNotEqual(b.model.message?.contains("meanwhile"), true, "its own decisions are not news to b")
    }

    func testADrugMentionAddedInAnotherWorkbenchBecomesAnItem() throws {
        let store = try sampleStore(self)
        let (a, _) = try makeApp(store)
        let before = a.model.queue.count
        let sentence = try XCTUnwrap(a.model.current?.item.sentenceID)
        let added = try store.addCuratorMention(sentenceID: sentence, span: Span(2, 4))  // another workbench's D
        a.pollChanges()
        XCTAssertEqual(a.model.queue.count, before + 1)
        XCTAssertTrue(a.model.queue.contains { $0.item.drugMentionID == added })
        XCTAssertTrue(a.model.detail?.drugs.contains { $0.mentionID == added } == true, "the open sentence shows it")
        XCTAssertEqual(a.model.message, "drug mention \(sentence)/\(added) (72) added elsewhere")
        a.pollChanges()
        XCTAssertEqual(a.model.queue.count, before + 1, "once")
    }

    func testUndoNeverTakesBackAnotherWorkbenchsDecisionUnderTheSameName() throws {
        let store = try sampleStore(self)
        let (a, screen) = try makeApp(store)
        let (b, _) = try makeApp(store)
        let item = try XCTUnwrap(b.model.current?.item)
        press(b, "0")
        press(a, "u")
        XCTAssertEqual(try store.reviewStatus(item).state, .noADE, "b's decision stands")
        XCTAssertTrue(a.model.messageIsError)
        XCTAssertTrue(screen.screen.text.contains("made in another workbench open under your name"), screen.screen.text)
        press(b, "u")
        XCTAssertEqual(try store.reviewStatus(item).state, .pending, "b takes back its own")
        press(b, "<C-r>")
        let (later, _) = try makeApp(store)
        press(later, "u")
        XCTAssertEqual(try store.reviewStatus(item).state, .pending,
                       "a decision from before a workbench opened stays undoable there, as after a restart")
    }

    func testADecisionOnAnItemDecidedMeanwhileIsRefusedAndShowsTheirs() throws {
        let store = try sampleStore(self)
        let (a, screen) = try makeApp(store)
        let (b, _) = try makeApp(store, author: "ben")
        press(a, "j")  // sentence 2: the teacher proposes "dyspnea"
        let item = try XCTUnwrap(a.model.current?.item)
        press(b, "j", "<Enter>")
        XCTAssertEqual(try store.reviewStatus(item), ReviewStatus(.accepted, spans: [Span(30, 37)], note: nil))
        // a has not polled yet: its screen still says pending.
        press(a, "0")
        XCTAssertEqual(try store.reviewStatus(item).state, .accepted, "ben's decision stands")
        XCTAssertTrue(a.model.messageIsError)
        XCTAssertTrue(screen.screen.text.contains("not saved: \(item) changed since it was shown: now accepted (by ben)"),
                      screen.screen.text)
        XCTAssertEqual(a.model.current?.item, item, "back on the item")
        XCTAssertEqual(state(a, item), .accepted)
        XCTAssertEqual(a.model.detail?.drugs.first { $0.mentionID == item.drugMentionID }?.review.state, .accepted)
        XCTAssertEqual(a.model.currentDraft?.spans, [], "a's answer kept as an unsaved edit")
        XCTAssertEqual(a.model.unsavedEdits, [item.drugMentionID])
        press(a, "u")
        XCTAssertEqual(a.model.currentDraft?.spans, [Span(30, 37)], "u shows theirs")
        press(a, "0")
        XCTAssertEqual(try store.reviewStatus(item, curator: "tester").state, .noADE, "decided again, knowingly: recorded")
    }
}
