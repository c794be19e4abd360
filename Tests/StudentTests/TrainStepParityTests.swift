import Foundation
import Tensor
import XCTest
@testable import Student

/// One full training step on the tiny random BERT against PyTorch
/// (`scripts/parity/make_fixtures.py`, `train-step-expected.json`): the same batch, no dropout,
/// loss = mean sigmoid BCE, global-norm clipping at 1, one AdamW step (lr 1e-3, decay 0.01).
///
/// Tolerances (Float32 on both sides, different summation orders): loss within 1e-5 relative;
/// the pre-clipping norm within 1e-4 relative; every recorded gradient within
/// 1e-6 + 1e-3 · |g|, and per-tensor gradient sums within 1e-5 + 1e-4 · Σ|g|; updated weights
/// within 2e-6 where |g| > 1e-6 (the first AdamW step moves each weight by about lr · sign(g), so
/// this checks the decay, the sign and the bias correction).
final class TrainStepParityTests: XCTestCase {
    struct Expected: Decodable {
        struct TensorRecord: Decodable {
            var grad: [Float]
            var grad_sum: Double
            var grad_abs_sum: Double
            var updated: [Float]
        }
        struct Item: Decodable {
            var sequence: Int
            var drug_pieces: [Int]
            var targets: [Float]
        }
        struct Run: Decodable {
            var loss: Double
            var grad_norm: Double
            var word_rows: [Int]
            var tensors: [String: TensorRecord]
        }
        var sequences: [[Int32]]
        var items: [Item]
        var lr: Float
        var weight_decay: Float
        var clip: Float
        var concat: Run
        var interaction: Run
    }

    /// Our slot and the element range inside it for a Hugging Face parameter name.
    static func slot(_ name: String, hidden c: Int) -> (slot: String, offset: Int)? {
        let parts = name.split(separator: ".").map(String.init)
        switch name {
        case "embeddings.word_embeddings.weight": return ("embeddings.word", 0)
        case "embeddings.position_embeddings.weight": return ("embeddings.position", 0)
        case "embeddings.token_type_embeddings.weight": return ("embeddings.type", 0)
        case "embeddings.LayerNorm.weight": return ("embeddings.norm.gamma", 0)
        case "embeddings.LayerNorm.bias": return ("embeddings.norm.beta", 0)
        case "vigil_head.linear.weight", "vigil_head.mlp.0.weight": return ("head.weight1", 0)
        case "vigil_head.linear.bias", "vigil_head.mlp.0.bias": return ("head.bias1", 0)
        case "vigil_head.mlp.2.weight": return ("head.weight2", 0)
        case "vigil_head.mlp.2.bias": return ("head.bias2", 0)
        default: break
        }
        guard parts.count >= 5, parts[0] == "encoder", let l = Int(parts[2]) else { return nil }
        let rest = parts[3...].joined(separator: "."), p = "layer.\(l)."
        let table: [String: (String, Int)] = [
            "attention.self.query.weight": ("qkv.weight", 0), "attention.self.key.weight": ("qkv.weight", c * c),
            "attention.self.value.weight": ("qkv.weight", 2 * c * c),
            "attention.self.query.bias": ("qkv.bias", 0), "attention.self.key.bias": ("qkv.bias", c),
            "attention.self.value.bias": ("qkv.bias", 2 * c),
            "attention.output.dense.weight": ("attention_out.weight", 0), "attention.output.dense.bias": ("attention_out.bias", 0),
            "attention.output.LayerNorm.weight": ("attention_norm.gamma", 0),
            "attention.output.LayerNorm.bias": ("attention_norm.beta", 0),
            "intermediate.dense.weight": ("intermediate.weight", 0), "intermediate.dense.bias": ("intermediate.bias", 0),
            "output.dense.weight": ("output.weight", 0), "output.dense.bias": ("output.bias", 0),
            "output.LayerNorm.weight": ("output_norm.gamma", 0), "output.LayerNorm.bias": ("output_norm.beta", 0),
        ]
        return table[rest].map { (p + $0.0, $0.1) }
    }

    func check(_ kind: HeadKind) throws {
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath:
            Fixtures.folder + "/train-step-expected.json")))
        var model = try StudentModel.load(directory: Fixtures.tinyBERT)
        if kind == .interaction {
            model.head = try TaggerHead(file: SafeTensorsFile(path: Fixtures.interactionHead), kind: .interaction,
                                        hiddenSize: 32, mlpSize: 16)
        }
        let run = kind == .concat ? expected.concat : expected.interaction
        let trainer = TaggerTrainer(model: model, options: TrainingOptions(weightDecay: expected.weight_decay,
                                                                           maxGradientNorm: expected.clip, dropout: 0))
        let batch = TrainingBatch(sequences: expected.sequences, items: expected.items.map {
            TrainingItem(sequence: $0.sequence, drugPieces: $0.drug_pieces, targets: $0.targets)
        })
        let loss = trainer.computeGradients(batch, dropout: 0)
        XCTAssertEqual(loss, run.loss, accuracy: 1e-5 * run.loss, "\(kind) loss")
        let norm = trainer.update(lr: expected.lr)
        XCTAssertEqual(Double(norm), run.grad_norm, accuracy: 1e-4 * run.grad_norm, "\(kind) gradient norm")
        let c = model.config.hiddenSize
        let layout = trainer.parameters.values.layout
        XCTAssertEqual(run.tensors.count, layout.slots.count + 4 * model.config.layers, "every tensor recorded (Q, K, V apart)")
        for (name, record) in run.tensors {
            let (slotName, offset) = try XCTUnwrap(Self.slot(name, hidden: c), name)
            let slot = try XCTUnwrap(layout.slot(slotName), slotName)
            let count = name.hasPrefix("encoder") && name.contains("attention.self")
                ? (name.hasSuffix("weight") ? c * c : c) : slot.count
            var indices = Array((slot.offset + offset)..<(slot.offset + offset + count))
            if slotName == "embeddings.word" {
                indices = run.word_rows.flatMap { row in (slot.offset + row * c)..<(slot.offset + (row + 1) * c) }
            }
            let grads = indices.map { trainer.parameters.gradients.base[$0] }
            let values = indices.map { trainer.parameters.values.base[$0] }
            for (k, g) in record.grad.enumerated() {
                XCTAssertEqual(grads[k], g, accuracy: 1e-6 + 1e-3 * abs(g), "\(kind) ∂\(name)[\(k)]")
            }
            XCTAssertEqual(grads.reduce(0.0) { $0 + Double($1) }, record.grad_sum, accuracy: 1e-5 + 1e-4 * record.grad_abs_sum,
                           "\(kind) Σ∂\(name)")
            // Where the true gradient is 0 (the key bias: softmax ignores a shift shared by every key),
            // both sides hold rounding noise, and AdamW's first step turns its sign into ±lr.
            for (k, w) in record.updated.enumerated() where abs(record.grad[k]) > 1e-6 {
                XCTAssertEqual(values[k], w, accuracy: 2e-6, "\(kind) updated \(name)[\(k)]")
            }
        }
    }

    func testConcatStepMatchesPyTorch() throws { try check(.concat) }

    func testInteractionStepMatchesPyTorch() throws { try check(.interaction) }
}
