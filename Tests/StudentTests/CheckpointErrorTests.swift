import Foundation
import Tensor
import XCTest
@testable import Student

/// Bad checkpoints give errors that name the file and the tensor or key, never a crash.
final class CheckpointErrorTests: XCTestCase {
    /// A copy of the tiny BERT folder whose model.safetensors is replaced by `bytes`.
    func folder(with bytes: Data) throws -> String {
        let dir = try Fixtures.temporaryFolder(self)
        for name in ["config.json", "vocab.txt", "tokenizer_config.json", "vigil.json"] {
            try FileManager.default.copyItem(atPath: Fixtures.tinyBERT + "/" + name, toPath: dir + "/" + name)
        }
        try bytes.write(to: URL(fileURLWithPath: dir + "/model.safetensors"))
        return dir
    }

    var original: Data { get throws { try Data(contentsOf: URL(fileURLWithPath: Fixtures.tinyBERT + "/model.safetensors")) } }

    /// The original file with its JSON header rewritten by `edit`.
    func editedHeader(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        let data = try original
        let length = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var header = try XCTUnwrap(JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
        edit(&header)
        let json = try JSONSerialization.data(withJSONObject: header)
        var newLength = UInt64(json.count).littleEndian  // offsets are relative to the data section
        return withUnsafeBytes(of: &newLength) { Data($0) } + json + data.suffix(from: 8 + length)
    }

    func loadError(_ dir: String) -> CheckpointError? {
        do { _ = try StudentModel.load(directory: dir); return nil } catch { return error }
    }

    func testTruncatedFile() throws {
        let data = try original
        let dir = try folder(with: data.prefix(100))
        guard case .truncated(let path, 100, _)? = loadError(dir) else { return XCTFail("\(String(describing: loadError(dir)))") }
        XCTAssertTrue(path.hasSuffix("model.safetensors"))
        XCTAssertNotNil(loadError(try folder(with: data.prefix(5))))
    }

    func testCutDataSectionIsOutOfBounds() throws {
        let data = try original
        let error = loadError(try folder(with: data.prefix(data.count - 64)))
        guard case .dataOutOfBounds(_, let tensor, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertFalse(tensor.isEmpty)
        XCTAssertTrue("\(error!)".contains(tensor))
    }

    func testHeaderPointingPastTheEnd() throws {
        let bytes = try editedHeader { header in
            var entry = header["embeddings.LayerNorm.bias"] as! [String: Any]
            entry["data_offsets"] = [10_000_000, 10_000_128]
            header["embeddings.LayerNorm.bias"] = entry
        }
        XCTAssertEqual(loadError(try folder(with: bytes)).map { "\($0)" }?.contains("\"embeddings.LayerNorm.bias\" ends at byte 10000128"), true)
    }

    func testWrongShape() throws {
        let bytes = try editedHeader { header in
            var entry = header["encoder.layer.1.intermediate.dense.weight"] as! [String: Any]
            entry["shape"] = [32, 64]
            header["encoder.layer.1.intermediate.dense.weight"] = entry
        }
        let dir = try folder(with: bytes)
        XCTAssertEqual(loadError(dir), .wrongShape(path: dir + "/model.safetensors", tensor: "encoder.layer.1.intermediate.dense.weight",
                                                   found: [32, 64], expected: [64, 32]))
    }

    func testMissingTensor() throws {
        let bytes = try editedHeader { header in
            header["encoder.layer.0.attention.self.key.bias"] = nil
        }
        guard case .missingTensor(_, "encoder.layer.0.attention.self.key.bias")? = loadError(try folder(with: bytes)) else {
            return XCTFail("expected a missing tensor")
        }
    }

    func testUnexpectedTensor() throws {
        let bytes = try editedHeader { header in
            header["encoder.layer.7.output.dense.bias"] = header["embeddings.LayerNorm.bias"]
        }
        guard case .unexpectedTensor(_, "encoder.layer.7.output.dense.bias")? = loadError(try folder(with: bytes)) else {
            return XCTFail("expected an unexpected tensor")
        }
    }

    func testUnknownDType() throws {
        let bytes = try editedHeader { header in
            var entry = header["embeddings.LayerNorm.weight"] as! [String: Any]
            entry["dtype"] = "Q4"
            header["embeddings.LayerNorm.weight"] = entry
        }
        XCTAssertEqual(loadError(try folder(with: bytes)).map { "\($0)" }?.hasSuffix("tensor \"embeddings.LayerNorm.weight\" has unknown dtype \"Q4\""), true)
    }

    func testGarbageHeader() throws {
        var bytes = Data([16, 0, 0, 0, 0, 0, 0, 0])
        bytes.append(Data("not json at all!".utf8))
        guard case .badHeader? = loadError(try folder(with: bytes)) else { return XCTFail("expected a bad header") }
    }

    func testBadConfigNamesTheKey() throws {
        let dir = try folder(with: try original)
        try Data(#"{"vocab_size": 159, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 5, "intermediate_size": 64}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/config.json"))
        XCTAssertEqual(loadError(dir), .badConfig(path: dir + "/config.json", key: "num_attention_heads",
                                                  reason: "5 does not divide hidden_size 32"))
    }

    func testAnExtendThresholdAboveTheThresholdIsABadSetting() throws {
        let dir = try folder(with: try original)
        try Data(#"{"head": "concat", "threshold": 0.4, "mlp_size": 0, "extend_threshold": 0.6}"#.utf8)
            .write(to: URL(fileURLWithPath: dir + "/vigil.json"))
        XCTAssertEqual(loadError(dir), .badConfig(path: dir + "/vigil.json", key: "extend_threshold",
                                                  reason: "must lie in (0, threshold 0.4], not 0.6"))
    }

    func testADistanceBiasOfTheWrongLengthIsAWrongShape() throws {
        let dir = try folder(with: try editedHeader { header in
            header[TaggerHead.distanceName] = ["dtype": "F32", "shape": [4], "data_offsets": [0, 16]]
        })
        XCTAssertEqual(loadError(dir), .wrongShape(path: dir + "/model.safetensors", tensor: TaggerHead.distanceName,
                                                   found: [4], expected: [DrugDistance.bucketCount]))
    }

    func testHalfPrecisionAndBFloat16AreConverted() throws {
        let dir = try Fixtures.temporaryFolder(self)
        // 1.5 and -2.0 in F16 (0x3E00, 0xC000) and BF16 (0x3FC0, 0xC000).
        var bytes = Data()
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}"#
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(Data(header.utf8))
        bytes.append(contentsOf: [0x00, 0x3E, 0x00, 0xC0, 0xC0, 0x3F, 0x00, 0xC0])
        try bytes.write(to: URL(fileURLWithPath: dir + "/x.safetensors"))
        let file = try SafeTensorsFile(path: dir + "/x.safetensors")
        XCTAssertEqual(try file.tensor("h").data, [1.5, -2])
        XCTAssertEqual(try file.tensor("b").data, [1.5, -2])
    }

    func testWriterRoundTrips() throws {
        let dir = try Fixtures.temporaryFolder(self)
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]), b = Tensor(shape: [1], data: [-0.25])
        try SafeTensorsFile.write([("a", a), ("b", b)], to: dir + "/t.safetensors")
        let file = try SafeTensorsFile(path: dir + "/t.safetensors")
        XCTAssertEqual(try file.tensor("a"), a)
        XCTAssertEqual(try file.tensor("b"), b)
    }

    /// Checkpoints saved from BertForMaskedLM & co.: `bert.`-prefixed names, an MLM head under
    /// `cls.` and a pooler all load, with the same hidden states.
    func testPrefixedNamesPretrainingHeadsAndPoolerLoad() throws {
        let bytes = try editedHeader { header in
            var renamed: [String: Any] = [:]
            for (name, value) in header {
                renamed[name == "__metadata__" || name.hasPrefix("vigil_head.") ? name : "bert." + name] = value
            }
            renamed["cls.predictions.bias"] = header["embeddings.LayerNorm.bias"]
            renamed["bert.pooler.dense.bias"] = header["embeddings.LayerNorm.bias"]
            renamed["bert.pooler.dense.weight"] = header["encoder.layer.0.attention.self.query.weight"]
            header = renamed
        }
        let dir = try folder(with: bytes)
        let prefixed = try StudentModel.load(directory: dir)
        XCTAssertNotNil(prefixed.encoder.weights.pooler)
        let plain = try StudentModel.load(directory: Fixtures.tinyBERT)
        let ids: [[Int32]] = [[2, 40, 41, 3]]
        XCTAssertEqual(try prefixed.encoder.forward(ids).hidden, try plain.encoder.forward(ids).hidden)
    }
}
