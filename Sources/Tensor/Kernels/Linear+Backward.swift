extension Linear {
    /// Gradients of `out = input · weightᵀ + bias`, accumulated (`+=`) into the gradient buffers.
    ///
    /// Shapes: input (rows, in), weight (out, in), dOut (rows, out). `dInput` (rows, in) is
    /// overwritten unless `accumulateInput`; `dWeight` (out, in) and `dBias` (out) always accumulate,
    /// so several batches (or several uses of one weight) sum into one flat gradient buffer.
    /// `precision` is that of the input-gradient product, `weightPrecision` that of the
    /// weight-gradient product (by default the same; Student's `TrainingPrecision` picks them). The bias gradient
    /// is float32.
    public static func backward(_ input: UnsafePointer<Float>, rows: Int, inFeatures: Int,
                                weight: UnsafePointer<Float>, outFeatures: Int, dOut: UnsafePointer<Float>,
                                dInput: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
                                dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
                                precision: MatmulPrecision = .float32, weightPrecision: MatmulPrecision? = nil) {
        guard rows > 0 else { return }
        if let dInput {
            // dInput (rows, in) = dOut (rows, out) · weight (out, in)
            Matmul.gemm(precision, m: rows, n: inFeatures, k: outFeatures, a: dOut, lda: outFeatures, b: weight,
                        ldb: inFeatures, beta: accumulateInput ? 1 : 0, c: dInput, ldc: inFeatures)
        }
        // dWeight (out, in) += dOutᵀ (out, rows) · input (rows, in)
        Matmul.gemm(weightPrecision ?? precision, transA: true, m: outFeatures, n: inFeatures, k: rows, a: dOut, lda: outFeatures,
                    b: input, ldb: inFeatures, beta: 1, c: dWeight, ldc: inFeatures)
        if let dBias { Elementwise.biasBackward(dOut, rows: rows, cols: outFeatures, dBias: dBias) }
    }
}
