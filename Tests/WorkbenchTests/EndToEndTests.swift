import Core
import Corpus
import Foundation
import XCTest

/// The real `vigil` binary in tmux: keys in, screen polled, then the database checked.
final class EndToEndTests: XCTestCase {
    var directory = ""
    var db = ""

    override func setUpWithError() throws {
        guard TmuxSession.tmux != nil else { throw XCTSkip("SKIPPED: tmux is not installed (apt-get install tmux)") }
        guard FileManager.default.isExecutableFile(atPath: vigilBinary.path) else {
            throw XCTSkip("SKIPPED: the vigil binary is not built at \(vigilBinary.path) (swift build)")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        directory = url.path
        db = directory + "/vigil.sqlite"
        let (status, _) = try runProgram(vigilBinary.path, ["demo", "--dir", directory, "--no-tui", "--sample-data",
                                                             packageRoot.appendingPathComponent("SampleData").path])
        XCTAssertEqual(status, 0, "vigil demo --no-tui")
    }

    /// Opens the workbench in tmux; the pane keeps the exit status after vigil quits.
    func open(as curator: String = "e2e") throws -> TmuxSession {
        let command = "cd \(packageRoot.path) && VIGIL_CONFIG=/nonexistent/config.toml \(vigilBinary.path) tui --db \(db) --as \(curator); echo VIGIL-EXITED $?; sleep 600"
        let session = try TmuxSession(self, command: command)
        try session.waitFor("Item 1/")
        return session
    }

    /// Runs `vigil ARGS --db <demo corpus>` and returns its output; fails the test on a non-zero exit.
    @discardableResult
    func vigil(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let (status, output) = try runProgram(vigilBinary.path, arguments + ["--db", db])
        XCTAssertEqual(status, 0, "vigil \(arguments.joined(separator: " "))", file: file, line: line)
        return output
    }

    /// Two curators decide the same items at once in two terminals, `vigil agreement` gives
    /// the figures their answers imply, and an adjudicator's one-key ruling on their
    /// disagreement lands in the curated layer.
    /// Two workbenches on one corpus under one name (issue 26 item 5): one sees the other's
    /// decision within a poll, and its undo leaves that decision alone.
    func testTwoWorkbenchesOnOneCorpusSeeEachOthersDecisions() throws {
        let a = try open(), b = try open()
        try b.keys("0")
        try b.waitFor("saved 1/1: no-ade")
        try a.waitFor("e2e decided 1/1 meanwhile: now no-ade (shown)")
        try a.keys("u")
        try a.waitFor("made in another workbench open under your name")
        XCTAssertEqual(try CorpusStore(path: db).reviewStatus(ItemKey(sentenceID: 1, drugMentionID: 1)).state, .noADE)
        for tui in [a, b] {
            try tui.keys("q")
            try tui.waitFor("VIGIL-EXITED 0")
        }
    }

    func testTwoCuratorsOverlapThenAgreementAndAnAdjudicatorsRuling() throws {
        try vigil(["curators", "add", "ana"])
        try vigil(["curators", "add", "ben"])
        try vigil(["curators", "add", "dana", "--role", "adjudicator"])
        try vigil(["assign", "--curators", "ana,ben", "--overlap", "1", "--seed", "1"])
        let ana = try open(as: "ana"), ben = try open(as: "ben")
        XCTAssertTrue(ana.capture().contains("ana"), "the status line names the curator")
        // Both accept the teacher's proposal on item 1; on item 2 ana accepts it and ben says no ADE.
        try ana.keys("Enter")
        try ana.waitFor("saved 1/1: ")
        try ben.keys("Enter")
        try ben.waitFor("saved 1/1: ")
        try ana.waitFor("Item 2/")
        try ana.keys("Enter")
        try ana.waitFor("saved 2/2: accepted")
        try ben.waitFor("Item 2/")
        XCTAssertTrue(ben.capture().contains("Item 2/"))
        try ben.keys("0")
        try ben.waitFor("saved 2/2: no-ade")
        for tui in [ana, ben] {
            try tui.keys("q")
            try tui.waitFor("VIGIL-EXITED 0")
        }

        // The expected figures, from the answers as recorded.
        let store = try CorpusStore(path: db)
        let first = ItemKey(sentenceID: 1, drugMentionID: 1), second = ItemKey(sentenceID: 2, drugMentionID: 2)
        let a1 = try store.reviewStatus(first, curator: "ana").spans, a2 = try store.reviewStatus(second, curator: "ana").spans
        XCTAssertEqual(try store.reviewStatus(first, curator: "ben").spans, a1)
        XCTAssertFalse(a2.isEmpty, "the teacher proposed an ADE on item 2")
        let strict = 2.0 * Double(a1.count) / Double(a1.count + a2.count + a1.count)
        let report = try vigil(["agreement"])
        XCTAssertTrue(report.contains("ana – ben"), report)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try vigil(["agreement", "--json"]).utf8)) as? [String: Any])
        let pair = try XCTUnwrap((json["pairs"] as? [[String: Any]])?.first)
        XCTAssertEqual(pair["items"] as? Int, 2)
        XCTAssertEqual(pair["disagreements"] as? Int, 1)
        XCTAssertEqual(try XCTUnwrap(pair["strict_f1"] as? Double), a1.isEmpty ? 0 : strict, accuracy: 1e-9)
        XCTAssertEqual(try store.reviewStatus(second).resolution, .disputed)

        // The adjudicator's workbench opens on the dispute; 1 rules for ana.
        let dana = try open(as: "dana")
        try dana.waitFor("adjudicating 1 disputes")
        try dana.waitFor("B ben: no ADE")
        try dana.keys("1")
        try dana.waitFor("ruled accepted on 2/2 with ana")
        try dana.keys("q")
        try dana.waitFor("VIGIL-EXITED 0")
        XCTAssertEqual(try store.reviewStatus(second).resolution, .adjudicated)
        let curated = try store.pairs(in: try store.layer(.curated)).filter { $0.drug.mentionID == 2 }.map(\.span).sorted()
        XCTAssertEqual(curated, a2, "the ruling is in the curated layer")
    }

    func status(_ s: Int64, _ m: Int64) throws -> ReviewStatus {
        try CorpusStore(path: db).reviewStatus(ItemKey(sentenceID: s, drugMentionID: m))
    }

    func testCorrectAcceptUndoRedoAddNoADEQuitAndReopen() throws {
        let tui = try open()
        try tui.keys("j")
        try tui.waitFor("Item 2/")
        // The replay teacher proposed "dry cough". Move its end a word right and back, then accept.
        try tui.keys("e")
        try tui.waitFor("dry cough that [44,58)")
        try tui.keys("E")
        try tui.waitFor("dry cough [44,53)")
        try tui.keys("Enter")
        try tui.waitFor("saved 2/2: accepted")
        XCTAssertEqual(try status(2, 2), ReviewStatus(.accepted, spans: [Span(44, 53)], note: nil))
        // Undo and redo.
        try tui.keys("u")
        try tui.waitFor("undo 2/2: now pending")
        XCTAssertEqual(try status(2, 2).state, .pending)
        try tui.keys("C-r")
        try tui.waitFor("redo 2/2: now accepted")
        XCTAssertEqual(try status(2, 2).spans, [Span(44, 53)])
        // Add the span the teacher missed: from the caret on "dry", four words left is
        // "progressive"; select "progressive dyspnea".
        try tui.keys("h", "h", "h", "h", "v", "l", "Enter")
        try tui.waitFor("progressive dyspnea [18,37)")
        try tui.keys("Enter")
        try tui.waitFor("saved 2/2: accepted")
        XCTAssertEqual(try status(2, 2).spans, [Span(18, 37), Span(44, 53)])
        // No ADE for the next item.
        try tui.waitFor("Item 3/")
        try tui.keys("0")
        try tui.waitFor("saved 3/3: no-ade")
        XCTAssertEqual(try status(3, 3).state, .noADE)
        // Quit, then reopen: the decisions are there and undo reaches across the restart.
        try tui.keys("q")
        try tui.waitFor("VIGIL-EXITED 0")
        let again = try open()
        try again.waitFor("done 2/")
        try again.keys("u")
        try again.waitFor("undo 3/3: now pending")
        XCTAssertEqual(try status(3, 3).state, .pending)
        XCTAssertEqual(try status(2, 2).spans, [Span(18, 37), Span(44, 53)])
        try again.keys(":")
        try again.type("q")
        try again.keys("Enter")
        try again.waitFor("VIGIL-EXITED 0")
    }

    func testStartAJobAndCancelACommandLineJob() throws {
        let store = try CorpusStore(path: db)
        // A job started from the command line (here: a sleeping process that adopted the row).
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["300"]
        try sleeper.run()
        addTeardownBlock { if sleeper.isRunning { sleeper.terminate() } }
        let external = try store.createJob(kind: "teach", arguments: ["--pending"])
        try store.startJob(external, pid: sleeper.processIdentifier)
        try store.reportProgress(external, done: 3, total: 12, message: "labeling")

        let tui = try open()
        try tui.waitFor("#\(external) teach running")
        // One job of a kind at a time.
        try tui.keys(":")
        try tui.type("teach")
        try tui.keys("Enter")
        try tui.waitFor("a teach job is already running (job \(external))")
        // Start an evaluation job from the TUI: a separate vigil process that reports through the table.
        try tui.keys(":")
        try tui.type("eval")
        try tui.keys("Enter")
        try tui.waitFor("eval succeeded")
        let eval = try XCTUnwrap(try store.jobs().first { $0.kind == "eval" })
        XCTAssertEqual(eval.state, .succeeded)
        XCTAssertTrue(eval.result?.contains("\"strict\"") == true, eval.result ?? "no result")
        XCTAssertEqual(eval.arguments, ["--pred", "teacher", "--gold", "gold", "--split", "holdout:test"])
        // Cancel the command-line job from the panel: the flag in its row and SIGTERM to its process.
        try tui.keys("X")
        try tui.waitFor("Cancel job \(external) (teach)? y cancels it")
        try tui.keys("y")
        try tui.waitFor("asked job \(external) to stop")
        sleeper.waitUntilExit()
        XCTAssertEqual(sleeper.terminationReason, .uncaughtSignal)
        XCTAssertEqual(sleeper.terminationStatus, SIGTERM)
        XCTAssertTrue(try store.isCancelRequested(external))
        // Its process is gone without finishing the row: the panel says so.
        try tui.waitFor("#\(external) teach lost")
        try tui.keys("q")
        try tui.waitFor("VIGIL-EXITED 0")
    }

    func testAFailingJobShowsItsProcessMessage() throws {
        // The demo corpus has no curated decisions yet, so `:train` (source curated) has nothing to learn from.
        let tui = try open()
        try tui.keys(":")
        try tui.type("train")
        try tui.keys("Enter")
        try tui.waitFor("train failed")
        let job = try XCTUnwrap(try CorpusStore(path: db).jobs().first { $0.kind == "train" })
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.error?.contains("no labelled (sentence, drug) items from source curated") == true,
                      job.error ?? "no error")
        // J: the job's details, its error whole (issue 26 item 7).
        try tui.keys("J")
        try tui.waitFor("Job \(job.id) · other keys close")
        try tui.waitFor("no labelled (sentence, drug) items from source curated")
        try tui.keys("Escape")
        try tui.keys("q")
        try tui.waitFor("VIGIL-EXITED 0")
    }

    func testResizeAtAnyTimeAndATooSmallTerminal() throws {
        let tui = try open()
        try tui.resize(width: 50, height: 12)
        try tui.waitFor("Terminal too small: 50×12")
        try tui.resize(width: 100, height: 30)
        try tui.waitFor("Item 1/")
        try tui.keys("q")
        try tui.waitFor("VIGIL-EXITED 0")
    }

    func testSIGTERMRestoresTheTerminal() throws {
        let tui = try open()
        let shell = try XCTUnwrap(try tui.panePID())
        let (_, children) = try runProgram("/usr/bin/pgrep", ["-P", String(shell)])
        let pid = try XCTUnwrap(children.split(separator: "\n").compactMap { Int32($0) }.first, "no vigil process")
        Foundation.kill(pid, SIGTERM)
        let screen = try tui.waitFor("VIGIL-EXITED \(128 + SIGTERM)")
        XCTAssertFalse(screen.contains("Item 1/"), "the workbench's screen is gone: the terminal was restored")
    }
}
