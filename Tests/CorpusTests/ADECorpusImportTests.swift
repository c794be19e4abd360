import Core
import GRDB
import XCTest
@testable import Corpus

/// Importing the real ADE corpus v2 from ../shared/data: the counts its documentation
/// gives, and every relation's offsets landing on its text.
final class ADECorpusImportTests: XCTestCase {
    nonisolated(unsafe) static var shared: (store: CorpusStore, directory: String)?

    /// One import shared by the tests of this class (it is the slow part).
    private func importedCorpus() throws -> (store: CorpusStore, directory: String) {
        if let shared = Self.shared { return shared }
        let corpus = try adeCorpusDirectory()
        let directory = NSTemporaryDirectory() + "vigil-ade-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try CorpusStore(path: directory + "/vigil.sqlite", create: true)
        _ = try store.ingest(try ADECorpusFormat.read(path: corpus), into: .gold)
        Self.shared = (store, corpus)
        return (store, corpus)
    }

    override class func tearDown() {
        if let path = shared?.store.path {
            try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
        }
        shared = nil
    }

    func testCountsMatchTheCorpusDocumentation() throws {
        let stats = try importedCorpus().store.stats()
        XCTAssertEqual(stats.sentences, 20_960)
        XCTAssertEqual(stats.sentencesWithADE, 4_272)
        XCTAssertEqual(stats.sentences - stats.sentencesWithADE, 16_688, "distinct NEG lines")
        XCTAssertEqual(stats.drugMentions, 5_063)
        XCTAssertEqual(stats.ade["gold"], 6_821, "one annotation per relation line")
        XCTAssertEqual(stats.documents, 2_972, "PMIDs over DRUG-AE.rel and ADE-NEG.txt")
    }

    func testLexiconBystandersFindTheGoldNamesAgain() throws {
        let store = try importedCorpus().store
        let found = try store.addGoldBystanders(dryRun: true) // a dry run: the shared import stays as it is
        XCTAssertEqual(found.count, 323)
        XCTAssertEqual(Set(found.map(\.sentenceID)).count, 292)
        XCTAssertTrue(found.allSatisfy { $0.text.unicodeScalars.count >= Bystanders.minimumLength })
    }

    func testEveryRelationLandsOnItsTextAtSentenceOffsets() throws {
        let (store, corpus) = try importedCorpus()
        let lines = try String(contentsOfFile: corpus + "/DRUG-AE.rel", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
        // Every relation line must be found as exactly one stored (drug, ADE) pair whose spans
        // cover the line's strings, at offsets doc_offset - sentence start.
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.pmid, s.text, s.doc_offset, a.start, a."end", a.text, m.start, m."end", m.text
                FROM ade a JOIN sentence s ON s.id = a.sentence_id JOIN drug_mention m ON m.id = a.drug_mention_id
                JOIN document d ON d.id = s.document_id
                """)
        }
        XCTAssertEqual(rows.count, lines.count)
        var stored: Set<String> = []
        for row in rows {
            let text = ScalarText(row[1])
            let ae = Span(row[3], row[4]), drug = Span(row[6], row[7])
            XCTAssertEqual(text[ae], row[5] as String)
            XCTAssertEqual(text[drug], row[8] as String)
            let offset: Int = row[2]
            let pmid: String = row[0]
            let sentence: String = row[1]
            stored.insert("\(pmid)|\(sentence)|\(row[5] as String)|\(ae.start + offset)|\(ae.end + offset)|\(row[8] as String)|\(drug.start + offset)|\(drug.end + offset)")
        }
        // Mentions are stored without surrounding whitespace (' minocycline' and 'anaphylaxis ').
        func trimmedLine(_ line: Substring) -> String {
            var f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            for (text, begin, end) in [(2, 3, 4), (5, 6, 7)] {
                let lead = f[text].prefix(while: { $0 == " " }).count
                let trail = f[text].reversed().prefix(while: { $0 == " " }).count
                f[text] = f[text].trimmingCharacters(in: .whitespaces)
                f[begin] = String(Int(f[begin])! + lead)
                f[end] = String(Int(f[end])! - trail)
            }
            return f.joined(separator: "|")
        }
        XCTAssertEqual(lines.filter { $0.contains("| minocycline|") || $0.contains("|anaphylaxis |") }.count, 2)
        XCTAssertEqual(stored, Set(lines.map(trimmedLine)), "each relation line is reproduced with its document offsets")
    }

    func testRepeatedStringsKeepTheirOwnOffsets() throws {
        // PMID 10452772 mentions "insulin" at two document offsets (745 and 846).
        let (store, _) = try importedCorpus()
        let starts = try store.pool.read { db in
            try Int.fetchAll(db, sql: """
                SELECT m.start + s.doc_offset FROM drug_mention m JOIN sentence s ON s.id = m.sentence_id
                JOIN document d ON d.id = s.document_id WHERE d.pmid = '10452772' AND m.text = 'insulin' ORDER BY 1
                """)
        }
        XCTAssertTrue(starts.contains(745) && starts.contains(846), "found \(starts)")
    }

    func testReimportChangesNothing() throws {
        let (store, corpus) = try importedCorpus()
        let before = try store.stats()
        let again = try store.ingest(try ADECorpusFormat.read(path: corpus), into: .gold)
        XCTAssertTrue(again.alreadyImported)
        let after = try store.stats()
        XCTAssertEqual(after.sentences, before.sentences)
        XCTAssertEqual(after.ade, before.ade)
    }

    func testSpertSplitsAssignEveryPositiveSentenceToOneFold() throws {
        let (store, _) = try importedCorpus()
        let directory = try spertDirectory()
        let folds = try SpertSplits.readTestFolds(directory: directory)
        XCTAssertEqual(folds.count, 10)
        let assignment = try SpertSplits.assignment(folds: folds, byCompactText: try store.sentenceIDsByCompactText(),
                                                    directory: directory)
        XCTAssertEqual(assignment.count, 4_272)
        let sizes = Dictionary(grouping: assignment.values, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(sizes["fold0"], 427)
        XCTAssertEqual(sizes["fold9"], 429)
        try store.saveSplit(name: "spert", method: "spert", seed: nil, assignment: assignment, replace: true)
        // Fold 0 holds 666 relations (the split file's count).
        let pairs = try store.pairs(in: try store.layer(.gold), sentences: .split(name: "spert", parts: ["fold0"]))
        XCTAssertEqual(pairs.count, 666)
    }
}
