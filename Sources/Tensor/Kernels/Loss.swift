import Foundation

/// Sigmoid binary cross-entropy on logits, the tagger's training loss.
public enum SigmoidBCE {
    /// Over `count` items, the sum of `max(z, 0) - z·y + log(1 + e^-|z|)` (the stable form of
    /// `-y log σ(z) - (1-y) log(1-σ(z))`), and its gradient `dLogits = (σ(z) - y) / normalizer`.
    /// Returns the summed (not averaged) loss so batches can be combined; the gradient is
    /// divided by `normalizer` (the number of items the loss is averaged over).
    @discardableResult
    public static func forwardBackward(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
                                       normalizer: Float, dLogits: UnsafeMutablePointer<Float>) -> Double {
        var total: Double = 0
        for i in 0..<count {
            let z = logits[i], y = targets[i]
            total += Double(max(z, 0) - z * y + log1p(FastMath.exp(-abs(z))))
            dLogits[i] = (Sigmoid.forward(z) - y) / normalizer
        }
        return total
    }
}
