import Core
import Corpus
import Foundation
import XCTest

/// Team curation from the command line: curators, assignment, blind answers, agreement,
/// adjudication into the curated layer, and four curators writing at once.
final class TeamCLITests: XCTestCase {
    /// SampleData's gold layer with ana and ben (curators) and dana (adjudicator).
    private func teamCLI() throws -> CLIHarness {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["curators", "add", "ana"])
        try cli.ok(["curators", "add", "ben"])
        try cli.ok(["curators", "add", "dana", "--role", "adjudicator"])
        return cli
    }

    /// Items assigned to each curator, read from the store.
    private func assignments(_ cli: CLIHarness) throws -> [String: [ItemKey]] {
        var result: [String: [ItemKey]] = [:]
        let store = try CorpusStore(path: cli.db)
        for name in ["ana", "ben", "cy", "dee"] { result[name] = try store.queueEntries(curator: name).map(\.item) }
        return result
    }

    private func goldSpans(_ cli: CLIHarness, _ item: ItemKey) throws -> [Span] {
        let store = try CorpusStore(path: cli.db)
        return try store.pairs(in: try store.layer(.gold)).filter { $0.drug.mentionID == item.drugMentionID }.map(\.span).sorted()
    }

    func testTwoCuratorsOverlapAgreeDisagreeAndAnAdjudicatorResolves() throws {
        let cli = try teamCLI()
        let refused = try cli.run(["assign", "--curators", "ana,bne", "--overlap", "0.3"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("'bne' is not a curator"), refused.stderr)
        XCTAssertNotEqual(try cli.run(["assign", "--curators", "ana,ben", "--overlap", "1.2"]).status, 0)
        let assigned = try cli.ok(["assign", "--curators", "ana,ben", "--overlap", "0.3", "--seed", "5"])
        XCTAssertTrue(assigned.contains("assigned"), assigned)
        XCTAssertTrue(try cli.ok(["assign", "--show"]).contains("ana"))

        let queues = try assignments(cli)
        let shared = Array(Set(queues["ana"]!).intersection(queues["ben"]!)).sorted { $0.drugMentionID < $1.drugMentionID }
        XCTAssertGreaterThanOrEqual(shared.count, 3)
        // Shared items: both accept gold's spans on the first two; on the third ana accepts gold, ben says no ADE.
        let withADE = try shared.filter { try !goldSpans(cli, $0).isEmpty }
        XCTAssertGreaterThanOrEqual(withADE.count, 3, "SampleData has ADEs on most items")
        let (agreed1, agreed2, disputed) = (withADE[0], withADE[1], withADE[2])
        for item in [agreed1, agreed2, disputed] {
            let spans = try goldSpans(cli, item).flatMap { ["--span", "\($0.start):\($0.end)"] }
            try cli.ok(["review", "set", "\(item)", "--state", "accepted", "--as", "ana"] + spans)
            if item != disputed { try cli.ok(["review", "set", "\(item)", "--state", "accepted", "--as", "ben"] + spans) }
        }
        try cli.ok(["review", "set", "\(disputed)", "--state", "no-ade", "--as", "ben"])
        let notMine = try XCTUnwrap(queues["ben"]!.first { !queues["ana"]!.contains($0) })
        let stolen = try cli.run(["review", "set", "\(notMine)", "--state", "no-ade", "--as", "ana"])
        XCTAssertNotEqual(stolen.status, 0)
        XCTAssertTrue(stolen.stderr.contains("assigned to other curators"), stolen.stderr)

        // Worked independently: 3 shared items; ana's pairs are gold's on all three, ben's on two.
        let goldPairs = try [agreed1, agreed2, disputed].map { try goldSpans(cli, $0).count }
        let tp = Double(goldPairs[0] + goldPairs[1]), anaPairs = Double(goldPairs.reduce(0, +))
        let expectedF1 = 2 * tp / (anaPairs + tp)
        let agreement = try cli.json(["agreement", "--json"])
        let pairs = try XCTUnwrap(agreement["pairs"] as? [[String: Any]])
        XCTAssertEqual(pairs.count, 1)
        XCTAssertEqual(pairs[0]["items"] as? Int, 3)
        XCTAssertEqual(try XCTUnwrap(pairs[0]["strict_f1"] as? Double), expectedF1, accuracy: 1e-9)
        XCTAssertEqual(pairs[0]["disagreements"] as? Int, 1)
        // has-ADE labels, ana 1 1 1, ben 1 1 0: one label for ana, so p_e = p_b1 = 2/3 and kappa = (2/3 - 2/3) / (1/3) = 0.
        XCTAssertEqual(try XCTUnwrap(pairs[0]["kappa"] as? Double), 0, accuracy: 1e-9)
        let text = try cli.ok(["agreement"])
        XCTAssertTrue(text.contains("ana – ben"), text)
        XCTAssertTrue(text.contains("Krippendorff"), text)

        let list = try cli.ok(["adjudicate", "--list"])
        XCTAssertTrue(list.hasPrefix("\(disputed)"), list)
        let notAdjudicator = try cli.run(["adjudicate", "\(disputed)", "--take", "ana", "--as", "ben"])
        XCTAssertTrue(notAdjudicator.stderr.contains("not an adjudicator"), notAdjudicator.stderr)
        let notDisputed = try cli.run(["adjudicate", "\(agreed1)", "--take", "ana", "--as", "dana"])
        XCTAssertTrue(notDisputed.stderr.contains("not disputed"), notDisputed.stderr)

        func curatedHas(_ item: ItemKey) throws -> [Span]? {
            try cli.ok(["export", "--format", "jsonl", "--layer", "curated", "--out", cli.path("curated.jsonl")])
            for line in try String(contentsOfFile: cli.path("curated.jsonl"), encoding: .utf8).split(separator: "\n") {
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                guard object["id"] as? Int == Int(item.sentenceID) else { continue }
                for drug in object["drugs"] as? [[String: Any]] ?? [] where drug["mention"] as? Int == Int(item.drugMentionID) {
                    return (drug["ades"] as? [[String: Any]] ?? []).map { Span($0["start"] as! Int, $0["end"] as! Int) }.sorted()
                }
            }
            return nil
        }
        XCTAssertNil(try curatedHas(disputed), "a disputed item is left out of the curated layer")
        XCTAssertEqual(try curatedHas(agreed1), try goldSpans(cli, agreed1))
        XCTAssertTrue(try cli.ok(["stats"]).contains("1 disputed item"))

        try cli.ok(["adjudicate", "\(disputed)", "--take", "ana", "--as", "dana", "--note", "ben missed it"])
        XCTAssertEqual(try curatedHas(disputed), try goldSpans(cli, disputed), "the ruling is in the curated layer")
        XCTAssertEqual(try cli.ok(["adjudicate", "--list"]).trimmingCharacters(in: .whitespacesAndNewlines), "no disputed items")
        XCTAssertTrue(try cli.ok(["review", "log", "\(disputed)"]).contains("dana"))

        try cli.ok(["export", "--format", "jsonl", "--curator", "ben", "--out", cli.path("ben.jsonl")])
        let bens = try String(contentsOfFile: cli.path("ben.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(bens.count, 3, "ben decided three items, each in its own sentence line")
        XCTAssertNotEqual(try cli.run(["export", "--format", "jsonl", "--curator", "nobody", "--out", cli.path("x.jsonl")]).status, 0)

        let curators = try cli.ok(["curators"])
        XCTAssertTrue(curators.contains("adjudicator"), curators)
        try cli.ok(["review", "undo", "--as", "dana"])
        XCTAssertNil(try curatedHas(disputed), "the ruling is undoable")
    }

    /// Four curators deciding at once from separate processes, with a teacher job and a
    /// training job writing the same file and a reader polling it: every decision is
    /// recorded and nobody sees "database is locked".
    func testFourCuratorsAndTwoJobsWriteAtOnceAndLoseNothing() throws {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["split", "--ratio", "8:1:1", "--seed", "3"])
        let names = ["ana", "ben", "cy", "dee"]
        for name in names { try cli.ok(["curators", "add", name]) }
        try cli.ok(["assign", "--curators", names.joined(separator: ","), "--overlap", "0.25", "--seed", "2"])
        let queues = try assignments(cli)
        let perCurator = 25
        for name in names { XCTAssertGreaterThanOrEqual(queues[name]!.count, perCurator) }

        let binary = vigilBinary.path
        var scripts: [String] = []
        for name in names {
            let lines = queues[name]!.prefix(perCurator).map { "\"\(binary)\" review set \($0) --state no-ade --as \(name) || exit 1" }
            scripts.append(lines.joined(separator: "\n"))
        }
        let tiny = packageRoot.appendingPathComponent("Tests/StudentTests/Fixtures/tiny-bert").path
        scripts.append("\"\(binary)\" teach --teacher replay:\(sample("teacher-replay.jsonl")) > /dev/null")
        scripts.append("\"\(binary)\" train --source gold --encoder \"\(tiny)\" --epochs 1 --out \"\(cli.path("model"))\" > /dev/null")
        scripts.append("for i in $(seq 1 30); do \"\(binary)\" stats --json > /dev/null || exit 1; done")
        let results = try cli.runScriptsAtOnce(scripts)
        let errors = results.map(\.stderr)
        XCTAssertEqual(results.map(\.status), Array(repeating: 0, count: scripts.count), errors.joined(separator: "\n"))
        XCTAssertFalse(errors.joined().contains("locked"), errors.joined(separator: "\n"))
        let store = try CorpusStore(path: cli.db)
        let events = try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM review_event WHERE author NOT LIKE 'import:%'") }
        XCTAssertEqual(events, names.count * perCurator, "every decision recorded")
        for name in names {
            XCTAssertEqual(try store.queueEntries(curator: name).prefix(perCurator).filter { $0.state == .noADE }.count, perCurator)
        }
        XCTAssertEqual(try store.jobs().map(\.state), [.succeeded, .succeeded], "the teacher and training jobs finished")
    }
}
