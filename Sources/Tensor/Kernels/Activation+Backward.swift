import CKernels

extension GELU {
    /// Gradient of the erf GELU from its saved input `x`: `dx = dOut · (Φ(x) + x · φ(x))`, where
    /// Φ and φ are the standard normal CDF and density. Writes into `dInput`, which may be `dOut`.
    public static func backward(_ x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, count: Int,
                                into dInput: UnsafeMutablePointer<Float>) {
        if NativeKernels.enabled {
            Parallel.forEachChunk(count) { range in
                vk_gelu_backward(x + range.lowerBound, dOut + range.lowerBound, range.count, dInput + range.lowerBound)
            }
            return
        }
        let invSqrt2: Float = 0.707_106_78, invSqrt2Pi: Float = 0.398_942_28
        Parallel.forEachChunk(count) { range in
            var i = range.lowerBound
            let width = FastMath.Vector.scalarCount
            while i + width <= range.upperBound {
                let v = x.loadVector(i)
                let cdf = 0.5 * (1 + FastMath.erf(v * invSqrt2))
                let pdf = FastMath.exp(-0.5 * v * v) * invSqrt2Pi
                dInput.storeVector(dOut.loadVector(i) * (cdf + v * pdf), i)
                i += width
            }
            while i < range.upperBound {
                let v = x[i]
                let cdf = 0.5 * (1 + FastMath.erf(v * invSqrt2)), pdf = FastMath.exp(-0.5 * v * v) * invSqrt2Pi
                dInput[i] = dOut[i] * (cdf + v * pdf)
                i += 1
            }
        }
    }
}

