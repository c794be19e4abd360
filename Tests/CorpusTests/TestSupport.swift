import Foundation
import XCTest
@testable import Corpus

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The ADE corpus folder: $VIGIL_ADE_CORPUS, else ../shared/data/ade-corpus-v2 beside the checkout.
func adeCorpusDirectory() throws -> String {
    let env = ProcessInfo.processInfo.environment["VIGIL_ADE_CORPUS"]
    let path = env.flatMap { $0.isEmpty ? nil : $0 }
        ?? (packageRoot as NSString).appendingPathComponent("../shared/data/ade-corpus-v2")
    guard FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("DRUG-AE.rel")) else {
        throw XCTSkip("SKIPPED: the ADE corpus is not at \(path) (set VIGIL_ADE_CORPUS to its folder)")
    }
    return path
}

/// The SpERT split folder beside the ADE corpus.
func spertDirectory() throws -> String {
    let path = ((try adeCorpusDirectory()) as NSString).appendingPathComponent("../ade-spert-splits")
    guard FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("ade_split_0_test.json")) else {
        throw XCTSkip("SKIPPED: the SpERT splits are not at \(path)")
    }
    return path
}

/// A fresh temporary folder, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

/// A new empty corpus in a temporary folder.
func temporaryStore(_ test: XCTestCase) throws -> CorpusStore {
    try CorpusStore(path: (try temporaryDirectory(test) as NSString).appendingPathComponent("vigil.sqlite"), create: true)
}

/// Writes `text` to `name` inside `directory` and returns the path.
@discardableResult
func write(_ text: String, to name: String, in directory: String) throws -> String {
    let path = (directory as NSString).appendingPathComponent(name)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
