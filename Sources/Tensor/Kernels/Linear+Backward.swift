extension Linear {
    /// Gradients of `out = input · weightᵀ + bias`, accumulated (`+=`) into the gradient buffers.
    ///
    /// Shapes: input (rows, in), weight (out, in), dOut (rows, out). `dInput` (rows, in) is
    /// overwritten unless `accumulateInput`; `dWeight` (out, in) and `dBias` (out) always accumulate,
    /// so several batches (or several uses of one weight) sum into one flat gradient buffer.
    public static func backward(_ input: UnsafePointer<Float>, rows: Int, inFeatures: Int,
                                weight: UnsafePointer<Float>, outFeatures: Int, dOut: UnsafePointer<Float>,
                                dInput: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
                                dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?) {
        guard rows > 0 else { return }
        if let dInput {
            // dInput (rows, in) = dOut (rows, out) · weight (out, in)
            BLAS.sgemm(m: rows, n: inFeatures, k: outFeatures, a: dOut, lda: outFeatures, b: weight, ldb: inFeatures,
                       beta: accumulateInput ? 1 : 0, c: dInput, ldc: inFeatures)
        }
        // dWeight (out, in) += dOutᵀ (out, rows) · input (rows, in)
        BLAS.sgemm(transA: true, m: outFeatures, n: inFeatures, k: rows, a: dOut, lda: outFeatures, b: input,
                   ldb: inFeatures, beta: 1, c: dWeight, ldc: inFeatures)
        if let dBias { Elementwise.biasBackward(dOut, rows: rows, cols: outFeatures, dBias: dBias) }
    }
}
