/// PyTorch's `Linear`: `out = input · Wᵀ + b`, with W stored (outFeatures, inFeatures).
public enum Linear {
    /// `out (rows, outFeatures) = input (rows, inFeatures) · weightᵀ + bias`.
    /// The bias is broadcast into `out` first, so the product accumulates onto it (beta = 1).
    /// `precision` is that of the product (see `MatmulPrecision`).
    public static func forward(_ input: UnsafePointer<Float>, rows: Int, inFeatures: Int,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures: Int,
                               into out: UnsafeMutablePointer<Float>, precision: MatmulPrecision = .float32) {
        if let bias {
            for r in 0..<rows { (out + r * outFeatures).update(from: bias, count: outFeatures) }
        }
        Matmul.gemm(precision, transB: true, m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures,
                    b: weight, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: out, ldc: outFeatures)
    }

    /// `input (rows, in) · weight (out, in)ᵀ + bias (out)` as a new (rows, out) tensor.
    public static func forward(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        precondition(input.shape.last == inFeatures, "Linear: input width \(input.shape) != \(inFeatures)")
        let rows = input.count / inFeatures
        var out = Tensor(zeros: Array(input.shape.dropLast()) + [outFeatures])
        input.data.withUnsafeBufferPointer { x in
            weight.data.withUnsafeBufferPointer { w in
                out.data.withUnsafeMutableBufferPointer { o in
                    if let bias {
                        bias.data.withUnsafeBufferPointer { b in
                            forward(x.baseAddress!, rows: rows, inFeatures: inFeatures, weight: w.baseAddress!,
                                    bias: b.baseAddress!, outFeatures: outFeatures, into: o.baseAddress!)
                        }
                    } else {
                        forward(x.baseAddress!, rows: rows, inFeatures: inFeatures, weight: w.baseAddress!,
                                bias: nil, outFeatures: outFeatures, into: o.baseAddress!)
                    }
                }
            }
        }
        return out
    }
}
