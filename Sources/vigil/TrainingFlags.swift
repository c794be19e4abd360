import ArgumentParser
import Corpus
import Foundation
import Student
import Tensor

/// The model and optimisation options `vigil train` and `vigil cv` share.
struct TrainingFlags: ParsableArguments {
    @Option(help: ArgumentHelp("A BERT folder (config.json, vocab.txt, model.safetensors). Default: $VIGIL_ENCODER, else [student] encoder in the config file, else models/minilm-l6 in the working directory, beside the binary or under its install prefix (share/vigil/).",
                               valueName: "dir"))
    var encoder: String?
    @Option(help: "concat (the paper's head), interact (an MLP over [h; d; h*d]) or residual (concat plus that MLP, starting at zero).")
    var head: HeadOption = .concat
    @Option(help: "Passes over the training items.") var epochs = 10
    @Option(help: "Peak learning rate (linear warm-up over 10% of the steps, then linear decay).") var lr: Float = 1e-4
    @Option(help: "(Sentence, drug) items per batch.") var batch = 16
    @Option(help: "Seed for the head, dropout, batch order and any held-out share.") var seed: UInt64 = 13
    @Option(help: "Dropout on the encoder's hidden states.") var dropout: Float = 0.1
    @Option(help: "Dropout on the attention probabilities.") var attentionDropout: Float = 0.1
    @Option(help: ArgumentHelp("The head's learning rate as a multiple of --lr (1: one rate, as the paper).",
                               valueName: "x"))
    var headLrScale: Float = 1
    @Flag(help: "Add a learned bias per distance (in word pieces) between token and drug to the head's logit.")
    var relativePosition = false
    @Option(help: ArgumentHelp("Per epoch, add this share of the training sentences as synthetic two-drug sentences: two single-drug training sentences joined, each drug labelled with only its own half's ADEs (0: none).",
                               valueName: "x"))
    var drugPairs: Double = 0
    @Flag(help: "Train on the training part's drug names found again in its sentences, where no drug mention covers them, as drugs without ADEs (for corpora that annotate only causing drugs, as the ADE corpus).")
    var bystanders = false
    @Option(help: ArgumentHelp("The encoder's matrix products: fp32; bf16 (bfloat16 inputs and float32 sums on AMX or AVX512-BF16 for the forward and input-gradient products, float32 weight gradients: on AMX about 1.4× faster, fp32's F1 in CV); bf16-all (the weight gradients in bfloat16 too: on AMX about 1.8× faster, about a point lower strict F1); or auto (bf16 where the CPU has AMX-BF16, else fp32).",
                               valueName: "p"))
    var precision: TrainingPrecisionOption = .auto

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, not \(epochs)") }
        guard batch > 0 else { throw ValidationError("--batch must be positive, not \(batch)") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive, not \(lr)") }
        guard dropout >= 0, dropout < 1 else { throw ValidationError("--dropout must lie in [0, 1), not \(dropout)") }
        guard attentionDropout >= 0, attentionDropout < 1 else {
            throw ValidationError("--attention-dropout must lie in [0, 1), not \(attentionDropout)")
        }
        guard headLrScale > 0, headLrScale.isFinite else {
            throw ValidationError("--head-lr-scale must be positive, not \(headLrScale)")
        }
        guard drugPairs >= 0, drugPairs <= 1 else { throw ValidationError("--drug-pairs must lie in [0, 1], not \(drugPairs)") }
        do { _ = try TrainingPrecision.resolve(precision.rawValue) } catch { throw ValidationError("\(error)") }
    }

    /// The encoder to fine-tune: --encoder, else found as `EncoderSearch` says (never relative
    /// to the working directory alone, so jobs the workbench starts anywhere find it).
    func resolveEncoder(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EncoderSearch.Found {
        try EncoderSearch.resolve(explicit: encoder, environment: environment,
                                  config: try ConfigFile.loadDefault(environment: environment), executable: currentExecutable())
    }

    var headKind: HeadKind { head.kind }

    var options: TrainingOptions {
        var options = TrainingOptions(epochs: epochs, learningRate: lr, batchSize: batch, seed: seed, dropout: dropout,
                                      attentionDropout: attentionDropout)
        options.headRateScale = headLrScale
        options.precision = (try? TrainingPrecision.resolve(precision.rawValue)) ?? .float32
        return options
    }
}

/// `--head`: the heads by their command-line names (`interaction` is accepted for `interact`);
/// the argument parser refuses any other value, listing these.
enum HeadOption: String, ExpressibleByArgument, CaseIterable {
    case concat, interact, residual

    init?(argument: String) {
        self.init(rawValue: argument == "interaction" ? "interact" : argument)
    }

    var kind: HeadKind {
        switch self {
        case .concat: .concat
        case .interact: .interaction
        case .residual: .residual
        }
    }
}

/// `--precision` of `train` and `cv`: it only names the value (`float32` and `bfloat16` are
/// accepted for fp32 and bf16); `TrainingPrecision.resolve` judges it against the CPU.
enum TrainingPrecisionOption: String, ExpressibleByArgument, CaseIterable {
    case auto, fp32, bf16, bf16All = "bf16-all"

    init?(argument: String) {
        self.init(rawValue: ["float32": "fp32", "bfloat16": "bf16"][argument] ?? argument)
    }
}

/// `--precision` of `predict`: it only names the value (`float32` and `bfloat16` are accepted
/// for fp32 and bf16); `InferencePrecision.resolve` judges it against the CPU.
enum InferencePrecisionOption: String, ExpressibleByArgument, CaseIterable {
    case auto, fp32, bf16

    init?(argument: String) {
        self.init(rawValue: ["float32": "fp32", "bfloat16": "bf16"][argument] ?? argument)
    }
}
