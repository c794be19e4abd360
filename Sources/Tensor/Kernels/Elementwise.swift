import CKernels

/// Bias add and residual add, the two broadcasting additions of a transformer block, and the
/// element-wise product that applies dropout masks.
public enum Elementwise {
    /// `out = a ⊙ b` over `count` floats, in vector lanes (`out` may be `a` or `b`).
    public static func multiply(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                count: Int) {
        let width = FastMath.Vector.scalarCount
        var i = 0
        while i + width <= count { out.storeVector(a.loadVector(i) * b.loadVector(i), i); i += width }
        while i < count { out[i] = a[i] * b[i]; i += 1 }
    }

    /// `x (rows, cols) += bias (cols)` for every row.
    public static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        Parallel.forEachChunk(rows, minimumPerThread: max(1, 32_768 / max(cols, 1))) { range in
            for r in range {
                let row = x + r * cols
                for j in 0..<cols { row[j] += bias[j] }
            }
        }
    }

    /// `x += residual`, element by element over `count` floats.
    public static func addResidual(_ x: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>, count: Int) {
        let native = NativeKernels.enabled
        Parallel.forEachChunk(count, minimumPerThread: 65_536) { range in
            if native { vk_add(x + range.lowerBound, residual + range.lowerBound, range.count); return }
            for i in range { x[i] += residual[i] }
        }
    }

    /// `a + b` for two tensors of the same shape.
    public static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "Elementwise.add: shapes \(a.shape) and \(b.shape) differ")
        var out = a
        out.data.withUnsafeMutableBufferPointer { o in
            b.data.withUnsafeBufferPointer { addResidual(o.baseAddress!, $0.baseAddress!, count: a.count) }
        }
        return out
    }

    /// `x (rows, cols) + bias (cols)` for a tensor.
    public static func addBias(_ x: Tensor, _ bias: Tensor) -> Tensor {
        let cols = bias.count
        precondition(x.shape.last == cols, "Elementwise.addBias: \(x.shape) vs bias \(bias.shape)")
        var out = x
        out.data.withUnsafeMutableBufferPointer { o in
            bias.data.withUnsafeBufferPointer { addBias(o.baseAddress!, rows: x.count / cols, cols: cols, bias: $0.baseAddress!) }
        }
        return out
    }
}
