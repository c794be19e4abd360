import Foundation

/// AdamW (Loshchilov & Hutter), as PyTorch's `torch.optim.AdamW`: decoupled weight decay applied
/// only to slots marked `decays`, bias-corrected moments.
public struct AdamW: Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.01
    /// Steps taken so far.
    public private(set) var step = 0
    private let m: FlatBuffer
    private let v: FlatBuffer

    public init(layout: ParameterLayout, weightDecay: Float = 0.01) {
        m = FlatBuffer(layout: layout)
        v = FlatBuffer(layout: layout)
        self.weightDecay = weightDecay
    }

    /// One update of `parameters` from `gradients` (same layout) at learning rate `lr`:
    /// `p -= lr·wd·p` (decaying slots), then `p -= lr · m̂ / (sqrt(v̂) + eps)`.
    public mutating func update(_ parameters: FlatBuffer, gradients: FlatBuffer, lr: Float) {
        step += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let correction1 = 1 - Float(Foundation.pow(Double(b1), Double(step)))
        let correction2 = 1 - Float(Foundation.pow(Double(b2), Double(step)))
        let stepSize = lr / correction1, sqrtCorrection2 = correction2.squareRoot()
        let p = parameters.base, g = gradients.base, m1 = m.base, m2 = v.base
        for slot in parameters.layout.slots {
            let decay: Float = slot.decays ? 1 - lr * weightDecay : 1
            Parallel.forEachChunk(slot.count, minimumPerThread: 65_536) { range in
                let width = FastMath.Vector.scalarCount
                var i = slot.offset + range.lowerBound
                let end = slot.offset + range.upperBound
                while i + width <= end {
                    let grad = g.loadVector(i)
                    let first = b1 * m1.loadVector(i) + (1 - b1) * grad
                    let second = b2 * m2.loadVector(i) + (1 - b2) * grad * grad
                    m1.storeVector(first, i)
                    m2.storeVector(second, i)
                    p.storeVector(p.loadVector(i) * decay - stepSize * first / (second.squareRoot() / sqrtCorrection2 + eps), i)
                    i += width
                }
                while i < end {
                    let grad = g[i]
                    m1[i] = b1 * m1[i] + (1 - b1) * grad
                    m2[i] = b2 * m2[i] + (1 - b2) * grad * grad
                    p[i] = p[i] * decay - stepSize * m1[i] / (m2[i].squareRoot() / sqrtCorrection2 + eps)
                    i += 1
                }
            }
        }
    }
}

/// Linear warm-up from 0 to the peak rate over `warmupSteps`, then linear decay to 0 at
/// `totalSteps` (Hugging Face's `get_linear_schedule_with_warmup`).
public struct LinearSchedule: Sendable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(1, totalSteps)
    }

    /// The rate for step `step` (0-based: the first update uses `rate(0)`).
    public func rate(_ step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(max(1, warmupSteps)) }
        return peak * Float(max(0, totalSteps - step)) / Float(max(1, totalSteps - warmupSteps))
    }
}

/// Clipping by the global L2 norm of all gradients (PyTorch's `clip_grad_norm_`).
public enum GradientClipping {
    /// Scales `gradients` so their global norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: FlatBuffer, maxNorm: Float) -> Float {
        let g = gradients.base, count = gradients.count
        let chunks = max(1, min(Parallel.threads, count / 65_536))
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { sums in
            let out = sums.baseAddress!
            Parallel.forEachChunk(count, chunks: chunks) { chunk, range in
                // Float lanes over short runs, summed into a Double per run, keep the rounding small.
                var total: Double = 0
                var i = range.lowerBound
                let width = FastMath.Vector.scalarCount
                while i < range.upperBound {
                    let runEnd = min(range.upperBound, i + 4_096)
                    var lanes = FastMath.Vector.zero
                    while i + width <= runEnd { let v = g.loadVector(i); lanes += v * v; i += width }
                    var tail: Float = 0
                    while i < runEnd { tail += g[i] * g[i]; i += 1 }
                    total += Double(lanes.sum()) + Double(tail)
                }
                out[chunk] = total
            }
        }
        let norm = Float(partial.reduce(0, +).squareRoot())
        if norm > maxNorm {
            let scale = maxNorm / (norm + 1e-6)
            Parallel.forEachChunk(count, minimumPerThread: 65_536) { range in
                for i in range { g[i] *= scale }
            }
        }
        return norm
    }
}
