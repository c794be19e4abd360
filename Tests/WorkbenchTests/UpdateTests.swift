import Core
import Corpus
import TerminalUI
@testable import Workbench
import XCTest

final class UpdateTests: XCTestCase {
    func testOpeningAnItemLoadsItsSentenceAndDraftsTheTeacherProposal() {
        var model = WorkbenchModel(queue: [QueueEntry(item: item(1, 10), state: .pending)], author: "a",
                                   themeName: "dark", now: t0)
        XCTAssertEqual(model.select(0), [.loadSentence(1)])
        _ = model.update(.sentenceLoaded(fixtureDetail(), ungrounded: [], exchange: nil))
        XCTAssertEqual(model.currentDraft?.spans, [span("skin rash")])
        XCTAssertEqual(model.focused, span("skin rash"))
    }

    func testSpanBoundariesMoveByWordAndByCharacterKeepingTheDrug() {
        var model = fixtureModel()
        XCTAssertEqual(model.press("e"), [])
        XCTAssertEqual(model.focused, span("skin rash and"))
        _ = model.press("E")
        XCTAssertEqual(model.focused, span("skin rash"))
        _ = model.press("b")
        XCTAssertEqual(model.focused, span("severe skin rash"))
        _ = model.press("B")
        XCTAssertEqual(model.focused, span("skin rash"))
        _ = model.press("<")
        XCTAssertEqual(model.focused, span("skin ras"))
        _ = model.press(">", "(")
        XCTAssertEqual(model.focused, span(" skin rash"))
        _ = model.press(")")
        XCTAssertEqual(model.focused, span("skin rash"))
        XCTAssertEqual(model.current?.item, item(1, 10), "editing never changes which drug the span belongs to")
        XCTAssertTrue(model.currentDraft?.edited == true)
    }

    func testBoundaryMovesStopAtTheEdges() {
        var model = fixtureModel()
        _ = model.press("E", "E")
        XCTAssertEqual(model.focused, span("skin"), "the end cannot move left past the first word")
        _ = model.press("e")
        for _ in 0..<20 { _ = model.press("B") }
        XCTAssertEqual(model.focused, span("rash"))
        for _ in 0..<20 { _ = model.press("<") }
        XCTAssertEqual(model.focused?.length, 1, "a span never becomes empty")
    }

    func testEnterAcceptsTheItemAsShownAndMovesOnButShowsItSavedOnlyWhenConfirmed() {
        var model = fixtureModel()
        _ = model.press("e")
        let effects = model.press("<Enter>")
        XCTAssertEqual(effects, [.decide(item(1, 10), .accepted, [span("skin rash and")], note: nil, elapsedMilliseconds: 0)])
        XCTAssertEqual(model.current?.item, item(1, 11), "same sentence: no reload")
        XCTAssertEqual(model.queue[0].state, .pending)
        XCTAssertTrue(model.saving.contains(10))
        _ = model.update(.saved(SavedDecision(item: item(1, 10), state: .accepted, spans: [span("skin rash and")],
                                              note: nil, action: .decide)))
        XCTAssertEqual(model.queue[0].state, .accepted)
        XCTAssertFalse(model.saving.contains(10))
    }

    func testEnterInAnotherLayerAcceptsTheWorkingSpansNeverGold() {
        var model = fixtureModel()
        _ = model.press("t", "t", "t", "t")
        XCTAssertEqual(model.layer, .gold)
        XCTAssertEqual(model.press("<Enter>").first,
                       .decide(item(1, 10), .accepted, [span("skin rash")], note: nil, elapsedMilliseconds: 0))
        XCTAssertEqual(model.layer, .working, "the next item is not shown in gold")
        XCTAssertTrue(model.message?.contains("not the gold view") == true, model.message ?? "")
    }

    func testLeavingASentenceWithUnsavedEditsAsksSaveDiscardOrStay() {
        var model = fixtureModel()
        _ = model.press("e")
        XCTAssertEqual(model.press("j", "j"), [], "same sentence, then the next one: asks")
        XCTAssertEqual(model.mode, .confirm(.leave(to: 2)))
        _ = model.press("<Esc>")
        XCTAssertEqual(model.mode, .normal)
        XCTAssertEqual(model.drafts[10]?.spans, [span("skin rash and")], "stay keeps the edit")
        _ = model.press("j")
        XCTAssertEqual(model.mode, .confirm(.leave(to: 2)))
        let effects = model.press("s")
        XCTAssertEqual(effects, [.decide(item(1, 10), .accepted, [span("skin rash and")], note: nil, elapsedMilliseconds: nil),
                                 .loadSentence(2)])
        var other = fixtureModel()
        _ = other.press("x", "j", "j", "d")
        XCTAssertEqual(other.current?.item, item(2, 12), "discard moves on")
    }

    func testUndoDuringAnEditUndoesTheLastSpanChange() {
        var model = fixtureModel()
        _ = model.press("e", "e")
        XCTAssertEqual(model.focused, span("skin rash and warfarin"))
        XCTAssertEqual(model.press("u"), [], "not the store's undo")
        XCTAssertEqual(model.focused, span("skin rash and"))
        _ = model.press("u")
        XCTAssertEqual(model.focused, span("skin rash"))
        XCTAssertEqual(model.currentDraft?.edited, false)
        XCTAssertEqual(model.press("u"), [.undo], "no edit left: the last decision")
    }

    func testCancellingAJobAndQuittingWithRunningJobsAsk() {
        var model = fixtureModel()
        var job = Job(7, kind: "train", state: .running, createdAt: t0)
        job.pid = 99
        _ = model.update(.jobs([JobRow(job: job, isLost: false, log: [])]))
        XCTAssertEqual(model.press("X"), [])
        XCTAssertEqual(model.mode, .confirm(.cancelJob(7)))
        XCTAssertEqual(model.press("y"), [.cancelJob(7)])
        XCTAssertEqual(model.press("q"), [])
        XCTAssertTrue(model.render().text.contains("1 job(s) still running (#7 train)"))
        XCTAssertEqual(model.press("y"), [.quit])
    }

    func testTimeOnItemComesFromTicks() {
        var model = fixtureModel()
        _ = model.update(.tick(t0.addingTimeInterval(2.5)))
        XCTAssertEqual(model.press("0").first, .decide(item(1, 10), .noADE, [], note: nil, elapsedMilliseconds: 2500))
    }

    func testRejectingEverySpanThenEnterMeansNoADE() {
        var model = fixtureModel()
        _ = model.press("x")
        XCTAssertNil(model.focusedSpan)
        XCTAssertEqual(model.press("<Enter>").first, .decide(item(1, 10), .noADE, [], note: nil, elapsedMilliseconds: 0))
    }

    func testVisualModeMakesANewSpanFromTheCaret() {
        var model = fixtureModel()
        _ = model.press("]")
        model.caret = span("severe").start
        _ = model.press("v")
        XCTAssertEqual(model.mode, .visual(anchor: span("severe").start, purpose: .span))
        _ = model.press("l", "l", "h", "<Enter>")
        XCTAssertEqual(model.mode, .normal)
        XCTAssertEqual(model.currentDraft?.spans, [span("severe skin"), span("skin rash")])
        XCTAssertEqual(model.focused, span("severe skin"))
    }

    func testVisualModeForADrugAsksTheRunnerToAddTheMention() {
        var model = fixtureModel()
        model.caret = span("bleeding").start
        _ = model.press("D")
        XCTAssertEqual(model.press("<Enter>"), [.addDrugMention(sentenceID: 1, span: span("bleeding"))])
    }

    func testRelinkMovesTheSpanToTheNextDrugAndFollowsIt() {
        var model = fixtureModel()
        _ = model.press("r")
        XCTAssertEqual(model.current?.item, item(1, 11))
        XCTAssertEqual(model.currentDraft?.spans, [span("skin rash"), span("bleeding")].sorted())
        XCTAssertEqual(model.focused, span("skin rash"))
        XCTAssertEqual(model.drafts[10]?.spans, [])
    }

    func testCopyToDrugKeepsTheOriginal() {
        var model = fixtureModel()
        _ = model.press("c")
        XCTAssertEqual(model.current?.item, item(1, 11))
        XCTAssertEqual(model.drafts[10]?.spans, [span("skin rash")])
        XCTAssertEqual(model.drafts[11]?.spans, [span("skin rash"), span("bleeding")].sorted())
    }

    func testUndoAndRedoGoThroughTheRunnerAndShowTheItem() {
        var model = fixtureModel()
        _ = model.press("j")
        XCTAssertEqual(model.press("u"), [.undo])
        XCTAssertEqual(model.press("<C-r>"), [.redo])
        _ = model.update(.saved(SavedDecision(item: item(1, 10), state: .pending, spans: [], note: nil, action: .undo)))
        XCTAssertEqual(model.current?.item, item(1, 10))
        XCTAssertEqual(model.currentDraft?.spans, [span("skin rash")], "back to the teacher's proposal")
    }

    func testFlagTakesANote() {
        var model = fixtureModel()
        _ = model.press("!")
        XCTAssertEqual(model.type("ask Dr. Moreau").first,
                       .decide(item(1, 10), .flagged, [span("skin rash")], note: "ask Dr. Moreau", elapsedMilliseconds: 0))
    }

    func testFiltersHideItemsAndSetFiltersAskTheRunner() {
        var model = fixtureModel()
        _ = model.press("f")
        XCTAssertEqual(model.filter, .pending)
        XCTAssertEqual(model.visible, [0, 1])
        _ = model.press("f", "f")
        XCTAssertEqual(model.filter, .noADE)
        XCTAssertNil(model.current)
        _ = model.press("f")
        XCTAssertEqual(model.press("f"), [.loadFilter(.disagreements)])
        _ = model.update(.filterLoaded(.disagreements, [11]))
        XCTAssertEqual(model.visible, [1])
        XCTAssertEqual(model.command("filter all"), [])
        XCTAssertEqual(model.visible, [0, 1, 2])
    }

    /// The disagreement count depends on which teacher and student layers are the latest: the
    /// queue's title and the messages say which (issue 26 item 14).
    func testTheDisagreementFilterSaysWhatItCompares() {
        var model = fixtureModel()
        _ = model.command("filter disagreements")
        _ = model.update(.disagreementBasis("teacher:2 vs student:3"))
        _ = model.update(.filterLoaded(.disagreements, [11]))
        XCTAssertEqual(model.message, "1 item where teacher:2 and student:3 both labelled the item and gave different spans")
        let title = model.render().text.components(separatedBy: "\n").first { $0.contains("Queue ·") } ?? ""
        XCTAssertTrue(title.contains("Queue · disagreements (teacher:2 vs student:3) · 1 of 3 items"), title)
        _ = model.update(.disagreementBasis("no student layer yet (:predict)"))
        _ = model.update(.filterLoaded(.disagreements, []))
        XCTAssertEqual(model.message, "no items match the filter 'disagreements' (no student layer yet (:predict))")
        _ = model.command("filter all")
        XCTAssertEqual(model.filterLabel, "all")
    }

    func testALoadedFilterSetOpensItsFirstItem() {
        var model = fixtureModel()
        _ = model.command("filter ungrounded")
        XCTAssertNil(model.current, "nothing to show until the set arrives")
        XCTAssertEqual(model.update(.filterLoaded(.ungrounded, [2])), [.loadSentence(2)],
                       "the first ungrounded item is in another sentence: load it")
        XCTAssertEqual(model.current?.item, item(2, 12))
        XCTAssertEqual(model.update(.filterLoaded(.disagreements, [11])), [], "not the active filter")
    }

    func testSortPutsDisagreementsFirstAndBack() {
        var model = fixtureModel()
        XCTAssertEqual(model.command("sort disagreement"), [.loadFilter(.disagreements)])
        XCTAssertEqual(model.update(.filterLoaded(.disagreements, [12])), [.loadSentence(2)],
                       "the disagreeing item comes first and opens")
        XCTAssertEqual(model.visible, [2, 0, 1])
        XCTAssertEqual(model.current?.item, item(2, 12))
        _ = model.command("filter pending")
        XCTAssertEqual(model.visible, [0, 1])
        _ = model.command("filter all")
        XCTAssertEqual(model.visible, [2, 0, 1], "the order holds across filters")
        _ = model.command("sort corpus")
        XCTAssertEqual(model.visible, model.visible.sorted())
        XCTAssertEqual(model.command("sort sideways"), [])
        XCTAssertTrue(model.message?.contains(":sort disagreement|corpus") == true)
    }

    func testAFinishedJobReloadsTheSetsBehindFiltersAndOrder() {
        var model = fixtureModel()
        _ = model.command("sort disagreement")
        _ = model.update(.filterLoaded(.disagreements, [12]))
        var job = Job(3, kind: "train", state: .running, createdAt: t0)
        _ = model.update(.jobs([JobRow(job: job, isLost: false, log: [])]))
        job.state = .succeeded
        XCTAssertEqual(model.update(.jobs([JobRow(job: job, isLost: false, log: [])])),
                       [.refreshMetrics, .loadFilter(.disagreements)], "a new student version may disagree elsewhere")
        XCTAssertTrue(model.filterSets.isEmpty)
    }

    /// At 80×24 the side panel with the jobs is hidden: a job's end is told in the status line,
    /// at every size (issue 26 item 9).
    func testAJobThatFinishesIsToldInTheStatusLineAtEverySize() {
        var model = fixtureModel(width: 80, height: 24)
        let train = Job(3, kind: "train", state: .running, createdAt: t0)
        var teach = Job(4, kind: "teach", state: .running, createdAt: t0)
        var eval = Job(5, kind: "eval", state: .running, createdAt: t0)
        let row = { (job: Job) in JobRow(job: job, isLost: false, log: []) }
        _ = model.update(.jobs([row(eval), row(teach), row(train)]))
        XCTAssertNil(model.message)

        var done = train
        done.state = .succeeded
        _ = model.update(.jobs([row(eval), row(teach), row(done)]))
        XCTAssertEqual(model.message, "job 3 train succeeded")
        XCTAssertFalse(model.messageIsError)
        XCTAssertTrue(model.render().text.contains("job 3 train succeeded"), "the side panel is hidden at 80×24")

        teach.state = .failed
        teach.error = "models/minilm-l6/config.json: no such file\nUsage: vigil teach …"
        _ = model.update(.jobs([row(eval), row(teach), row(done)]))
        XCTAssertEqual(model.message, "job 4 teach failed: models/minilm-l6/config.json: no such file (J: details)")
        XCTAssertTrue(model.messageIsError)
        XCTAssertTrue(model.render().text.contains("job 4 teach failed: models/minilm-l6/config.json"))

        eval.state = .cancelled
        _ = model.update(.jobs([JobRow(job: eval, isLost: false, log: []), row(teach), row(done)]))
        XCTAssertEqual(model.message, "job 5 eval cancelled")
        _ = model.update(.info("something else"))
        _ = model.update(.jobs([row(eval), row(teach), row(done)]))
        XCTAssertEqual(model.message, "something else", "only a change of state is told, once")

        var lost = Job(6, kind: "predict", state: .running, createdAt: t0)
        _ = model.update(.jobs([row(lost)]))
        lost.state = .lost
        _ = model.update(.jobs([JobRow(job: lost, isLost: true, log: [])]))
        XCTAssertEqual(model.message, "job 6 predict lost: its process is gone (J: details)")
        XCTAssertTrue(model.messageIsError)
    }

    /// A failed job's whole error is readable in the workbench (issue 26 item 7): `J` opens the
    /// newest job's details, `:job ID` another's; the error is wrapped, never cut.
    func testAJobsDetailsShowItsWholeErrorLogAndOutput() {
        var model = fixtureModel(width: 80, height: 24)
        XCTAssertEqual(model.press("J"), [])
        XCTAssertEqual(model.message, "no jobs yet (:teach, :train, :predict, :eval start one)")
        var failed = Job(4, kind: "train", state: .failed, createdAt: t0)
        failed.arguments = ["--source", "curated", "--encoder", "models/minilm-l6"]
        failed.error = "models/minilm-l6/config.json: no such file or directory; the encoder folder must hold config.json, "
            + "vocab.txt and model.safetensors (make model downloads them)"
        _ = model.update(.jobs([JobRow(job: failed, isLost: false, log: [])]))
        XCTAssertEqual(model.press("J"), [.loadJobDetail(4)])
        XCTAssertEqual(model.command("job 3"), [.loadJobDetail(3)])
        _ = model.update(.jobDetail(JobDetail(job: failed, log: ["loading the encoder", "failed: " + failed.error!],
                                              output: "Error: the encoder is missing\n", outputPath: "/c/.vigil-jobs/job-4.stderr")))
        XCTAssertEqual(model.mode, .jobDetail)
        let text = model.render().text
        let joined = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")) }
            .joined(separator: " ")
        XCTAssertTrue(joined.contains("(make model downloads them)"), "the end of the error too: \(text)")
        XCTAssertTrue(joined.contains("vigil train --source curated --encoder models/minilm-l6"), text)
        XCTAssertTrue(joined.contains("Error output (/c/.vigil-jobs/job-4.stderr)"), text)
        XCTAssertTrue(text.contains("other keys close"), text)
        _ = model.press("j")
        XCTAssertEqual(model.jobDetailScroll, 1)
        _ = model.press("q")
        XCTAssertEqual(model.mode, .normal)
    }

    func testPageKeysMoveThroughTheQueueAndScrollTheHelp() {
        var model = fixtureModel()
        _ = model.press("<End>")
        XCTAssertEqual(model.current?.item, item(2, 12))
        _ = model.press("<Home>")
        XCTAssertEqual(model.current?.item, item(1, 10))
        _ = model.press("<PageDown>")
        XCTAssertEqual(model.current?.item, item(2, 12), "a page is more than the fixture's three items")
        _ = model.press("<PageUp>")
        XCTAssertEqual(model.current?.item, item(1, 10))
        _ = model.press("?", "<PageDown>")
        XCTAssertEqual(model.mode, .help)
        XCTAssertEqual(model.helpScroll, model.height - 4)
        _ = model.press("<PageUp>", "<End>")
        XCTAssertGreaterThan(model.helpScroll, 100)
        _ = model.press("<Home>")
        XCTAssertEqual(model.helpScroll, 0)
        _ = model.press("<Esc>")
        XCTAssertEqual(model.mode, .normal)
    }

    /// The help overlay says one thing about closing, in its title and its status line.
    func testTheHelpSaysOneThingAboutClosing() {
        var model = fixtureModel(width: 80, height: 24)
        _ = model.press("?")
        let lines = model.render().text.components(separatedBy: "\n")
        XCTAssertTrue(lines[1].contains("other keys close"), lines[1])
        XCTAssertTrue(lines[23].contains("other keys close"), lines[23])
        XCTAssertFalse(lines.joined().contains("Esc closes") || lines.joined().contains("any key"), lines.joined(separator: "\n"))
    }

    func testAnUnknownCommandListsTheCommands() {
        var model = fixtureModel()
        XCTAssertEqual(model.command("foo"), [])
        XCTAssertTrue(model.messageIsError)
        let message = model.message ?? ""
        XCTAssertTrue(message.hasPrefix("unknown command :foo; commands: :teach :train :predict :eval :cv [--options]"), message)
        for command in [":job", ":cancel", ":theme", ":filter", ":sort", ":layer", ":q"] {
            XCTAssertTrue(message.contains(command), "\(command) in \(message)")
        }
    }

    /// A finished teach, predict or train job brought a new layer: the open sentence is reloaded
    /// to show it, unless it holds unsaved edits (issue 26 item 5: the open item refreshes).
    func testAJobThatBringsANewLayerReloadsTheOpenSentence() {
        var model = fixtureModel()
        let running = JobRow(job: Job(3, kind: "teach", state: .running, createdAt: t0), isLost: false, log: [])
        var done = running
        done.job.state = .succeeded
        _ = model.update(.jobs([running]))
        XCTAssertEqual(model.update(.jobs([done])), [.loadSentence(1), .refreshMetrics])
        _ = model.update(.jobs([running]))
        _ = model.press("e")
        XCTAssertEqual(model.update(.jobs([done])), [.refreshMetrics], "edits are never reloaded away")
    }

    func testEveryDecisionRefreshesTheScores() {
        var model = fixtureModel()
        let decision = SavedDecision(item: item(1, 10), state: .noADE, spans: [], note: nil, action: .decide)
        XCTAssertEqual(model.update(.saved(decision)), [.refreshMetrics], "the curated row follows each decision")
        var undone = decision
        undone.action = .undo
        undone.state = .pending
        XCTAssertEqual(model.update(.saved(undone)).last, .refreshMetrics, "and each undo")
    }

    func testNextPendingSkipsDecidedItems() {
        var model = fixtureModel()
        model.queue[1].state = .accepted
        model.queue[2].state = .pending
        XCTAssertEqual(model.press("n"), [.loadSentence(2)])
        XCTAssertEqual(model.current?.item, item(2, 12))
    }

    func testSearchAndJump() {
        var model = fixtureModel()
        _ = model.press("/")
        XCTAssertEqual(model.type("bleed"), [.search("bleed")])
        XCTAssertEqual(model.update(.searchResult(query: "bleed", sentences: [2])), [.loadSentence(2)])
        _ = model.press("g")
        XCTAssertEqual(model.type("2"), [.loadSentence(1)])
        XCTAssertEqual(model.current?.item, item(1, 11))
        _ = model.press("g")
        _ = model.type("1/12")
        XCTAssertTrue(model.messageIsError, "mention 12 is in sentence 2, not 1")
    }

    func testCommandsStartOneJobOfAKind() {
        var model = fixtureModel()
        _ = model.press(":")
        XCTAssertEqual(model.type("eval"), [.startJob(.eval)])
        _ = model.press(":")
        XCTAssertEqual(model.type("train --epochs 10  --head interact"),
                       [.startJob(.train, arguments: ["--epochs", "10", "--head", "interact"])], "options pass through")
        var job = Job(4, kind: "eval", state: .running, createdAt: t0)
        job.pid = 1
        _ = model.update(.jobs([JobRow(job: job, isLost: false, log: [])]))
        XCTAssertEqual(model.command("eval"), [])
        XCTAssertTrue(model.messageIsError)
        XCTAssertEqual(model.press("X"), [], "X asks first")
        XCTAssertEqual(model.press("y"), [.cancelJob(4)])
        var done = job
        done.state = .succeeded
        XCTAssertEqual(model.update(.jobs([JobRow(job: done, isLost: false, log: [])])), [.refreshMetrics])
        XCTAssertEqual(model.command("theme light"), [.setTheme("light")])
        XCTAssertEqual(model.command("q"), [.quit])
        XCTAssertEqual(model.press("q"), [.quit])
    }

    func testATooSmallTerminalOnlyQuits() {
        var model = fixtureModel(width: 40, height: 10)
        XCTAssertEqual(model.press("j"), [])
        XCTAssertEqual(model.current?.item, item(1, 10))
        XCTAssertTrue(model.render().text.contains("Terminal too small"))
        XCTAssertEqual(model.press("q"), [.quit])
        _ = model.update(.resize(width: 1, height: 1))
        XCTAssertEqual(model.render().width, 1, "renders at any size without crashing")
        _ = model.update(.resize(width: 0, height: 0))
        XCTAssertEqual(model.render().text, "")
    }

    func testDiscardingEditsByLeavingTheSentenceIsSaid() {
        var model = fixtureModel()
        _ = model.press("e", "j", "j")
        XCTAssertEqual(model.message, nil, "nothing is discarded before the curator answers")
        XCTAssertEqual(model.press("d"), [.loadSentence(2)], "discarding records nothing")
        XCTAssertEqual(model.message, "discarded the span edits of 1 item(s)")
    }
}

/// Others' decisions arriving while the workbench is open (issue 26 item 5).
final class ChangedElsewhereTests: XCTestCase {
    let theirs = ReviewChange(item: item(1, 10), status: ReviewStatus(.accepted, spans: [span("severe skin rash")], note: nil),
                              author: "ben")

    func testAnotherCuratorsDecisionOnTheOpenSentenceReloadsIt() {
        var model = fixtureModel()
        XCTAssertEqual(model.update(.changedElsewhere([theirs])), [.loadSentence(1), .refreshMetrics])
        XCTAssertEqual(model.queue[0].state, .accepted)
        XCTAssertEqual(model.message, "ben decided 1/10 meanwhile: now accepted (shown)")
        var detail = fixtureDetail()
        detail.drugs[0].review = theirs.status
        _ = model.update(.sentenceLoaded(detail, ungrounded: [], exchange: nil))
        XCTAssertEqual(model.currentDraft?.spans, [span("severe skin rash")], "their spans on screen")
        XCTAssertEqual(model.update(.changedElsewhere([theirs])), [], "nothing new: no reload, no message")
    }

    func testUnsavedEditsAreNeverReloadedAway() {
        var model = fixtureModel()
        _ = model.press("e")
        XCTAssertEqual(model.update(.changedElsewhere([theirs])), [.refreshMetrics], "no reload")
        XCTAssertEqual(model.currentDraft?.spans, [span("skin rash and")])
        XCTAssertEqual(model.queue[0].state, .accepted)
        XCTAssertTrue(model.message?.contains("your unsaved edits stay") == true, model.message ?? "")
    }

    func testDrugMentionsAddedElsewhereBecomeItemsInTheirSentencesPlace() {
        var model = fixtureModel()
        _ = model.press("j")
        XCTAssertEqual(model.current?.item, item(1, 11))
        let effects = model.update(.mentionsAdded([QueueEntry(item: item(1, 13), state: .pending, drug: "caused"),
                                                   QueueEntry(item: item(9, 14), state: .pending, drug: "heparin")]))
        XCTAssertEqual(effects, [.loadSentence(1)], "the open sentence has a new drug")
        XCTAssertEqual(model.queue.map(\.item), [item(1, 10), item(1, 11), item(1, 13), item(2, 12), item(9, 14)])
        XCTAssertEqual(model.current?.item, item(1, 11), "the cursor stays on its item")
        XCTAssertEqual(model.message, "2 drug mentions added elsewhere")
        XCTAssertEqual(model.update(.mentionsAdded([QueueEntry(item: item(1, 13), state: .pending)])), [], "known already")
    }

    func testARefusedDecisionComesBackAsAnUnsavedEditOverTheirs() {
        var model = fixtureModel()
        _ = model.press("e", "<Enter>")
        XCTAssertEqual(model.current?.item, item(1, 11), "moved on")
        let effects = model.update(.changedUnderneath(item(1, 10), spans: [span("skin rash and")],
                                                      reason: "1/10 changed since it was shown: now accepted (by ben)"))
        XCTAssertEqual(effects, [.loadSentence(1)], "reloaded although the same sentence is open")
        XCTAssertEqual(model.current?.item, item(1, 10))
        XCTAssertTrue(model.messageIsError)
        XCTAssertEqual(model.saving, [])
        var detail = fixtureDetail()
        detail.drugs[0].review = theirs.status
        _ = model.update(.sentenceLoaded(detail, ungrounded: [], exchange: nil))
        XCTAssertEqual(model.currentDraft?.spans, [span("skin rash and")])
        XCTAssertEqual(model.unsavedEdits, [10])
        _ = model.press("u")
        XCTAssertEqual(model.currentDraft?.spans, [span("severe skin rash")], "u shows theirs")
        XCTAssertEqual(model.unsavedEdits, [])
    }

    func testARefusalKeepsTheOtherDrugsUnsavedEdits() {
        var model = fixtureModel()
        _ = model.press("c")  // copies Aspirin's spans to warfarin: an unsaved edit there
        XCTAssertEqual(model.current?.item, item(1, 11))
        _ = model.press("<Tab>", "<Enter>")
        XCTAssertEqual(model.unsavedEdits, [11])
        _ = model.update(.changedUnderneath(item(1, 10), spans: [span("skin rash")], reason: "changed"))
        _ = model.update(.sentenceLoaded(fixtureDetail(), ungrounded: [], exchange: nil))
        XCTAssertEqual(model.drafts[11]?.spans, [span("skin rash"), span("bleeding")], "warfarin's edit survives the reload")
        XCTAssertEqual(model.unsavedEdits, [11])
    }
}

final class UpdateRobustnessTests: XCTestCase {
    /// Random keys in every mode never crash and keep the model consistent.
    func testRandomKeysNeverBreakTheModel() {
        var model = fixtureModel()
        var rng = SplitMix64(seed: 7)
        let names = ["j", "k", "n", "e", "E", "b", "B", "<", ">", "(", ")", "x", "a", "]", "[", "v", "l", "h", "D",
                     "r", "c", "t", "d", "R", "?", "<Esc>", "f", "F", "<Tab>", "<S-Tab>", "0", "s", "u", "<Enter>", ":",
                     "/", "g", "!", "<BS>", "1", "z"]
        for _ in 0..<5000 {
            let name = names[Int(rng.next() % UInt64(names.count))]
            for effect in model.press(name) {
                // Play the runner's part for effects that change what the model shows.
                switch effect {
                case .loadSentence(let id) where id == 1:
                    _ = model.update(.sentenceLoaded(fixtureDetail(), ungrounded: [], exchange: nil))
                case let .decide(item, state, spans, note, _):
                    _ = model.update(.saved(SavedDecision(item: item, state: state, spans: spans, note: note, action: .decide)))
                default:
                    break
                }
            }
            if let f = model.focusedSpan { XCTAssertLessThan(f, model.currentDraft?.spans.count ?? 0) }
            for span in model.currentDraft?.spans ?? [] {
                XCTAssertTrue(span.start >= 0 && span.start < span.end && span.end <= fixtureText.unicodeScalars.count)
            }
            XCTAssertTrue(model.visible.isEmpty || model.visible.indices.contains(model.cursor))
            _ = model.render()
        }
    }
}
