import CKernels

/// GELU, erf form: `gelu(x) = x/2 · (1 + erf(x/√2))` (BERT's `hidden_act = "gelu"`).
public enum GELU {
    /// In place over `count` floats, both cores for large buffers.
    public static func forward(_ x: UnsafeMutablePointer<Float>, count: Int) {
        if NativeKernels.enabled {
            Parallel.forEachChunk(count) { range in
                vk_gelu_into(x + range.lowerBound, range.count, x + range.lowerBound)
            }
            return
        }
        Parallel.forEachChunk(count) { range in
            var i = range.lowerBound
            let width = FastMath.Vector.scalarCount
            while i + width <= range.upperBound {
                let v = x.loadVector(i)
                x.storeVector(0.5 * v * (1 + FastMath.erf(v * 0.707_106_78)), i)
                i += width
            }
            while i < range.upperBound {
                let v = x[i]
                x[i] = 0.5 * v * (1 + FastMath.erf(v * 0.707_106_78))
                i += 1
            }
        }
    }

    /// `out = gelu(x)` over `count` floats, keeping `x` (training saves the input for the backward pass).
    public static func forward(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>) {
        if NativeKernels.enabled {
            Parallel.forEachChunk(count) { range in vk_gelu_into(x + range.lowerBound, range.count, out + range.lowerBound) }
            return
        }
        out.update(from: x, count: count)
        forward(out, count: count)
    }

    /// The GELU of every element of a tensor.
    public static func forward(_ t: Tensor) -> Tensor {
        var out = t
        out.data.withUnsafeMutableBufferPointer { forward($0.baseAddress!, count: $0.count) }
        return out
    }
}

/// The logistic sigmoid `1 / (1 + e^-x)`.
public enum Sigmoid {
    public static func forward(_ x: Float) -> Float { 1 / (1 + FastMath.exp(-x)) }
}
