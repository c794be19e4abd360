import Core
import Corpus
import Foundation
import TestServers
import Teacher
import XCTest

/// `vigil import pubmed`'s E-utilities client and resumable download, against a loopback
/// server that plays esearch/efetch with records written for these tests (issue 7).
final class EUtilitiesTests: XCTestCase {
    /// Five invented records; 90000003 has a structured abstract, 90000004 entities and Unicode.
    static let records: [(pmid: String, xml: String)] = [
        ("90000001", record("90000001", "Warfarin-related bleeding after a course of antibiotics.",
                            "<AbstractText>An 80-year-old man on warfarin had haematuria. The INR was 7.</AbstractText>")),
        ("90000002", record("90000002", "Lithium toxicity with a thiazide.",
                            "<AbstractText>Tremor and confusion followed. Lithium was stopped.</AbstractText>")),
        ("90000003", record("90000003", "Rash on carbamazepine.", """
            <AbstractText Label="BACKGROUND">Skin reactions are common.</AbstractText>
            <AbstractText Label="CASE">A woman given carbamazepine developed a rash.</AbstractText>
            """)),
        ("90000004", record("90000004", "Naïve use of warfarin &amp; aspirin.",
                            "<AbstractText>Bleeding (&#8805; 2 units) occurred with warfarin.</AbstractText>")),
        ("90000005", record("90000005", "No drug here.", "<AbstractText>Nothing to see.</AbstractText>")),
    ]

    static func record(_ pmid: String, _ title: String, _ abstract: String) -> String {
        """
        <PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">\(pmid)</PMID>
        <Article><ArticleTitle>\(title)</ArticleTitle><Abstract>\(abstract)</Abstract>
        <PublicationTypeList><PublicationType>Case Reports</PublicationType></PublicationTypeList></Article>
        </MedlineCitation></PubmedArticle>
        """
    }

    static func articleSet(_ xml: [String]) -> String {
        "<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n" + xml.joined(separator: "\n") + "\n</PubmedArticleSet>\n"
    }

    static func esearch(count: Int) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <eSearchResult><Count>\(count)</Count><RetMax>0</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey>
        <WebEnv>MCID_test</WebEnv><IdList></IdList><TranslationSet/></eSearchResult>
        """
    }

    /// Query parameters of a request target.
    static func parameters(_ path: String) -> [String: String] {
        guard let query = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    /// An E-utilities double: esearch answers `count`; efetch serves the records by retstart/retmax,
    /// unless `misbehave` answers first.
    func server(count: Int = 5, records: [String]? = nil,
                misbehave: @escaping @Sendable (LoopbackChatServer.Request, Int) -> LoopbackChatServer.Response? = { _, _ in nil })
        throws -> LoopbackChatServer {
        let all = records ?? Self.records.map(\.xml)
        let server = try LoopbackChatServer { request, index in
            if let response = misbehave(request, index) { return response }
            let p = Self.parameters(request.path)
            if request.path.contains("esearch.fcgi") { return .init(status: 200, body: Self.esearch(count: count)) }
            let start = Int(p["retstart"] ?? "0") ?? 0, n = Int(p["retmax"] ?? "0") ?? 0
            let slice = Array(all[min(start, all.count)..<min(start + n, all.count)])
            return .init(status: 200, body: Self.articleSet(slice))
        }
        addTeardownBlock { server.stop() }
        return server
    }

    final class Sleeps: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Double] = []
        func record(_ s: Double) { lock.lock(); values.append(s); lock.unlock() }
        var all: [Double] { lock.lock(); defer { lock.unlock() }; return values }
    }

    func download(_ server: LoopbackChatServer, _ store: CorpusStore, batch: Int = 2, attempts: Int = 4,
                  sleeps: Sleeps = Sleeps(), apiKey: String? = nil) -> PubMedDownload {
        var lexicon = DrugLexicon()
        for name in ["warfarin", "lithium", "carbamazepine", "aspirin"] { lexicon.add(name) }
        let retry = RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.02, sleep: { sleeps.record($0) })
        let client = EUtilitiesClient(baseURL: "http://127.0.0.1:\(server.port)/eutils", email: "curator@example.org",
                                      apiKey: apiKey, retry: retry, timeout: 5)
        return PubMedDownload(client: client, store: store, corpus: PubMedCorpus(lexicon: lexicon, lexiconHash: "t"),
                              batchSize: batch)
    }

    func store() throws -> CorpusStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-eutils-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return try CorpusStore(path: dir.appendingPathComponent("vigil.sqlite").path, create: true)
    }

    func testPagesThroughTheHistoryServerInBatches() throws {
        let server = try server()
        let store = try store()
        let outcome = try download(server, store).run(query: "warfarin[tiab]", maxRecords: nil)
        let fetches = server.requests.filter { $0.path.contains("efetch.fcgi") }.map { Self.parameters($0.path) }
        XCTAssertEqual(fetches.map { $0["retstart"] }, ["0", "2", "4"])
        XCTAssertEqual(fetches.map { $0["retmax"] }, ["2", "2", "1"])
        XCTAssertTrue(fetches.allSatisfy { $0["WebEnv"] == "MCID_test" && $0["query_key"] == "1" && $0["db"] == "pubmed" })
        let search = Self.parameters(try XCTUnwrap(server.requests.first).path)
        XCTAssertEqual(search["term"], "warfarin[tiab]")
        XCTAssertEqual(search["usehistory"], "y")
        XCTAssertEqual(search["email"], "curator@example.org")
        XCTAssertEqual(outcome.read.abstracts, 5)
        XCTAssertEqual(outcome.added.documents, 4, "90000005 has no drug, so no sentence is kept")
        XCTAssertTrue(outcome.state.finished)
        XCTAssertEqual(try store.documentPMIDs(), ["90000001", "90000002", "90000003", "90000004"])
        let views = try store.sentenceViews(layer: try store.layer(.gold))
        XCTAssertTrue(views.contains { $0.text == "CASE: A woman given carbamazepine developed a rash." }, "structured sections")
        XCTAssertTrue(views.contains { $0.text == "Naïve use of warfarin & aspirin." }, "entities and Unicode")
        XCTAssertTrue(views.contains { $0.text == "Bleeding (≥ 2 units) occurred with warfarin." })
    }

    func testMaxLimitsTheRecords() throws {
        let server = try server()
        let outcome = try download(server, try store(), batch: 10).run(query: "q", maxRecords: 3)
        XCTAssertEqual(outcome.read.abstracts, 3)
        XCTAssertEqual(server.requests.filter { $0.path.contains("efetch") }.map { Self.parameters($0.path)["retmax"] }, ["3"])
    }

    func test429WithRetryAfterIsHonoredThenSucceeds() throws {
        let server = try server { request, index in
            index == 0 ? .init(status: 429, headers: ["Retry-After": "3"], body: "{\"error\":\"API rate limit exceeded\"}") : nil
        }
        let sleeps = Sleeps()
        let outcome = try download(server, try store(), sleeps: sleeps).run(query: "q", maxRecords: nil)
        XCTAssertEqual(outcome.read.abstracts, 5)
        XCTAssertTrue(sleeps.all.contains { $0 >= 3 }, "the retry waited at least Retry-After: \(sleeps.all)")
    }

    func testDroppedConnectionMidBatchThenResumeWithoutDuplicates() throws {
        let store = try store()
        // The batch at retstart 2 always drops the connection: the run gives up after batch 1.
        let failing = try server { request, _ in
            request.path.contains("efetch") && Self.parameters(request.path)["retstart"] == "2"
                ? .init(status: 200, body: "", hangUp: true) : nil
        }
        XCTAssertThrowsError(try download(failing, store, attempts: 2).run(query: "q", maxRecords: nil)) { error in
            XCTAssertTrue("\(error)".contains("gave up after 2 attempts"), "\(error)")
        }
        XCTAssertEqual(try store.documentPMIDs(), ["90000001", "90000002"], "batch 1 was committed")
        XCTAssertEqual(try store.unfinishedPubMedImport(query: "q")?.nextStart, 2)

        let healthy = try server()
        let outcome = try download(healthy, store).run(query: "q", maxRecords: nil)
        XCTAssertTrue(outcome.resumed)
        XCTAssertEqual(healthy.requests.filter { $0.path.contains("efetch") }.map { Self.parameters($0.path)["retstart"] },
                       ["2", "4"], "batch 1 is not fetched again")
        XCTAssertEqual(try store.documentPMIDs().count, 4)
        let sentences = try store.sentenceViews(layer: try store.layer(.gold))
        XCTAssertEqual(Set(sentences.map(\.text)).count, sentences.count, "no sentence twice")
        XCTAssertNil(try store.unfinishedPubMedImport(query: "q"))
    }

    func testAPMIDReturnedTwiceIsImportedOnce() throws {
        let records = Self.records.map(\.xml)
        let server = try server(count: 4, records: [records[0], records[1], records[0], records[3]])
        let outcome = try download(server, try store()).run(query: "q", maxRecords: nil)
        XCTAssertEqual(outcome.read.abstracts, 3)
        XCTAssertEqual(outcome.read.duplicatePMIDs, 1)
    }

    func testErrorsNeverShowTheAPIKeyAndNCBIErrorsAreReported() throws {
        let echo = try server { request, _ in .init(status: 400, body: "bad request: \(request.path)") }
        XCTAssertThrowsError(try download(echo, try store(), apiKey: "secret-ncbi-key-123").run(query: "q", maxRecords: nil)) { error in
            XCTAssertTrue("\(error)".contains("HTTP 400"), "\(error)")
            XCTAssertFalse("\(error)".contains("secret-ncbi-key-123"), "\(error)")
        }
        XCTAssertEqual(Self.parameters(try XCTUnwrap(echo.requests.first).path)["api_key"], "secret-ncbi-key-123")
        let ncbiError = try server { request, _ in
            .init(status: 200, body: "<eSearchResult><ERROR>Invalid query syntax</ERROR></eSearchResult>")
        }
        XCTAssertThrowsError(try download(ncbiError, try store()).run(query: "((", maxRecords: nil)) { error in
            XCTAssertTrue("\(error)".contains("Invalid query syntax"), "\(error)")
        }
    }

    func testPacerKeepsRequestsApart() {
        var pacer = RequestPacer(perSecond: 3)
        XCTAssertEqual(pacer.wait(now: 10), 0)
        XCTAssertEqual(pacer.wait(now: 10.1), 1.0 / 3 - 0.1, accuracy: 1e-9)
        XCTAssertEqual(pacer.wait(now: 10.2), 2.0 / 3 - 0.2, accuracy: 1e-9, "queued behind the previous one")
        XCTAssertEqual(pacer.wait(now: 20), 0)
        var keyed = RequestPacer(perSecond: 10)
        _ = keyed.wait(now: 0)
        XCTAssertEqual(keyed.wait(now: 0), 0.1, accuracy: 1e-9)
    }
}
