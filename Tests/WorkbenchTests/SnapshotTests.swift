import Core
import Corpus
import TerminalUI
@testable import Workbench
import XCTest

/// Full-screen and widget snapshots at fixed sizes: text plus a role grid.
final class SnapshotTests: XCTestCase {
    /// A model with jobs, scores, a model trend and an ungrounded string.
    func busyModel(width: Int, height: Int) -> WorkbenchModel {
        var model = fixtureModel(width: width, height: height)
        _ = model.update(.sentenceLoaded(fixtureDetail(), ungrounded: [
            UngroundedProposal(drug: "Aspirin", drugMentionID: 10, text: "hives", reason: .adeNotInSentence),
        ], exchange: TeacherExchange(cacheKey: "k", model: "fake-llm", prompt: "Find the ADEs of Aspirin in: …",
                                     request: "{}", response: "{\"ades\": [\"skin rash\", \"hives\"]}")))
        var running = Job(7, kind: "teach", state: .running, createdAt: t0)
        running.startedAt = t0
        running.done = 30
        running.total = 120
        running.pid = 99
        var failed = Job(6, kind: "train", state: .failed, createdAt: t0)
        failed.startedAt = t0
        failed.finishedAt = t0.addingTimeInterval(1)
        failed.error = "Error: Unexpected argument 'train'"
        _ = model.update(.jobs([JobRow(job: running, isLost: false, log: ["labeled 30 of 120 items"]),
                                JobRow(job: failed, isLost: false, log: [])]))
        let s = { (p: Double, r: Double) in
            Score(tp: Int(p * 100), fp: Int((1 - p) * 100), fn: Int((1 - r) * 100))
        }
        _ = model.update(.metrics(scope: "holdout:test",
                                  rows: [MetricRow(layer: "teacher:1", strict: s(0.6, 0.7), lenient: s(0.8, 0.9))],
                                  trend: [MetricRow(layer: "student:1", strict: s(0.5, 0.5), lenient: s(0.6, 0.6)),
                                          MetricRow(layer: "student:2", strict: s(0.7, 0.7), lenient: s(0.8, 0.8))]))
        _ = model.update(.tick(t0.addingTimeInterval(90)))
        return model
    }

    func testFullScreenWithSidePanel() {
        assertSnapshot(busyModel(width: 110, height: 30).render(), named: "workbench-110x30")
    }

    func testNarrowScreenWithoutSidePanelInDiffView() {
        var model = fixtureModel(width: 70, height: 20)
        _ = model.press("d")
        assertSnapshot(model.render(), named: "diff-70x20")
    }

    func testVisualSelection() {
        var model = fixtureModel(width: 70, height: 20)
        model.caret = span("severe").start
        _ = model.press("v", "l")
        assertSnapshot(model.render(), named: "visual-70x20")
    }

    func testHelpOverlay() {
        var model = fixtureModel(width: 80, height: 24)
        _ = model.press("?")
        assertSnapshot(model.render(), named: "help-80x24")
    }

    func testRawExchangeOverlay() {
        var model = busyModel(width: 80, height: 20)
        _ = model.press("R")
        assertSnapshot(model.render(), named: "raw-80x20")
    }

    func testTooSmall() {
        assertSnapshot(fixtureModel(width: 50, height: 12).render(), named: "too-small-50x12")
    }

    func testSidePanelWidget() {
        let model = busyModel(width: 110, height: 30)
        var buffer = ScreenBuffer(width: 44, height: 18)
        model.renderSidePanel(&buffer, buffer.bounds)
        assertSnapshot(buffer, named: "side-panel-44x18")
    }

    /// The header names the corpus file (issue 26 item 4), and a long name is cut from the
    /// left so the view stays visible at 80 columns.
    /// At 120 columns the side panel is 40 wide: the jobs title fits whole (issue 26 item 15).
    func testTheJobsPanelTitleIsNeverCut() {
        for width in [100, 110, 120, 160] {
            let text = busyModel(width: width, height: 35).render().text
            let title = text.components(separatedBy: "\n")[1]
            XCTAssertTrue(title.contains("Jobs  (") && title.contains("X cancels)"), "\(width): \(title)")
        }
        XCTAssertEqual(fixtureModel().jobsTitle(width: 38), "Jobs  (J details, X cancels)")
        XCTAssertEqual(fixtureModel().jobsTitle(width: 60), "Jobs  (:teach :train :predict :eval · J details, X cancels)")
    }

    func testHeaderNamesTheCorpusAndKeepsTheView() {
        var model = fixtureModel(width: 80, height: 24)
        model.corpusName = "trial-ADE-corpus.sqlite"
        var header = model.render().text.components(separatedBy: "\n")[0]
        XCTAssertTrue(header.hasPrefix(" Vigil · trial-ADE-corpus.sqlite "), header)
        XCTAssertTrue(header.contains("view working"), header)
        model.corpusName = "a-very-long-corpus-file-name-for-the-2026-trial.sqlite"
        header = model.render().text.components(separatedBy: "\n")[0]
        XCTAssertTrue(header.hasPrefix(" Vigil · …r-the-2026-trial.sqlite "), header)
        XCTAssertTrue(header.contains("view working"), header)
    }

    func testDrugColoursAndSpanRoles() {
        let model = fixtureModel()
        let detail = fixtureDetail()
        let roles = model.sentenceRoles(detail, Array(fixtureText.unicodeScalars))
        XCTAssertEqual(roles[span("Aspirin").start], .drug0)
        XCTAssertEqual(roles[span("warfarin").start], .drug1)
        XCTAssertEqual(roles[span("skin rash").start + 1], .adeFocused)
        XCTAssertEqual(roles[span("bleeding").start], .adeOther, "the other drug's ADE is dimmed")
        XCTAssertEqual(roles[span("skin rash").start], .cursor, "the caret sits on the focused span's start")
    }
}

/// The side panel's learning-curve chart.
extension SnapshotTests {
    func curveModel() -> WorkbenchModel {
        var model = busyModel(width: 110, height: 40)
        let s = { (f1: Double) in Score(tp: Int(f1 * 1000), fp: 1000 - Int(f1 * 1000), fn: 1000 - Int(f1 * 1000)) }
        let curve = LearningCurve(scoredOn: "holdout:test", head: "concat", source: "gold", epochs: "5", points: [
            .init(fraction: 0.1, version: 3, strict: s(0.6), lenient: s(0.72)),
            .init(fraction: 0.25, version: 4, strict: s(0.7), lenient: s(0.81)),
            .init(fraction: 1, version: 5, strict: s(0.8), lenient: s(0.9)),
        ])
        _ = model.update(.metrics(scope: "holdout:test", rows: model.metrics, trend: model.trend, curve: curve))
        return model
    }

    func testLearningCurveBarsGrowWithF1AndShowTheValues() throws {
        let text = curveModel().render().text.components(separatedBy: "\n")
        let title = try XCTUnwrap(text.firstIndex { $0.contains("Learning curve (lenient F1)") },
                                  text.joined(separator: "\n"))
        let rows = text[(title + 1)...(title + 3)]
        let lengths = rows.map { row in row.unicodeScalars.filter { "█▏▎▍▌▋▊▉".unicodeScalars.contains($0) }.count }
        XCTAssertEqual(lengths, lengths.sorted(), "\(rows)")
        XCTAssertLessThan(lengths[0], lengths[2])
        for (row, (label, value)) in zip(rows, [("10%", "72.0"), ("25%", "81.0"), ("100%", "90.0")]) {
            XCTAssertTrue(row.contains(label) && row.contains(value), row)
        }
        XCTAssertTrue(text[title + 4].contains("axis 60–100 · holdout:test"), text[title + 4])
    }

    func testLearningCurveSnapshot() {
        assertSnapshot(curveModel().render(), named: "workbench-curve-110x40")
    }
}

/// What the item view says about notes and empty layers (issue 26 items 11 and 12).
extension SnapshotTests {
    func testAFlagNoteIsShownOnItsItem() {
        var model = fixtureModel(width: 80, height: 24)
        let effects = model.press("!") + model.type("ask Dr. Moreau about the dose")
        XCTAssertEqual(effects.first, .decide(item(1, 10), .flagged, [span("skin rash")], note: "ask Dr. Moreau about the dose",
                                              elapsedMilliseconds: 0))
        _ = model.update(.saved(SavedDecision(item: item(1, 10), state: .flagged, spans: [span("skin rash")],
                                              note: "ask Dr. Moreau about the dose", action: .decide)))
        XCTAssertFalse(model.render().text.contains("⚑ note:"), "warfarin has no note")
        _ = model.press("k")
        let text = model.render().text
        XCTAssertTrue(text.contains("⚑ note: ask Dr. Moreau about the dose"), text)
    }

    func testAnEmptyViewSaysWhetherTheLayerSaysNoADEHasNotLabelledTheItemOrIsMissing() {
        var model = fixtureModel(width: 100, height: 30)
        func title() -> String {
            model.render().text.components(separatedBy: "\n").first { $0.contains("ADEs of") } ?? ""
        }
        _ = model.press("<Tab>")  // warfarin: the student never labelled it
        model.layer = .student
        XCTAssertTrue(title().contains("(student): not labelled by the student layer"), title())
        model.layer = .curated
        XCTAssertTrue(title().contains("(curated): not decided yet"), title())
        var detail = fixtureDetail()
        detail.spans[.gold]?[11] = nil
        detail.spans[.student] = nil
        detail.answered[.student] = nil
        _ = model.update(.sentenceLoaded(detail, ungrounded: [], exchange: nil))
        model.layer = .gold
        XCTAssertTrue(title().contains("(gold): no ADE"), title())
        model.layer = .student
        XCTAssertTrue(title().contains("(student): no student layer in this corpus"), title())
        model.layer = .diff
        let text = model.render().text
        XCTAssertTrue(text.contains("colours: teacher only · student only · both · list: your spans"), text)
        XCTAssertTrue(text.contains("no student layer"), text)
    }
}
