import Core
import Corpus
import Foundation
import GRDB
@_exported import VigilTestSupport
import TerminalUI
@testable import Workbench
import XCTest


/// A temporary corpus with SampleData's gold and teacher layers.
func sampleStore(_ test: XCTestCase) throws -> CorpusStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-wb-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    let store = try CorpusStore(path: dir.appendingPathComponent("vigil.sqlite").path, create: true)
    let sample = packageRoot.appendingPathComponent("SampleData")
    _ = try store.ingest(try JSONLFormat.read(path: sample.appendingPathComponent("gold.jsonl").path), into: .gold)
    _ = try store.ingest(try JSONLFormat.read(path: sample.appendingPathComponent("teacher.jsonl").path),
                         into: LayerRef(.teacher))
    return store
}

/// The whole loop (update, runner, render, diff) on a real corpus and the test backend.
final class AppTests: XCTestCase {
    func makeApp(_ store: CorpusStore, author: String = "tester") throws -> (WorkbenchApp, TestBackend) {
        let model = try WorkbenchApp.initialModel(store: store, keymap: .standard, author: author, themeName: "fallback")
        let backend = TestBackend(width: 110, height: 30)
        let app = WorkbenchApp(model: model, runner: EffectRunner(store: store, supervisor: nil, author: author),
                               terminal: Terminal(backend: backend, theme: .fallback))
        app.start()
        return (app, backend)
    }

    func press(_ app: WorkbenchApp, _ names: String...) {
        for name in names {
            app.send(.key(Key(name: name)!))
            app.frame()
        }
    }

    func testDecisionsAreInTheDatabaseBeforeTheScreenSaysSaved() throws {
        let store = try sampleStore(self)
        let (app, backend) = try makeApp(store)
        XCTAssertTrue(backend.screen.text.contains("Item 1/"), backend.screen.text)
        press(app, "j", "e")
        let item = try XCTUnwrap(app.model.current?.item)
        XCTAssertTrue(backend.screen.text.contains("dyspnea and [30,41)"))
        press(app, "<Enter>")
        XCTAssertTrue(backend.screen.text.contains("saved \(item): accepted"))
        XCTAssertEqual(try store.reviewStatus(item), ReviewStatus(.accepted, spans: [Span(30, 41)], note: nil))
        press(app, "u")
        XCTAssertEqual(try store.reviewStatus(item).state, .pending)
        XCTAssertEqual(app.model.current?.item, item, "undo shows the item it undid")
        press(app, "<C-r>")
        XCTAssertEqual(try store.reviewStatus(item).spans, [Span(30, 41)])
    }

    func testTheDisagreementFilterNamesTheLayersItCompares() throws {
        let store = try sampleStore(self)
        let runner = EffectRunner(store: store, supervisor: nil, author: "tester")
        guard case .disagreementBasis(let missing)? = runner.run(.loadFilter(.disagreements)).first else {
            return XCTFail("no basis")
        }
        XCTAssertEqual(missing, "no student layer yet (:predict)")
        _ = try store.ingest(try JSONLFormat.read(path: packageRoot.appendingPathComponent("SampleData/gold.jsonl").path),
                             into: LayerRef(.student))
        guard case .disagreementBasis(let both)? = runner.run(.loadFilter(.disagreements)).first else {
            return XCTFail("no basis")
        }
        XCTAssertEqual(both, "teacher:1 vs student:1")
    }

    func testUndoWorksAcrossRestarts() throws {
        let store = try sampleStore(self)
        let (first, _) = try makeApp(store)
        let item = try XCTUnwrap(first.model.current?.item)
        press(first, "0")
        XCTAssertEqual(try store.reviewStatus(item).state, .noADE)
        let (second, backend) = try makeApp(store)
        XCTAssertNotEqual(second.model.current?.item, item, "reopens on the first pending item")
        press(second, "u")
        XCTAssertEqual(try store.reviewStatus(item).state, .pending)
        XCTAssertTrue(backend.screen.text.contains("undo \(item): now pending"))
        let (third, _) = try makeApp(store, author: "someone-else")
        press(third, "u")
        XCTAssertTrue(third.model.messageIsError, "undo stacks are per author")
    }

    func testAddingADrugMentionAddsAnItem() throws {
        let store = try sampleStore(self)
        let (app, _) = try makeApp(store)
        let before = app.model.queue.count
        let sentence = try XCTUnwrap(app.model.current?.item.sentenceID)
        // Sentence 1: "A 72-year-old man with paroxysmal atrial fibrillation …": mark "man" as a drug.
        for _ in 0..<30 { press(app, "h") }
        XCTAssertEqual(app.model.caret, 0, "the caret stops at the first word")
        press(app, "l", "l", "l", "l", "D", "<Enter>") // A, 72, year, old, man
        XCTAssertEqual(app.model.queue.count, before + 1, app.model.message ?? "")
        let detail = try XCTUnwrap(try store.sentenceDetail(sentence))
        XCTAssertEqual(detail.drugs.filter { $0.origin == "curator" }.map(\.text), ["man"])
        XCTAssertEqual(app.model.current?.item.drugMentionID, detail.drugs.first { $0.origin == "curator" }?.mentionID)
    }

    func testResizeRedrawsAndATinyTerminalGetsAMessage() throws {
        let store = try sampleStore(self)
        let (app, backend) = try makeApp(store)
        backend.resize(width: 40, height: 10)
        app.send(.resize(width: 40, height: 10))
        app.terminal.invalidate()
        app.frame()
        XCTAssertTrue(backend.screen.text.hasPrefix("Terminal too small: 40×10"))
        backend.resize(width: 90, height: 25)
        app.send(.resize(width: 90, height: 25))
        app.frame()
        XCTAssertTrue(backend.screen.text.contains("Item 1/"))
    }

    /// Feeds background messages (the scores) to the app until `done` holds or 10 s pass.
    func waitFor(_ app: WorkbenchApp, _ done: (WorkbenchModel) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            for msg in app.runner.drain() { app.send(msg) }
            if done(app.model) { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// The side panel's curated scores follow each decision (and its undo) without an :eval
    /// job (issue 26 item 6).
    func testTheCuratedScoresRefreshAfterEachDecision() throws {
        let store = try sampleStore(self)
        let (app, backend) = try makeApp(store)
        let curated = { (model: WorkbenchModel) in model.metrics.first { $0.layer == "curated" } }
        XCTAssertTrue(waitFor(app) { curated($0) != nil }, "the first scores arrive")
        let before = try XCTUnwrap(curated(app.model))
        XCTAssertEqual(before.strict.tp + before.strict.fp, 0, "nothing curated yet")
        for _ in 0..<20 where app.model.currentDraft?.spans.isEmpty ?? true { press(app, "j") }
        XCTAssertFalse(app.model.currentDraft?.spans.isEmpty ?? true, "an item with the teacher's spans")

        press(app, "<Enter>")
        XCTAssertTrue(waitFor(app) { curated($0) != before }, "the decision changes the curated row")
        let after = try XCTUnwrap(curated(app.model))
        XCTAssertGreaterThan(after.strict.tp + after.strict.fp, 0)
        app.frame()
        XCTAssertTrue(backend.screen.text.contains("curated    S " + WorkbenchModel.prf(after.strict)),
                      backend.screen.text)
        press(app, "u")
        XCTAssertTrue(waitFor(app) { curated($0) == before }, "undo takes the scores back")
    }

    func testScoreRefreshesRunOneAtATimeAndABurstCostsOneMore() {
        let refresher = Refresher()
        defer { refresher.stop() }
        let runs = Mailbox()  // a locked list, here of the runs' numbers
        let started = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        refresher.request(.metrics) {
            started.signal()
            gate.wait()
            runs.put(.info("0"))
        }
        XCTAssertEqual(started.wait(timeout: .now() + 10), .success)
        for i in 1...10 {
            refresher.request(.metrics) {
                runs.put(.info("\(i)"))
                done.signal()
            }
        }
        gate.signal()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        Thread.sleep(forTimeInterval: 0.1)
        let numbers = runs.take().compactMap { msg -> String? in if case .info(let n) = msg { n } else { nil } }
        XCTAssertEqual(numbers, ["0", "10"], "the running one, then only the newest request")
    }

    /// Every refresh, of either slot, runs on the one thread the worker started (issue 22 seam
    /// 6: no thread per refresh), and a request of the other slot is not folded away.
    func testRefreshesRunOnOneLongLivedThread() {
        let refresher = Refresher()
        defer { refresher.stop() }
        let threads = Mailbox()  // the threads' descriptions, as messages
        for round in 0..<5 {
            let done = DispatchSemaphore(value: 0)
            for slot in [Refresher.Slot.metrics, .agreement] {
                refresher.request(slot) {
                    threads.put(.info("\(Unmanaged.passUnretained(Thread.current).toOpaque())"))
                    done.signal()
                }
            }
            XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "round \(round)")
            XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "round \(round), the other slot")
        }
        let names = threads.take().compactMap { msg -> String? in if case .info(let n) = msg { n } else { nil } }
        XCTAssertEqual(names.count, 10)
        XCTAssertEqual(Set(names).count, 1, "one thread for every refresh: \(Set(names))")
    }

    /// A store that fails underneath the workbench (a table gone): the scores' refresh and the
    /// poll for others' changes say so in the status line as errors, instead of nothing
    /// (issue 22 seam 6).
    func testStoreErrorsInBackgroundReadsAndPollsReachTheStatusLine() throws {
        let store = try sampleStore(self)
        let (app, _) = try makeApp(store)
        app.runner.watchChanges(after: 0)
        let raw = try DatabaseQueue(path: store.path)
        try raw.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF; DROP TABLE ade; DROP TABLE review_event")
        }
        app.runner.refreshMetricsInBackground()
        XCTAssertTrue(waitFor(app) { $0.messageIsError && ($0.message ?? "").contains("could not read the scores") },
                      app.model.message ?? "no message")
        XCTAssertTrue((app.model.message ?? "").contains("no such table"), app.model.message ?? "")
        let poll = app.runner.pollChanges()
        guard case .storeFailed(let text)? = poll.first else { return XCTFail("\(poll)") }
        XCTAssertTrue(text.hasPrefix("others' changes: ") && text.contains("review_event"), text)
        app.send(poll[0])
        XCTAssertTrue(app.model.messageIsError)
        XCTAssertEqual(app.model.message, "could not read " + text)
    }

    func testMetricsScoreTheLayersAgainstGold() throws {
        let store = try sampleStore(self)
        guard case let .metrics(scope, rows, trend, curve) = try EffectRunner.metrics(store) else { return XCTFail() }
        XCTAssertEqual(scope, "all sentences")
        XCTAssertEqual(rows.map(\.layer), ["teacher:1", "curated"])
        XCTAssertGreaterThan(rows[0].lenient.f1, rows[0].strict.f1)
        XCTAssertEqual(trend, [])
        XCTAssertNil(curve, "no model versions, no learning curve")
    }

    /// The side panel's model-version trend leaves prediction runs and imports out (issue 26 item 13).
    func testTheTrendIsOfTrainedModelVersionsOnly() throws {
        let store = try sampleStore(self)
        let gold = try JSONLFormat.read(path: packageRoot.appendingPathComponent("SampleData/gold.jsonl").path)
        _ = try store.ingest(gold, into: LayerRef(.student))  // imported predictions: student:1
        let trainedLayer = try store.createModelVersion(.init(path: "/m/v2", head: "concat", source: "gold"))
        guard case let .metrics(_, rows, trend, _) = try EffectRunner.metrics(store) else { return XCTFail() }
        XCTAssertEqual(trend.map(\.layer), [trainedLayer.description])
        XCTAssertEqual(rows.map(\.layer), ["teacher:1", "curated", "student:2"], "the latest student layer is scored")
    }
}
