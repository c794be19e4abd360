import Tensor

/// Which of a training step's matrix products round their inputs to bfloat16 (`--precision`).
///
/// A linear layer's step has three products: the forward one, the input gradient
/// (`dOut · W`) and the weight gradient (`dOutᵀ · X`). The weight gradient sums over every
/// token of the batch, and rounding its two inputs to bfloat16 costs about a point of strict F1
/// in cross-validation; the other two products tolerate it. So `bfloat16` keeps the weight
/// gradients in float32, and `bfloat16All` (faster, that point lower) rounds them too.
public enum TrainingPrecision: String, Sendable, CaseIterable {
    /// Every product in float32.
    case float32 = "fp32"
    /// Forward and input-gradient products in bfloat16, weight-gradient products in float32.
    case bfloat16 = "bf16"
    /// Every product of the encoder in bfloat16, the weight gradients' included.
    case bfloat16All = "bf16-all"

    /// The precision of the forward and input-gradient products.
    public var products: MatmulPrecision { self == .float32 ? .float32 : .bfloat16 }
    /// The precision of the weight-gradient products.
    public var weightGradients: MatmulPrecision { self == .bfloat16All ? .bfloat16 : .float32 }

    /// How a training log names it.
    public var logDescription: String {
        switch self {
        case .float32: "fp32 products"
        case .bfloat16: "bf16 products (AMX), fp32 weight gradients"
        case .bfloat16All: "bf16 products (AMX), weight gradients included"
        }
    }

    /// The precision a command-line value names: `fp32`, `bf16`, `bf16-all`, or `auto` (bf16
    /// where the CPU has AMX-BF16, else fp32). Throws, naming the value, for anything else and
    /// for a bfloat16 value on a CPU without AMX-BF16.
    public static func resolve(_ option: String, amxAvailable: Bool = BF16GEMM.available) throws -> TrainingPrecision {
        switch option {
        case "auto": return amxAvailable ? .bfloat16 : .float32
        case "fp32", "float32": return .float32
        case "bf16", "bfloat16", "bf16-all":
            guard amxAvailable else {
                throw PrecisionError(message: "--precision \(option) needs a CPU with AMX-BF16 tiles, and this one has none "
                                     + "(or Linux refused the tile state); use --precision fp32")
            }
            return option == "bf16-all" ? .bfloat16All : .bfloat16
        default:
            throw PrecisionError(message: "--precision \(option): must be auto, fp32, bf16 or bf16-all")
        }
    }
}

/// A `--precision` value that cannot be used here.
public struct PrecisionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
