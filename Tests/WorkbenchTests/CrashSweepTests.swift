import Corpus
import Foundation
import GRDB
import TestServers
import XCTest

/// Crash sweeps (issue 24): `vigil import`, `vigil teach` (against the loopback chat server),
/// `vigil train` (the tiny BERT, one epoch) and the workbench (in tmux) are killed with SIGKILL
/// at many points spread over a run; after every kill the corpus passes `PRAGMA
/// integrity_check`, holds no partial import, teacher sentence, student layer or model version,
/// and keeps every decision the workbench showed as saved. Then the command is run again to the
/// end, which must still work on the killed corpus.
///
/// Slow (minutes): `make test-long` runs them (VIGIL_LONG_TESTS=1); `make test` skips them.
/// VIGIL_SWEEP_KILLS sets the evenly spread kill points per command (default 24, plus 6 near
/// the end; at least 20 must land on a running process). The figures of each sweep are printed as `crash sweep ...` lines.
final class CrashSweepTests: XCTestCase {
    var directory = ""
    var kills: Int { Int(ProcessInfo.processInfo.environment["VIGIL_SWEEP_KILLS"] ?? "") ?? 24 }
    /// Kills that must land on a running process: 20 of the default 24 + 6 (the last points
    /// may come after a faster run has ended).
    var minimumHits: Int { kills * 5 / 6 }
    private var tinyBERT: String { packageRoot.appendingPathComponent("Tests/StudentTests/Fixtures/tiny-bert").path }

    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["VIGIL_LONG_TESTS"] == "1" else {
            throw XCTSkip("SKIPPED: the crash sweeps take minutes; run them with make test-long (VIGIL_LONG_TESTS=1)")
        }
        guard FileManager.default.isExecutableFile(atPath: vigilBinary.path) else {
            throw XCTSkip("SKIPPED: the vigil binary is not built at \(vigilBinary.path) (swift build)")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        directory = url.path
    }

    // MARK: Helpers

    /// Starts `vigil ARGS --db DB` with its output thrown away.
    func launch(_ arguments: [String], db: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = vigilBinary
        process.arguments = arguments + ["--db", db]
        var env = ProcessInfo.processInfo.environment
        env["VIGIL_CONFIG"] = directory + "/config.toml"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = packageRoot
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `vigil ARGS --db DB` to the end and fails the test unless it succeeds.
    func vigil(_ arguments: [String], db: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let process = try launch(arguments, db: db)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "vigil \(arguments.joined(separator: " "))", file: file, line: line)
    }

    /// The seconds a full run of `arguments` takes on a fresh copy of `base` (the faster of two).
    func timedRun(_ arguments: [String], base: String?, db: String, cleanUp: () -> Void = {}) throws -> Double {
        try (0..<2).map { _ in
            try copyCorpus(base, to: db)
            cleanUp()
            let started = Date()
            try vigil(arguments, db: db)
            return Date().timeIntervalSince(started)
        }.min()!
    }

    /// The kill delays: `kills` points spread evenly over (2%, 92%) of a run of `seconds`, then
    /// 6 more in its last 8%, where the model folder and model version are written.
    func killDelays(_ seconds: Double) -> [Double] {
        let spread: [Double] = (0..<kills).map { i in seconds * (0.02 + 0.90 * (Double(i) + 0.5) / Double(kills)) }
        let end: [Double] = (0..<6).map { i in seconds * (0.93 + 0.013 * Double(i)) }
        return spread + end
    }

    /// Starts `arguments`, SIGKILLs it after `delay` seconds; true when it was still running.
    /// With `trigger`, the kill comes as soon as it holds instead (polled every 0.5 ms, `delay`
    /// is then the longest wait).
    func killRun(_ arguments: [String], db: String, after delay: Double, when trigger: (() -> Bool)? = nil) throws -> Bool {
        let process = try launch(arguments, db: db)
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning, Date() < deadline, !(trigger?() ?? false) { usleep(trigger == nil ? 2_000 : 500) }
        let hit = process.isRunning
        if hit { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return hit
    }

    /// Replaces `db` (and its -wal/-shm) with a copy of `base`'s, or removes it when `base` is nil.
    func copyCorpus(_ base: String?, to db: String) throws {
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm", "-lock"] {
            try? fm.removeItem(atPath: db + suffix)
            if let base, fm.fileExists(atPath: base + suffix) { try fm.copyItem(atPath: base + suffix, toPath: db + suffix) }
        }
    }

    /// `PRAGMA integrity_check` and `foreign_key_check` of the corpus at `db`, read without migrating it.
    func assertIntact(_ db: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let queue = try DatabaseQueue(path: db)
        let (integrity, foreign) = try queue.read { db in
            (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try Row.fetchAll(db, sql: "PRAGMA foreign_key_check"))
        }
        XCTAssertEqual(integrity, ["ok"], "integrity_check \(context)", file: file, line: line)
        XCTAssertEqual(foreign.count, 0, "foreign_key_check \(context): \(foreign)", file: file, line: line)
    }

    /// The integer that `sql` counts in the corpus at `db` (0 when the table does not exist yet).
    func count(_ db: String, _ sql: String) throws -> Int {
        let queue = try DatabaseQueue(path: db)
        return try queue.read { db in
            guard try db.tableExists("sentence") else { return 0 }
            return try Int.fetchOne(db, sql: sql) ?? 0
        }
    }

    func report(_ command: String, hits: Int, points: Int, seconds: Double, checked: String) {
        print(String(format: "crash sweep %@: %d kills of a running process (%d points over a %.2f s run); checked: %@",
                     command, hits, points, seconds, checked))
    }

    /// `sentences` sentences, each naming one drug with one ADE, as Vigil JSONL.
    func writeJSONL(_ path: String, sentences: Int) throws {
        var text = ""
        for i in 0..<sentences {
            let sentence = "Drug\(i)mab was followed by rash\(i) on day \(i)."
            let drug = "Drug\(i)mab", ade = "rash\(i)"
            let ds = 0, de = drug.count, rs = sentence.range(of: ade)!.lowerBound.utf16Offset(in: sentence)
            text += #"{"doc": "sweep:\#(i / 10)", "text": "\#(sentence)", "drugs": [{"start": \#(ds), "end": \#(de), "#
                + #""text": "\#(drug)", "name": "\#(drug.lowercased())", "ades": [{"start": \#(rs), "end": \#(rs + ade.count), "text": "\#(ade)"}]}]}"#
                + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: Sweeps

    /// `vigil import jsonl` of 3,000 sentences: after a kill the corpus holds all of the import
    /// or none of it (sentences, mentions, gold ADEs and items, the import log row), and the
    /// same import then completes.
    func testImportKilledAnywhereLeavesAllOrNothing() throws {
        let input = directory + "/big.jsonl", db = directory + "/import.sqlite"
        let n = 3_000
        try writeJSONL(input, sentences: n)
        let arguments = ["import", "jsonl", input]
        let seconds = try timedRun(arguments, base: nil, db: db)
        let full = [n, n, n, n, 1]
        func counts() throws -> [Int] {
            try ["SELECT count(*) FROM sentence", "SELECT count(*) FROM drug_mention",
                 "SELECT count(*) FROM ade a JOIN layer l ON l.id = a.layer_id WHERE l.kind = 'gold'",
                 "SELECT count(*) FROM layer_item i JOIN layer l ON l.id = i.layer_id WHERE l.kind = 'gold'",
                 "SELECT count(*) FROM import_log"].map { try count(db, $0) }
        }
        XCTAssertEqual(try counts(), full, "the uninterrupted import")
        var hits = 0, empty = 0
        for (i, delay) in killDelays(seconds).enumerated() {
            try copyCorpus(nil, to: db)
            guard try killRun(arguments, db: db, after: delay) else { continue }
            hits += 1
            if FileManager.default.fileExists(atPath: db) {
                try assertIntact(db, "after kill \(i) at \(delay) s")
                let after = try counts()
                XCTAssertTrue(after == full || after == [0, 0, 0, 0, 0], "kill \(i) at \(delay) s left a partial import: \(after)")
                if after != full { empty += 1 }
            } else {
                empty += 1
            }
            try vigil(arguments, db: db)
            XCTAssertEqual(try counts(), full, "the import after kill \(i)")
        }
        XCTAssertGreaterThanOrEqual(hits, minimumHits, "kills that landed on a running import")
        report("import", hits: hits, points: kills + 6, seconds: seconds,
               checked: "integrity_check + foreign_key_check, all-or-nothing counts (\(hits - empty) whole, \(empty) none), the import again to the end")
    }

    /// `vigil teach` of 60 sentences against the loopback server: after a kill every sentence the
    /// run answered has its items and its ADE in the teacher layer and no unanswered sentence has
    /// any; `teach --resume` (or `teach` when no run was started) then completes the layer.
    func testTeachKilledAnywhereKeepsWholeSentencesAndResumes() throws {
        let input = directory + "/teach.jsonl", base = directory + "/teach-base.sqlite", db = directory + "/teach.sqlite"
        let n = 60
        try writeJSONL(input, sentences: n)
        try vigil(["import", "jsonl", input], db: base)
        let server = try LoopbackChatServer { request, _ in
            let words = (request.sentence ?? "").split(separator: " ")
            let drug = words.first.map(String.init) ?? "?"
            let ade = words.first { $0.hasPrefix("rash") }.map(String.init) ?? "?"
            return .chat("\(drug): \(ade)", delay: 0.01)
        }
        try "[teacher]\nkind = \"vllm\"\nbase_url = \"\(server.baseURL)\"\nmodel = \"loopback\"\n"
            .write(toFile: directory + "/config.toml", atomically: true, encoding: .utf8)
        let arguments = ["teach", "--concurrency", "2", "--shots", "0"]
        let seconds = try timedRun(arguments, base: base, db: db)

        /// (answered sentences, sentences with teacher items, sentences with teacher ADEs, runs)
        func state() throws -> (answered: Set<Int64>, items: [Int64: Int], ades: [Int64: Int], runs: Int) {
            try DatabaseQueue(path: db).read { db in
                let answered = Set(try Int64.fetchAll(db, sql: "SELECT sentence_id FROM teacher_answer"))
                var items: [Int64: Int] = [:], ades: [Int64: Int] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT m.sentence_id, count(*) FROM layer_item i JOIN layer l ON l.id = i.layer_id
                    JOIN drug_mention m ON m.id = i.drug_mention_id WHERE l.kind = 'teacher' GROUP BY m.sentence_id
                    """) { items[row[0]] = row[1] }
                for row in try Row.fetchAll(db, sql: """
                    SELECT a.sentence_id, count(*) FROM ade a JOIN layer l ON l.id = a.layer_id
                    WHERE l.kind = 'teacher' GROUP BY a.sentence_id
                    """) { ades[row[0]] = row[1] }
                return (answered, items, ades, try Int.fetchOne(db, sql: "SELECT count(*) FROM teacher_run") ?? 0)
            }
        }
        let complete = try state()
        XCTAssertEqual(complete.answered.count, n, "the uninterrupted run")
        XCTAssertEqual(Set(complete.ades.keys), complete.answered)
        var hits = 0, answeredAtKill: [Int] = []
        for (i, delay) in killDelays(seconds).enumerated() {
            try copyCorpus(base, to: db)
            guard try killRun(arguments, db: db, after: delay) else { continue }
            hits += 1
            try assertIntact(db, "after kill \(i) at \(delay) s")
            let after = try state()
            answeredAtKill.append(after.answered.count)
            XCTAssertEqual(Set(after.items.keys), after.answered, "kill \(i): teacher items only on answered sentences, all of them")
            XCTAssertTrue(after.items.values.allSatisfy { $0 == 1 }, "kill \(i): each answered sentence has its one item")
            XCTAssertEqual(Set(after.ades.keys), after.answered, "kill \(i): each answered sentence has its ADE")
            XCTAssertLessThanOrEqual(after.runs, 1)
            try vigil(after.runs == 0 ? arguments : ["teach", "--resume"], db: db)
            let resumed = try state()
            XCTAssertEqual(resumed.answered, complete.answered, "kill \(i): the resumed run answers every sentence")
            XCTAssertEqual(resumed.ades, complete.ades, "kill \(i): and grounds the same ADEs")
            XCTAssertEqual(resumed.runs, 1, "kill \(i): one run, resumed")
        }
        XCTAssertGreaterThanOrEqual(hits, minimumHits, "kills that landed on a running teach")
        report("teach", hits: hits, points: kills + 6, seconds: seconds,
               checked: "integrity_check + foreign_key_check, answered sentences = sentences with items = sentences with ADEs "
                   + "(answered at the kills: \(answeredAtKill.map(String.init).joined(separator: ","))), teach --resume to the same layer")
    }

    /// `vigil train` (tiny BERT, one epoch, SampleData with an 8:1:1 split): after a kill every
    /// model version has its whole student layer (an item per test mention) and its model folder
    /// complete, and no model folder is left half-written. Besides the spread points, 6 kills
    /// come the moment the staging folder or the model folder appears, a window too short to hit by time.
    func testTrainKilledAnywhereLeavesNoPartialModelVersion() throws {
        let base = directory + "/train-base.sqlite", db = directory + "/train.sqlite", out = directory + "/student"
        try vigil(["import", "jsonl", packageRoot.appendingPathComponent("SampleData/gold.jsonl").path], db: base)
        try vigil(["split", "--ratio", "8:1:1", "--seed", "3"], db: base)
        let arguments = ["train", "--source", "gold", "--encoder", tinyBERT, "--epochs", "1", "--lr", "1e-3", "--out", out]
        let seconds = try timedRun(arguments, base: base, db: db) { try? FileManager.default.removeItem(atPath: out) }
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        XCTAssertTrue(files.contains("model.safetensors"), "\(files)")
        let testItems = try count(db, "SELECT count(*) FROM layer_item i JOIN layer l ON l.id = i.layer_id WHERE l.kind = 'student'")
        XCTAssertGreaterThan(testItems, 0)

        func versions() throws -> [(id: Int64, path: String?, items: Int)] {
            try DatabaseQueue(path: db).read { db in
                try Row.fetchAll(db, sql: """
                    SELECT v.id, v.path, (SELECT count(*) FROM layer l JOIN layer_item i ON i.layer_id = l.id
                                          WHERE l.model_version_id = v.id) FROM model_version v
                    """).map { ($0[0], $0[1], $0[2]) }
            }
        }
        // The spread points, then 3 kills as soon as the staging folder appears (mid-save) and 3 as
        // soon as the model folder is in place (before its model version is written).
        let fm = FileManager.default, parent = directory
        let staging: () -> Bool = { ((try? fm.contentsOfDirectory(atPath: parent)) ?? []).contains { $0.hasPrefix("student.training-") } }
        let placed: () -> Bool = { fm.fileExists(atPath: out) }
        let points: [(delay: Double, trigger: (() -> Bool)?)] = killDelays(seconds).map { ($0, nil) }
            + Array(repeating: (seconds * 3, staging), count: 3) + Array(repeating: (seconds * 3, placed), count: 3)
        func removeStaging() -> Int {
            let left = ((try? fm.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix("student.training-") }
            for name in left { try? fm.removeItem(atPath: parent + "/" + name) }
            return left.count
        }
        var hits = 0, withVersion = 0, withFolder = 0, leftStaging = 0
        for (i, (delay, trigger)) in points.enumerated() {
            try copyCorpus(base, to: db)
            try? FileManager.default.removeItem(atPath: out)
            _ = removeStaging()
            let hit = try killRun(arguments, db: db, after: delay, when: trigger)
            leftStaging += removeStaging() > 0 ? 1 : 0
            guard hit else { continue }
            hits += 1
            try assertIntact(db, "after kill \(i) at \(delay) s")
            let studentLayers = try count(db, "SELECT count(*) FROM layer WHERE kind = 'student'")
            let all = try versions()
            XCTAssertEqual(studentLayers, all.count, "kill \(i): a student layer per model version")
            for version in all {
                XCTAssertEqual(version.items, testItems, "kill \(i): model version \(version.id) has its whole layer")
                let path = try XCTUnwrap(version.path)
                XCTAssertEqual(Set((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []), files,
                               "kill \(i): model version \(version.id)'s folder is whole")
            }
            withVersion += all.isEmpty ? 0 : 1
            if FileManager.default.fileExists(atPath: out) {
                withFolder += 1
                XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: out)), files,
                               "kill \(i) at \(delay) s: the model folder is whole or absent")
            }
        }
        try copyCorpus(base, to: db)
        try? FileManager.default.removeItem(atPath: out)
        try vigil(arguments, db: db)
        XCTAssertGreaterThanOrEqual(hits, minimumHits, "kills that landed on a running train")
        report("train", hits: hits, points: points.count, seconds: seconds,
               checked: "integrity_check + foreign_key_check, every model version with its whole student layer (\(testItems) items) "
                   + "and folder (\(withVersion) kills after a version was written, \(withFolder) with the folder in place, "
                   + "6 of the kills when the staging or model folder appeared; \(leftStaging) kills left a staging folder), "
                   + "no half-written model folder, train again to the end")
    }

    /// The workbench in tmux on the demo corpus: decisions are made with Enter and 0, the screen
    /// is read for each `saved S/M: STATE`, and the process is SIGKILLed at a random moment after
    /// a key (mid-save included). After every kill each decision shown as saved is in the
    /// corpus with the state shown, and the workbench opens again where it was.
    func testWorkbenchKilledAnywhereKeepsEveryDecisionShownAsSaved() throws {
        guard TmuxSession.tmux != nil else { throw XCTSkip("SKIPPED: tmux is not installed (apt-get install tmux)") }
        let (status, _) = try runProgram(vigilBinary.path, ["demo", "--dir", directory, "--no-tui", "--sample-data",
                                                             packageRoot.appendingPathComponent("SampleData").path])
        XCTAssertEqual(status, 0, "vigil demo --no-tui")
        let db = directory + "/vigil.sqlite"
        var shown: [String: String] = [:] // "S/M" -> state, every decision the screen showed as saved
        let pattern = try NSRegularExpression(pattern: #"saved ([0-9]+)/([0-9]+): ([a-z-]+)"#)
        func record(_ screen: String) {
            for match in pattern.matches(in: screen, range: NSRange(screen.startIndex..., in: screen)) {
                let s = (screen as NSString).substring(with: match.range(at: 1)), m = (screen as NSString).substring(with: match.range(at: 2))
                shown["\(s)/\(m)"] = (screen as NSString).substring(with: match.range(at: 3))
            }
        }
        var random = SystemRandomNumberGenerator()
        var hits = 0
        let started = Date()
        for i in 0..<kills {
            let command = "cd \(packageRoot.path) && VIGIL_CONFIG=/nonexistent/config.toml exec \(vigilBinary.path) tui --db \(db) --as sweep"
            let session = try TmuxSession(self, command: command)
            try session.waitFor("Item ", timeout: 30)
            let pid = try XCTUnwrap(try session.panePID())
            // A few decisions seen through, then one more key and the kill at a random moment after it.
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                let before = session.capture()
                try session.keys(Bool.random(using: &random) ? "Enter" : "0")
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline {
                    let screen = session.capture()
                    if screen != before, screen.contains("saved ") { record(screen); break }
                    usleep(20_000)
                }
            }
            try session.keys(Bool.random(using: &random) ? "Enter" : "0")
            usleep(UInt32.random(in: 0...150_000, using: &random))
            record(session.capture())
            guard kill(pid, SIGKILL) == 0 else { session.kill(); continue }
            hits += 1
            var waited = 0
            while kill(pid, 0) == 0, waited < 500 { usleep(10_000); waited += 1 }
            session.kill()
            try assertIntact(db, "after workbench kill \(i)")
            let store = try CorpusStore(path: db)
            for (key, state) in shown {
                let parts = key.split(separator: "/").compactMap { Int64($0) }
                let status = try store.reviewStatus(ItemKey(sentenceID: parts[0], drugMentionID: parts[1]))
                XCTAssertEqual(status.state.rawValue, state, "kill \(i): \(key) was shown saved as \(state)")
            }
        }
        XCTAssertGreaterThanOrEqual(hits, minimumHits, "kills of a running workbench")
        XCTAssertGreaterThan(shown.count, hits / 2, "decisions shown as saved")
        report("workbench", hits: hits, points: kills, seconds: Date().timeIntervalSince(started) / Double(max(1, kills)),
               checked: "integrity_check + foreign_key_check, all \(shown.count) decisions shown as saved still there with their state, reopened each time")
    }
}
