import Foundation
import XCTest

/// Paths and decoded contents of the parity fixtures (made by scripts/parity/make_fixtures.py).
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let tinyBERT = folder + "/tiny-bert"
    static let interactionHead = folder + "/interaction-head.safetensors"

    struct Case: Decodable {
        var text: String
        var tokens: [String]
        var ids: [Int32]
        var offsets: [[Int]]
        var hidden: [[Float]]?
        var drug: [Int]?
        var concat_logits: [Float]?
        var interaction_logits: [Float]?
        var hidden_first48: [[Float]]?
        var hidden_row_sums: [Float]?
        var hidden_row_abs_sums: [Float]?
    }
    struct File: Decodable { var cases: [Case] }

    static func cases(_ name: String) throws -> [Case] {
        try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))).cases
    }

    /// The MiniLM-L6 folder (`$VIGIL_ENCODER`, else `models/minilm-l6` in the package root), or a skip.
    static func minilm() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let path = ProcessInfo.processInfo.environment["VIGIL_ENCODER"] ?? root + "/models/minilm-l6"
        guard FileManager.default.fileExists(atPath: path + "/model.safetensors") else {
            throw XCTSkip("MiniLM-L6 not found at \(path) (run `make model` or set VIGIL_ENCODER)")
        }
        return path
    }

    /// A fresh temporary folder, removed by the test case's teardown.
    static func temporaryFolder(_ test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "vigil-student-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
