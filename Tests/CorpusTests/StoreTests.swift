import Core
import GRDB
import XCTest
@testable import Corpus

/// The corpus store: layers, atomic and idempotent imports, invariants as constraints.
final class StoreTests: XCTestCase {
    /// Two sentences of one document: "Warfarin caused bleeding and aspirin caused none."
    /// and a second with a nested span.
    static func smallBatch(sha: String = "sha-small") -> ImportBatch {
        let s1 = "Warfarin caused severe bleeding; aspirin was continued."
        let s2 = "Codeine intoxication followed codeine use in a child."
        return ImportBatch(format: "test", path: "small.test", sha256: sha, sentences: [
            .init(documentKey: "doc:1", text: s1, drugs: [
                .init(span: Span(0, 8), text: "Warfarin", normalized: "warfarin",
                      ades: [.init(span: Span(16, 31), text: "severe bleeding"), .init(span: Span(23, 31), text: "bleeding")]),
                .init(span: Span(33, 40), text: "aspirin", normalized: "aspirin"),
            ]),
            .init(documentKey: "doc:1", text: s2, drugs: [
                .init(span: Span(0, 7), text: "Codeine", normalized: "codeine",
                      ades: [.init(span: Span(0, 20), text: "Codeine intoxication")]),
                .init(span: Span(30, 37), text: "codeine", normalized: "codeine"),
            ]),
        ])
    }

    func testFreshStoreHasGoldAndCuratedLayersAndAVersionedSchema() throws {
        let store = try temporaryStore(self)
        XCTAssertEqual(try store.layers().map(\.description), ["gold", "curated"])
        let applied = try store.appliedMigrations()
        XCTAssertEqual(applied, Schema.migrator.migrations, "every registered migration ran, in order")
        XCTAssertEqual(applied.first, "v1-corpus")
        XCTAssertEqual(applied, ["v1-corpus", "v2-teacher", "v3-student", "v4-lexicon", "v5-pubmed", "v6-job-reliability", "v7-team", "v8-answer-spans", "v9-concepts"])
        let mode = try store.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        let fk = try store.pool.read { try Bool.fetchOne($0, sql: "PRAGMA foreign_keys") }
        XCTAssertEqual(fk, true)
    }

    /// A mistyped path must not become an empty corpus (issue 26 item 4): only `create: true`
    /// (import, demo) makes the file.
    func testOpeningAMissingCorpusIsAnErrorNamingThePathAndCreatesNothing() throws {
        let path = (try temporaryDirectory(self) as NSString).appendingPathComponent("typo.sqlite")
        XCTAssertThrowsError(try CorpusStore(path: path)) { error in
            XCTAssertEqual(error as? CorpusError, .noCorpus(path: path))
            XCTAssertTrue("\(error)".contains(path), "\(error)")
            XCTAssertTrue("\(error)".contains("vigil import"), "\(error)")
        }
        for suffix in ["", "-wal", "-shm", "-lock"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path + suffix), "\(path + suffix) was created")
        }
        _ = try CorpusStore(path: path, create: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try CorpusStore(path: path).layers().map(\.description), ["gold", "curated"],
                       "an existing corpus opens without create")
    }

    /// Every open store holds the shared lock beside its file, so `vigil demo` (the exclusive
    /// lock) can tell that a corpus is open somewhere (issue 26 item 2).
    func testAnOpenStoreHoldsTheSharedLockUntilItIsReleased() throws {
        var store: CorpusStore? = try temporaryStore(self)
        let path = try XCTUnwrap(store?.path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: CorpusLock.path(for: path)))
        XCTAssertNil(try ExclusiveCorpusLock(corpus: path), "open: no exclusive lock")
        var second: CorpusStore? = try CorpusStore(path: path)
        XCTAssertNotNil(second, "shared locks do not exclude each other")
        store = nil
        XCTAssertNil(try ExclusiveCorpusLock(corpus: path), "still open in the second store")
        second = nil
        XCTAssertNotNil(try ExclusiveCorpusLock(corpus: path), "closed everywhere: the exclusive lock is free")
    }

    func testIngestWritesSentencesMentionsAndLayerAnnotations() throws {
        let store = try temporaryStore(self)
        let summary = try store.ingest(Self.smallBatch(), into: .gold)
        XCTAssertEqual(summary.documents, 1)
        XCTAssertEqual(summary.sentences, 2)
        XCTAssertEqual(summary.drugMentions, 4)
        XCTAssertEqual(summary.ades, 3)
        let stats = try store.stats()
        XCTAssertEqual(stats.ade["gold"], 3)
        XCTAssertEqual(stats.sentencesWithADE, 2)
        XCTAssertEqual(stats.review["pending"], 4)
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        XCTAssertEqual(views.map(\.text), Self.smallBatch().sentences.map(\.text), "document order kept")
        XCTAssertEqual(views[0].drugs[1].ades, [], "aspirin is a drug with no ADE")
    }

    func testReimportingTheSameContentChangesNothing() throws {
        let store = try temporaryStore(self)
        _ = try store.ingest(Self.smallBatch(), into: .gold)
        let before = try store.stats()
        let again = try store.ingest(Self.smallBatch(), into: .gold)
        XCTAssertTrue(again.alreadyImported)
        // Even under another content hash, keys by content add nothing.
        let renamed = try store.ingest(Self.smallBatch(sha: "other"), into: .gold)
        XCTAssertEqual(renamed.sentences + renamed.drugMentions + renamed.ades, 0)
        XCTAssertEqual(renamed.sentencesAlreadyPresent, 2)
        let after = try store.stats()
        XCTAssertEqual(after.sentences, before.sentences)
        XCTAssertEqual(after.drugMentions, before.drugMentions)
        XCTAssertEqual(after.ade, before.ade)
    }

    func testAFailingIngestLeavesTheCorpusAsItWas() throws {
        let store = try temporaryStore(self)
        _ = try store.ingest(Self.smallBatch(), into: .gold)
        let before = try store.stats()
        var bad = Self.smallBatch(sha: "bad")
        bad.sentences.insert(.init(documentKey: "doc:2", text: "Heparin was given."), at: 0)
        // The last drug's span does not cover its text: the schema's trigger refuses it.
        bad.sentences.append(.init(documentKey: "doc:3", text: "Lithium toxicity.", drugs: [
            .init(span: Span(0, 7), text: "Lithiun", normalized: "lithium")]))
        XCTAssertThrowsError(try store.ingest(bad, into: .gold))
        let after = try store.stats()
        XCTAssertEqual(after.sentences, before.sentences)
        XCTAssertEqual(after.documents, before.documents)
    }

    func testTeacherImportsCreateRunsAndLatestIsAddressable() throws {
        let store = try temporaryStore(self)
        _ = try store.ingest(Self.smallBatch(), into: .gold)
        let first = try store.ingest(Self.smallBatch(sha: "t1"), into: LayerRef(.teacher))
        let second = try store.ingest(Self.smallBatch(sha: "t2"), into: LayerRef(.teacher))
        XCTAssertEqual(first.layer, "teacher:1")
        XCTAssertEqual(second.layer, "teacher:2")
        XCTAssertEqual(try store.layer(LayerRef(.teacher)).description, "teacher:2")
        XCTAssertEqual(try store.layer(LayerRef(.teacher, version: 1)).version, 1)
        XCTAssertThrowsError(try store.layer(LayerRef(.teacher, version: 9))) {
            XCTAssertEqual($0 as? CorpusError, .unknownLayer("teacher:9"))
        }
        XCTAssertThrowsError(try store.layer(LayerRef(.student))) {
            XCTAssertEqual($0 as? CorpusError, .unknownLayer("student"))
        }
        XCTAssertEqual(try store.pairs(in: try store.layer(LayerRef(.teacher))).count, 3)
    }

    func testSentenceTextIsImmutable() throws {
        let store = try temporaryStore(self)
        _ = try store.ingest(Self.smallBatch(), into: .gold)
        XCTAssertThrowsError(try store.pool.write { db in
            try db.execute(sql: "UPDATE sentence SET text = 'changed' WHERE id = 1")
        })
    }

    func testAnADEMustSitInItsDrugMentionsSentence() throws {
        let store = try temporaryStore(self)
        _ = try store.ingest(Self.smallBatch(), into: .gold)
        XCTAssertThrowsError(try store.pool.write { db in
            // Mention 1 belongs to sentence 1; an ADE row claiming sentence 2 is refused.
            try db.execute(sql: """
                INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, "end", text, author, created_at)
                VALUES (1, 2, 1, 0, 7, 'Codeine', 't', CURRENT_TIMESTAMP)
                """)
        })
    }

    func testSplitsSelectSentencesAndRejectUnknownParts() throws {
        let store = try temporaryStore(self)
        _ = try store.ingest(Self.smallBatch(), into: .gold)
        try store.saveSplit(name: "h", method: "test", seed: 1, assignment: [1: "train", 2: "test"])
        XCTAssertEqual(try store.sentenceIDs(try SentenceSelection(parsing: "h:test")), [2])
        XCTAssertEqual(try store.sentenceIDs(try SentenceSelection(parsing: "h")), [1, 2])
        XCTAssertEqual(try store.pairs(in: try store.layer(.gold), sentences: .split(name: "h", parts: ["test"])).count, 1)
        XCTAssertThrowsError(try store.sentenceIDs(.split(name: "h", parts: ["dev"]))) {
            XCTAssertEqual($0 as? CorpusError, .unknownSplitPart(split: "h", part: "dev"))
        }
        XCTAssertThrowsError(try store.sentenceIDs(.split(name: "nope", parts: []))) {
            XCTAssertEqual($0 as? CorpusError, .unknownSplit("nope"))
        }
        XCTAssertThrowsError(try store.saveSplit(name: "h", method: "test", seed: 2, assignment: [1: "test"])) {
            XCTAssertEqual($0 as? CorpusError, .splitExists("h"))
        }
        try store.saveSplit(name: "h", method: "test", seed: 2, assignment: [1: "test"], replace: true)
        XCTAssertEqual(try store.splits().first?.parts, ["test": 1])
        XCTAssertEqual(try store.stats().splits, ["h": ["test": 1]])
    }

    func testJobsReportProgressLogsAndCancellation() throws {
        let store = try temporaryStore(self)
        let id = try store.createJob(kind: "teach", arguments: ["--limit", "10"])
        XCTAssertEqual(try store.job(id).state, .queued)
        try store.startJob(id, pid: 4242)
        try store.reportProgress(id, done: 3, total: 10, message: "3/10")
        for i in 1...25 { try store.logJob(id, "line \(i)") }
        try store.requestCancel(id)
        XCTAssertTrue(try store.isCancelRequested(id))
        try store.finishJob(id, state: .cancelled, error: "cancelled by user")
        let job = try store.job(id)
        XCTAssertEqual(job.state, .cancelled)
        XCTAssertEqual(job.pid, 4242)
        XCTAssertEqual(job.arguments, ["--limit", "10"])
        XCTAssertEqual(job.progress ?? -1, 0.3, accuracy: 1e-9)
        XCTAssertNotNil(job.finishedAt)
        XCTAssertEqual(try store.jobLog(id, last: 3), ["line 24", "line 25", "cancelled: cancelled by user"],
                       "the final error ends the log")
        XCTAssertThrowsError(try store.reportProgress(999, done: 1, total: nil, message: nil)) {
            XCTAssertEqual($0 as? CorpusError, .unknownJob(999))
        }
        XCTAssertEqual(try store.stats().jobs, ["cancelled": 1])
    }
}
