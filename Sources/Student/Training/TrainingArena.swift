/// Float buffers for one training step, kept between steps so a step does not allocate and
/// page-fault its activations anew. `reset()` starts a step; `take` hands out the next buffer.
final class TrainingArena {
    private var buffers: [UnsafeMutablePointer<Float>] = []
    private var capacities: [Int] = []
    private var next = 0

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// Makes every buffer available again (their contents stay unspecified).
    func reset() { next = 0 }

    /// A buffer of at least `count` floats, zero-filled when `zeroed`.
    func take(_ count: Int, zeroed: Bool = false) -> UnsafeMutablePointer<Float> {
        let size = max(1, count)
        if next == buffers.count {
            buffers.append(.allocate(capacity: size))
            capacities.append(size)
        } else if capacities[next] < size {
            buffers[next].deallocate()
            buffers[next] = .allocate(capacity: size)
            capacities[next] = size
        }
        let buffer = buffers[next]
        next += 1
        if zeroed { buffer.update(repeating: 0, count: size) }
        return buffer
    }

    /// Floats held across all buffers (for memory reports).
    var heldFloats: Int { capacities.reduce(0, +) }
}
