import CKernels
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
    /// Per slot (in layout order), the factor on the learning rate (1 unless `scaleRate` changed it).
    public private(set) var rateScales: [Float]

    public init(layout: ParameterLayout, weightDecay: Float = 0.01) {
        m = FlatBuffer(layout: layout)
        v = FlatBuffer(layout: layout)
        self.weightDecay = weightDecay
        rateScales = Array(repeating: 1, count: layout.slots.count)
    }

    /// Multiplies the learning rate (and with it the decoupled decay) of every slot whose name
    /// starts with `prefix` by `factor`: a freshly initialised head can learn faster than the
    /// pretrained encoder it sits on.
    public mutating func scaleRate(ofSlotsWithPrefix prefix: String, by factor: Float) {
        for (k, slot) in m.layout.slots.enumerated() where slot.name.hasPrefix(prefix) { rateScales[k] = factor }
    }

    /// One update of `parameters` from `gradients` (same layout) at learning rate `lr`:
    /// `p -= lr·wd·p` (decaying slots), then `p -= lr · m̂ / (sqrt(v̂) + eps)`, with the gradient
    /// first multiplied by `gradientScale` (clipping's factor, fused here to save a pass over the
    /// buffer). Afterwards the gradients hold zero when `zeroGradients` (ready for the next step,
    /// again without a pass of its own), else their scaled values.
    public mutating func update(_ parameters: FlatBuffer, gradients: FlatBuffer, lr: Float, gradientScale: Float = 1,
                                zeroGradients: Bool = false) {
        step += 1
        let b1 = beta1, b2 = beta2, eps = epsilon, scale = gradientScale
        let correction1 = 1 - Float(Foundation.pow(Double(b1), Double(step)))
        let correction2 = 1 - Float(Foundation.pow(Double(b2), Double(step)))
        let sqrtCorrection2 = correction2.squareRoot()
        let p = parameters.base, g = gradients.base, m1 = m.base, m2 = v.base
        let native = NativeKernels.enabled
        for (k, slot) in parameters.layout.slots.enumerated() {
            let rate = lr * (k < rateScales.count ? rateScales[k] : 1)
            let stepSize = rate / correction1
            let decay: Float = slot.decays ? 1 - rate * weightDecay : 1
            Parallel.forEachChunk(slot.count, minimumPerThread: 65_536) { range in
                var i = slot.offset + range.lowerBound
                let end = slot.offset + range.upperBound
                if native {
                    vk_adamw(p + i, g + i, m1 + i, m2 + i, end - i, b1, b2, stepSize, sqrtCorrection2, eps, decay, scale,
                             zeroGradients ? 1 : 0)
                    return
                }
                let width = FastMath.Vector.scalarCount
                while i + width <= end {
                    let grad = g.loadVector(i) * scale
                    let first = b1 * m1.loadVector(i) + (1 - b1) * grad
                    let second = b2 * m2.loadVector(i) + (1 - b2) * grad * grad
                    m1.storeVector(first, i)
                    m2.storeVector(second, i)
                    p.storeVector(p.loadVector(i) * decay - stepSize * first / (second.squareRoot() / sqrtCorrection2 + eps), i)
                    g.storeVector(zeroGradients ? .zero : grad, i)
                    i += width
                }
                while i < end {
                    let grad = g[i] * scale
                    m1[i] = b1 * m1[i] + (1 - b1) * grad
                    m2[i] = b2 * m2[i] + (1 - b2) * grad * grad
                    p[i] = p[i] * decay - stepSize * m1[i] / (m2[i].squareRoot() / sqrtCorrection2 + eps)
                    g[i] = zeroGradients ? 0 : grad
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

/// Clipping by the global L2 norm of all gradients (PyTorch's `clip_grad_norm_`): `norm`, then
/// `scale`'s factor, which `AdamW.update(gradientScale:)` applies in its own pass.
public enum GradientClipping {
    /// The factor that brings the gradients' global norm down to `maxNorm`: `maxNorm / (norm + 1e-6)`
    /// when the norm exceeds `maxNorm`, else 1.
    public static func scale(norm: Float, maxNorm: Float) -> Float {
        norm > maxNorm ? maxNorm / (norm + 1e-6) : 1
    }

    /// The global L2 norm of `gradients`. `sparseRows` names a matrix slot (rows of `shape[1]`
    /// floats) of which only the listed rows can be non-zero, as a word-embedding table's
    /// gradient after a batch: the others are skipped instead of read (repeats count once).
    public static func norm(_ gradients: FlatBuffer, sparseRows: (slot: String, rows: [Int])? = nil) -> Float {
        let g = gradients.base
        var ranges: [Range<Int>] = [0..<gradients.count]
        var total: Double = 0
        if let sparseRows, let slot = gradients.layout.slot(sparseRows.slot), slot.shape.count == 2 {
            ranges = [0..<slot.offset, (slot.offset + slot.count)..<gradients.count]
            let width = slot.shape[1]
            for row in Set(sparseRows.rows).sorted() where row >= 0 && row < slot.shape[0] {
                total += sumOfSquares(g + slot.offset + row * width, width)
            }
        }
        for range in ranges where !range.isEmpty {
            let count = range.count, start = g + range.lowerBound
            let chunks = max(1, min(Parallel.threads, count / 65_536))
            var partial = [Double](repeating: 0, count: chunks)
            partial.withUnsafeMutableBufferPointer { sums in
                let out = sums.baseAddress!
                Parallel.forEachChunk(count, chunks: chunks) { chunk, r in
                    out[chunk] = sumOfSquares(start + r.lowerBound, r.count)
                }
            }
            total += partial.reduce(0, +)
        }
        return Float(total.squareRoot())
    }

    /// Σ x² over `count` floats: Float lanes over short runs, summed into a Double per run, which
    /// keeps the rounding small.
    private static func sumOfSquares(_ g: UnsafeMutablePointer<Float>, _ count: Int) -> Double {
        var total: Double = 0
        var i = 0
        let width = FastMath.Vector.scalarCount
        while i < count {
            let runEnd = min(count, i + 4_096)
            var lanes = FastMath.Vector.zero
            while i + width <= runEnd { let v = g.loadVector(i); lanes += v * v; i += width }
            var tail: Float = 0
            while i < runEnd { tail += g[i] * g[i]; i += 1 }
            total += Double(lanes.sum()) + Double(tail)
        }
        return total
    }
}
