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

    /// How a training log names it, with the instructions the bf16 products run on.
    public func logDescription(path: BF16GEMM.Path? = BF16GEMM.path) -> String {
        let on = path.map { " (\($0.rawValue))" } ?? ""
        switch self {
        case .float32: return "fp32 products"
        case .bfloat16: return "bf16 products\(on), fp32 weight gradients"
        case .bfloat16All: return "bf16 products\(on), weight gradients included"
        }
    }

    /// The precision a command-line value names: `fp32`, `bf16`, `bf16-all`, or `auto`. `auto`
    /// is bf16 only on AMX, where 10-fold CV showed bf16's strict F1 within 0.3 points of fp32;
    /// on AVX512-BF16 that check has not been run, so `auto` stays fp32 there. Throws, naming
    /// the value, for anything else and for a bfloat16 value where no bf16 path runs (`path` nil).
    public static func resolve(_ option: String, path: BF16GEMM.Path? = BF16GEMM.path) throws -> TrainingPrecision {
        switch option {
        case "auto": return path == .amx ? .bfloat16 : .float32
        case "fp32", "float32": return .float32
        case "bf16", "bfloat16", "bf16-all":
            guard path != nil else {
                throw PrecisionError(message: "--precision \(option) needs a CPU with AMX-BF16 tiles or AVX512-BF16, and this one has "
                                     + "neither (or they are switched off by VIGIL_NO_AMX / VIGIL_NO_AVX512BF16); use --precision fp32")
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
