import Tensor

/// The precision of the encoder's products when it tags sentences (`vigil predict --precision`).
///
/// `bf16` rounds the blocks' four products (QKV, attention output, intermediate, output) to
/// bfloat16 with float32 accumulation on AVX512-BF16 (`VDPBF16PS`, which AMX CPUs have too);
/// attention's own products, layer norms, GELU and the head stay float32. On the 8:1:1 test
/// split its predictions score within 0.3 points of float32's (docs/student.md), so `auto`
/// takes it wherever the CPU has the instructions.
public enum InferencePrecision {
    /// The precision a command-line value names: `auto` (bf16 where the CPU has AVX512-BF16,
    /// fp32 elsewhere), `fp32` or `bf16`. Throws, naming the value, for anything else and for
    /// `bf16` where the CPU cannot run it (or `VIGIL_NO_AVX512BF16` switches it off).
    public static func resolve(_ option: String, available: Bool = BF16GEMM.inferenceAvailable) throws -> MatmulPrecision {
        switch option {
        case "auto": return available ? .bfloat16 : .float32
        case "fp32", "float32": return .float32
        case "bf16", "bfloat16":
            guard available else {
                throw PrecisionError(message: "--precision \(option) needs a CPU with AVX512-BF16, and this one has none "
                                     + "(or VIGIL_NO_AVX512BF16 switches it off); use --precision fp32")
            }
            return .bfloat16
        default:
            throw PrecisionError(message: "--precision \(option): must be auto, fp32 or bf16")
        }
    }

    /// How a log names the precision an encoder runs in.
    public static func describe(_ precision: MatmulPrecision) -> String {
        precision == .bfloat16 ? "bf16 products (AVX512-BF16)" : "fp32 products"
    }
}
