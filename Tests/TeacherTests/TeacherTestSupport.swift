import Core
import Corpus
import Foundation
@_exported import VigilTestSupport
import TestServers
import XCTest
@testable import Teacher

/// A fresh temporary folder, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-teacher-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

/// A sentence for an import batch; drugs and ADEs are placed at their first occurrence.
func sentence(_ text: String, doc: String = "test:doc", drugs: [(String, String, [String])]) -> ImportBatch.Sentence {
    let scalars = ScalarText(text)
    let placed = drugs.map { drug, name, ades in
        let start = scalars.occurrences(of: drug).first ?? 0
        return ImportBatch.Drug(
            span: Span(start, start + drug.unicodeScalars.count), text: drug, normalized: name,
            ades: ades.map { ade in
                let s = scalars.occurrences(of: ade).first ?? 0
                return ImportBatch.ADE(span: Span(s, s + ade.unicodeScalars.count), text: ade)
            })
    }
    return ImportBatch.Sentence(documentKey: doc, text: text, drugs: placed)
}

/// A corpus with `extra` plus a handful of gold sentences with ADEs (few-shot material).
func fixtureStore(_ test: XCTestCase, extra: [ImportBatch.Sentence] = []) throws -> CorpusStore {
    let store = try CorpusStore(path: try temporaryDirectory(test) + "/vigil.sqlite", create: true)
    var sentences = [
        sentence("Amiodarone caused pulmonary fibrosis in a 70-year-old man.", doc: "test:a",
                 drugs: [("Amiodarone", "amiodarone", ["pulmonary fibrosis"])]),
        sentence("Lithium toxicity presented as tremor and confusion.", doc: "test:a",
                 drugs: [("Lithium", "lithium", ["tremor", "confusion"])]),
        sentence("Vancomycin was followed by red man syndrome.", doc: "test:b",
                 drugs: [("Vancomycin", "vancomycin", ["red man syndrome"])]),
        sentence("Isoniazid induced hepatitis after two months.", doc: "test:b",
                 drugs: [("Isoniazid", "isoniazid", ["hepatitis"])]),
        sentence("Clozapine led to agranulocytosis.", doc: "test:c",
                 drugs: [("Clozapine", "clozapine", ["agranulocytosis"])]),
        sentence("Warfarin was associated with hematuria.", doc: "test:c",
                 drugs: [("Warfarin", "warfarin", ["hematuria"])]),
        sentence("Metformin was continued without incident.", doc: "test:d",
                 drugs: [("Metformin", "metformin", [])]),
    ]
    sentences += extra
    _ = try store.ingest(ImportBatch(format: "test", path: "test", sha256: UUID().uuidString, sentences: sentences),
                         into: .gold)
    return store
}

/// A view of a one-off sentence (not stored), for grounding tests.
func view(_ text: String, drugs: [(String, String)], id: Int64 = 1) -> SentenceView {
    let scalars = ScalarText(text)
    var used: [Int] = []
    return SentenceView(id: id, text: text, drugs: drugs.enumerated().map { i, d in
        let start = scalars.occurrences(of: d.0).first { !used.contains($0) } ?? 0
        used.append(start)
        return SentenceView.Drug(mentionID: Int64(i + 1), span: Span(start, start + d.0.unicodeScalars.count),
                                 text: d.0, normalized: d.1)
    })
}

/// Records the waits a retry policy asks for instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Double] = []
    var recorded: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return waits
    }
    func policy(maxAttempts: Int = 4) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.01, maxDelay: 0.05) { [self] seconds in
            lock.lock()
            waits.append(seconds)
            lock.unlock()
        }
    }
}

/// Settings for a loopback server.
func loopbackSettings(_ server: LoopbackChatServer, timeout: Double = 5, key: String? = nil) -> TeacherSettings {
    var s = TeacherSettings()
    s.kind = .vllm
    s.baseURL = server.baseURL
    s.model = "loopback-model"
    s.timeout = timeout
    s.apiKey = key
    return s
}

/// The built `vigil` beside the test bundle (`swift build --build-tests` builds it), else a skip.
func vigilBinary() throws -> URL {
    guard let url = builtVigilBinary() else {
        throw XCTSkip("SKIPPED: the vigil binary is not built (run `swift build` first)")
    }
    return url
}

/// Runs `vigil ARGS` to completion: exit status, stdout, stderr.
@discardableResult
func runVigil(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try runToCompletion(try vigilBinary(), arguments,
                                     environment: ["VIGIL_CONFIG": "/nonexistent/vigil-test-config.toml"].merging(environment) { $1 },
                                     removing: ["OPENAI_API_KEY"])
    return (result.status, result.stdout, result.stderr)
}
