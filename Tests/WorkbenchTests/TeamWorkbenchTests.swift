import Core
import Corpus
import Foundation
import TerminalUI
@testable import Workbench
import XCTest

/// The workbench in a team: each curator's own blind queue and name, an adjudicator's
/// queue of disputes with one-key rulings, agreement in the side panel.
final class TeamWorkbenchTests: XCTestCase {
    private func app(_ store: CorpusStore, as author: String, width: Int = 140, height: Int = 40) throws -> (WorkbenchApp, TestBackend) {
        let model = try WorkbenchApp.initialModel(store: store, keymap: .standard, author: author, themeName: "fallback")
        let backend = TestBackend(width: width, height: height)
        let app = WorkbenchApp(model: model, runner: EffectRunner(store: store, supervisor: nil, author: author),
                               terminal: Terminal(backend: backend, theme: .fallback))
        app.start(metrics: false)
        return (app, backend)
    }

    private func press(_ app: WorkbenchApp, _ names: String...) {
        for name in names {
            app.send(.key(Key(name: name)!))
            app.frame()
        }
    }

    /// SampleData with ana and ben both given every item, and dana as adjudicator.
    private func teamStore() throws -> CorpusStore {
        let store = try sampleStore(self)
        try store.addCurator("ana")
        try store.addCurator("ben")
        try store.addCurator("dana", role: .adjudicator)
        try store.assign(curators: ["ana", "ben"], overlap: 1, seed: 1)
        return store
    }

    func testACuratorSeesTheirOwnQueueBlindAndTheirName() throws {
        let store = try teamStore()
        let first = try XCTUnwrap(try store.queueEntries(curator: "ben").first?.item)
        try store.decide(first, state: .noADE, spans: [], author: "ben")
        let (app, backend) = try self.app(store, as: "ana", width: 80, height: 24)
        XCTAssertEqual(app.model.current?.item, first, "ana's first pending item is the one ben decided")
        XCTAssertEqual(app.model.current?.state, .pending, "ben's answer is hidden from ana")
        let lines = backend.screen.text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines.suffix(2).contains { $0.hasSuffix("     ana") }, "the status line says who you are, at 80×24:\n\(backend.screen.text)")
        press(app, "v", "<Enter>", "<Enter>")
        XCTAssertEqual(try store.reviewStatus(first, curator: "ana").state, .accepted)
        XCTAssertEqual(try store.reviewStatus(first, curator: "ben").state, .noADE, "ana's decision never overwrites ben's")
    }

    func testAnAdjudicatorRulesOnADisputeWithOneKeyAndCanUndoIt() throws {
        let store = try teamStore()
        let entries = try store.queueEntries(curator: "ana")
        let detail = try XCTUnwrap(try store.sentenceDetail(entries[0].item.sentenceID))
        let item = entries[0].item
        let teacher = detail.spans[.teacher]?[item.drugMentionID] ?? []
        let anaSpans = teacher.isEmpty ? [Span(0, 3)] : teacher
        try store.decide(item, state: .accepted, spans: anaSpans, author: "ana")
        try store.decide(item, state: .noADE, spans: [], author: "ben")
        XCTAssertEqual(try store.reviewStatus(item).resolution, .disputed)

        let (app, backend) = try self.app(store, as: "dana")
        XCTAssertEqual(app.model.queue.map(\.item), [item], "the adjudicator's queue is the disputes")
        let screen = backend.screen.text
        XCTAssertTrue(screen.contains("adjudicating 1 disputes"), screen)
        XCTAssertTrue(screen.contains("Curators disagree"), screen)
        XCTAssertTrue(screen.contains(" A ana: "), screen)
        XCTAssertTrue(screen.contains(" B ben: no ADE"), screen)
        XCTAssertEqual(app.model.currentDraft?.spans, anaSpans, "the draft starts from every span a curator gave")

        press(app, "1")
        XCTAssertEqual(try store.reviewStatus(item).resolution, .adjudicated)
        XCTAssertEqual(try store.reviewStatus(item).spans, anaSpans.sorted())
        XCTAssertEqual(try store.history(item).last?.sources, ["ana"])
        XCTAssertEqual(try store.history(item).last?.author, "dana")
        press(app, "u")
        XCTAssertEqual(try store.reviewStatus(item).resolution, .disputed, "a ruling is undoable")
        press(app, "2")
        XCTAssertEqual(try store.reviewStatus(item).state, .noADE, "2 takes ben's answer")
    }

    func testTheRulingKeysSayWhenThereIsNoDispute() throws {
        let store = try teamStore()
        let (app, backend) = try self.app(store, as: "ana")
        let before = try store.history(try XCTUnwrap(app.model.current?.item)).count
        press(app, "1")
        XCTAssertTrue(backend.screen.text.contains("not a disputed item"), backend.screen.text)
        XCTAssertEqual(try store.history(try XCTUnwrap(app.model.current?.item)).count, before, "nothing recorded")
    }

    func testTheSidePanelShowsAgreementAndRefreshesItAfterADecision() throws {
        let store = try teamStore()
        let items = try store.queueEntries(curator: "ana").prefix(3).map(\.item)
        for item in items {
            try store.decide(item, state: .noADE, spans: [], author: "ben")
            try store.decide(item, state: .noADE, spans: [], author: "ana")
        }
        let model = try WorkbenchApp.initialModel(store: store, keymap: .standard, author: "ana", themeName: "fallback")
        XCTAssertTrue(model.team)
        let backend = TestBackend(width: 140, height: 40)
        let runner = EffectRunner(store: store, supervisor: nil, author: "ana")
        let app = WorkbenchApp(model: model, runner: runner, terminal: Terminal(backend: backend, theme: .fallback))
        app.start(metrics: true)
        func waitForAgreement(items n: Int) -> Agreement? {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                for msg in runner.drain() { app.send(msg) }
                if let pair = app.model.agreement?.pair("ana", "ben"), pair.items == n { return app.model.agreement }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return app.model.agreement
        }
        XCTAssertEqual(waitForAgreement(items: 3)?.pair("ana", "ben")?.items, 3)
        app.frame()
        XCTAssertTrue(backend.screen.text.contains("Agreement (strict/lenient F1"), backend.screen.text)
        XCTAssertTrue(backend.screen.text.contains("ana–ben"), backend.screen.text)
        // ana's next pending item: ben has not answered it, so a decision adds no shared item...
        let fourth = try XCTUnwrap(try store.queueEntries(curator: "ana").dropFirst(3).first?.item)
        try store.decide(fourth, state: .noADE, spans: [], author: "ben")
        XCTAssertEqual(app.model.current?.item, fourth)
        press(app, "0")
        XCTAssertEqual(waitForAgreement(items: 4)?.pair("ana", "ben")?.items, 4, "refreshed after ana's decision")
    }
}
