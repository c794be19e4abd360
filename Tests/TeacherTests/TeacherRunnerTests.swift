import Core
import Corpus
import Foundation
import TestServers
import GRDB
import XCTest
@testable import Teacher

/// Whole runs into a corpus: answers, ungrounded proposals, the cache, failures and secrets.
final class TeacherRunnerTests: XCTestCase {
    /// Answers by sentence, the way a model would for the fixture corpus.
    static let answers: [String: String] = [
        "Amiodarone caused pulmonary fibrosis in a 70-year-old man.": "- Amiodarone: Pulmonary fibrosis.",
        "Lithium toxicity presented as tremor and confusion.": "lithium: tremor|confusion|seizures",
        "Vancomycin was followed by red man syndrome.": "Vancomycin: red man syndrome\nteicoplanin: rash",
        "Isoniazid induced hepatitis after two months.": "Isoniazid: hepatitis",
        "Clozapine led to agranulocytosis.": "None",
        "Warfarin was associated with hematuria.": "Warfarin: hematuria",
        "Metformin was continued without incident.": "None",
    ]

    static func handler(_ request: LoopbackChatServer.Request, _ index: Int) -> LoopbackChatServer.Response {
        .chat(answers[request.sentence ?? ""] ?? "None", promptTokens: 200, completionTokens: 8)
    }

    private func runner(_ store: CorpusStore, _ server: LoopbackChatServer, key: String? = nil, shots: Int = 5,
                        concurrency: Int = 3) throws -> (TeacherRunner, LayerInfo) {
        let layer = try store.createTeacherRun(.init(model: "loopback-model", endpoint: "vllm", templateHash: PromptTemplate.paper.hash,
                                                     shots: shots, seed: 1))
        let client = try CurlChatClient(settings: loopbackSettings(server, key: key), retry: SleepRecorder().policy())
        let builder = PromptBuilder(shots: shots, seed: 1, pool: try PromptBuilder.examplePool(store))
        return (TeacherRunner(store: store, layer: layer, backend: client, builder: builder, model: "loopback-model",
                              concurrency: concurrency, pricePrompt: 0.5, priceCompletion: 1.5), layer)
    }

    func testARunWritesTheTeacherLayerUngroundedProposalsAndCounters() throws {
        let store = try fixtureStore(self, extra: [sentence("No drug is named here.", doc: "test:z", drugs: [])])
        let server = try LoopbackChatServer(handler: Self.handler)
        let (runner, layer) = try runner(store, server)
        let sentences = try store.sentenceViews(layer: layer)
        XCTAssertEqual(try runner.run(sentences), .finished)
        XCTAssertEqual(server.requestCount, 7, "the drugless sentence is not asked")

        let pairs = try store.pairs(in: layer)
        XCTAssertEqual(pairs.count, 6, "fibrosis, tremor, confusion, red man syndrome, hepatitis, hematuria")
        XCTAssertEqual(try store.answeredItemCount(layer), 7, "every drug mention is answered, no-ADE included")
        let lithium = try XCTUnwrap(sentences.first { $0.text.hasPrefix("Lithium") })
        XCTAssertEqual(try store.ungroundedProposals(sentenceID: lithium.id, teacherRun: nil), [
            UngroundedProposal(drug: "lithium", drugMentionID: lithium.drugs[0].mentionID, text: "seizures", reason: .adeNotInSentence),
        ])
        let vancomycin = try XCTUnwrap(sentences.first { $0.text.hasPrefix("Vancomycin") })
        XCTAssertEqual(try store.ungroundedProposals(sentenceID: vancomycin.id, teacherRun: layer.version).map(\.reason),
                       [.drugNotInSentence])
        let exchange = try XCTUnwrap(try store.teacherExchange(sentenceID: lithium.id, teacherRun: nil))
        XCTAssertEqual(exchange.response, "lithium: tremor|confusion|seizures")
        XCTAssertEqual(exchange.model, "loopback-model")
        XCTAssertFalse(exchange.fromCache)
        XCTAssertTrue(exchange.prompt.contains("Message: \(lithium.text)\nAnnotations:"), exchange.prompt)

        let stats = try store.teacherRunStats(run: try XCTUnwrap(layer.version))
        XCTAssertEqual(stats.answered, 7)
        XCTAssertEqual(stats.requests, 7)
        XCTAssertEqual(stats.cacheHits, 0)
        XCTAssertEqual(stats.hallucinations, 1)
        XCTAssertEqual(stats.unknownDrugs, 1)
        XCTAssertEqual(stats.promptTokens, 1400)
        XCTAssertEqual(stats.completionTokens, 56)
        XCTAssertEqual(stats.cost, (1400 * 0.5 + 56 * 1.5) / 1000, accuracy: 1e-9)
    }

    func testIdenticalRequestsComeFromTheCacheWithoutANetworkCall() throws {
        let store = try fixtureStore(self)
        let server = try LoopbackChatServer(handler: Self.handler)
        let (first, layer1) = try runner(store, server)
        XCTAssertEqual(try first.run(try store.sentenceViews(layer: layer1)), .finished)
        XCTAssertEqual(server.requestCount, 7)
        let (second, layer2) = try runner(store, server)
        XCTAssertEqual(try second.run(try store.sentenceViews(layer: layer2)), .finished)
        XCTAssertEqual(server.requestCount, 7, "no new request")
        let stats = try store.teacherRunStats(run: try XCTUnwrap(layer2.version))
        XCTAssertEqual(stats.cacheHits, 7)
        XCTAssertEqual(stats.requests, 0)
        XCTAssertEqual(try store.pairs(in: layer2).sorted { ($0.sentenceID, $0.span) < ($1.sentenceID, $1.span) }.map(\.span),
                       try store.pairs(in: layer1).sorted { ($0.sentenceID, $0.span) < ($1.sentenceID, $1.span) }.map(\.span))
        let any = try XCTUnwrap(try store.sentenceViews(layer: layer2).first)
        XCTAssertEqual(try store.teacherExchange(sentenceID: any.id, teacherRun: nil)?.fromCache, true)
        // A different shot count is a different request.
        let (zero, layer3) = try runner(store, server, shots: 0)
        XCTAssertEqual(try zero.run(try store.sentenceViews(layer: layer3)), .finished)
        XCTAssertEqual(server.requestCount, 14)
    }

    func testA401StopsTheRunInsteadOfBurningThroughTheQueue() throws {
        let store = try fixtureStore(self)
        let server = try LoopbackChatServer { _, _ in .init(status: 401, body: "{\"error\": \"invalid api key\"}") }
        let (runner, layer) = try runner(store, server, concurrency: 1)
        let outcome = try runner.run(try store.sentenceViews(layer: layer))
        guard case .failed(.http(401, _, _)) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(server.requestCount, 1)
        XCTAssertEqual(try store.teacherRunStats(run: try XCTUnwrap(layer.version)).answered, 0)
    }

    func testSentencesThatKeepFailingAreCountedAndLeftForAResume() throws {
        let store = try fixtureStore(self)
        let server = try LoopbackChatServer { request, _ in
            request.sentence?.hasPrefix("Lithium") == true ? .init(status: 500, body: "down") : Self.handler(request, 0)
        }
        let (runner, layer) = try runner(store, server)
        XCTAssertEqual(try runner.run(try store.sentenceViews(layer: layer)), .finished)
        let run = try XCTUnwrap(layer.version)
        XCTAssertEqual(try store.teacherRunStats(run: run).errors, 1)
        XCTAssertEqual(try store.teacherRunStats(run: run).answered, 6)
    }

    func testACancelledRunFinishesItsInFlightSentencesAndResumesWithoutDuplicates() throws {
        let store = try fixtureStore(self)
        let server = try LoopbackChatServer { request, index in
            var response = Self.handler(request, index)
            response.delay = 0.05
            return response
        }
        let (runner, layer) = try runner(store, server, concurrency: 2)
        runner.reportInterval = 0.01
        let sentences = try store.sentenceViews(layer: layer)
        let outcome = try runner.run(sentences, shouldStop: { server.requestCount >= 2 })
        XCTAssertEqual(outcome, .cancelled)
        let run = try XCTUnwrap(layer.version)
        let partial = try store.teacherRunStats(run: run).answered
        XCTAssertGreaterThan(partial, 0)
        XCTAssertLessThan(partial, 7)
        XCTAssertEqual(server.requestCount, partial, "every request sent was written before stopping")

        let resumed = TeacherRunner(store: store, layer: layer, backend: runner.backend, builder: runner.builder, model: runner.model)
        XCTAssertEqual(try resumed.run(sentences), .finished)
        XCTAssertEqual(server.requestCount, 7, "answered sentences are not asked again")
        XCTAssertEqual(try store.teacherRunStats(run: run).answered, 7)
        let count = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ade WHERE layer_id = ?", arguments: [layer.id]) }
        XCTAssertEqual(count, 6)
    }

    func testTheAPIKeyNeverReachesTheDatabaseFile() throws {
        let store = try fixtureStore(self)
        let key = "sk-vigil-test-key-\(UUID().uuidString)"
        let server = try LoopbackChatServer(handler: Self.handler)
        let (runner, layer) = try runner(store, server, key: key)
        XCTAssertEqual(try runner.run(try store.sentenceViews(layer: layer)), .finished)
        XCTAssertEqual(server.requests.first?.headers["authorization"], "Bearer \(key)", "the key was used")
        _ = try store.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        for suffix in ["", "-wal", "-shm"] {
            guard let data = FileManager.default.contents(atPath: store.path + suffix) else { continue }
            XCTAssertNil(data.range(of: Data(key.utf8)), "the key is in \(store.path + suffix)")
            XCTAssertNil(data.range(of: Data("vigil-test-key".utf8)))
        }
    }

    func testReplayTeacherAnswersThroughTheSamePath() throws {
        let store = try fixtureStore(self)
        let dir = try temporaryDirectory(self)
        let lines = Self.answers.map { text, response in
            String(decoding: try! JSONSerialization.data(withJSONObject: ["text": text, "response": response]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/replay.jsonl", atomically: true, encoding: .utf8)
        let replay = try ReplayTeacher(path: dir + "/replay.jsonl")
        let layer = try store.createTeacherRun(.init(model: "replay"))
        let runner = TeacherRunner(store: store, layer: layer, backend: replay,
                                   builder: PromptBuilder(shots: 0, seed: 1, pool: []), model: "replay")
        XCTAssertEqual(try runner.run(try store.sentenceViews(layer: layer)), .finished)
        XCTAssertEqual(try store.pairs(in: layer).count, 6)

        try "{\"text\": \"x\"}\n".write(toFile: dir + "/bad.jsonl", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ReplayTeacher(path: dir + "/bad.jsonl")) { error in
            XCTAssertEqual(error as? TeacherError, .badReplayFile(file: dir + "/bad.jsonl", line: 1, reason: "\"response\" must be a string"))
        }
    }
}
