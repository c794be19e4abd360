import Foundation

/// The encoder's activation buffers, kept between forward passes so that each pass does not
/// allocate, page-fault and zero-fill megabytes anew. One pass at a time holds them (a lock).
final class EncoderWorkspace: @unchecked Sendable {
    private let lock = NSLock()
    private var buffers: [UnsafeMutablePointer<Float>] = []
    private var capacities: [Int] = []

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// Runs `body` with buffers of at least `sizes[i]` floats each (contents unspecified).
    func with<R>(_ sizes: [Int], _ body: ([UnsafeMutablePointer<Float>]) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        while buffers.count < sizes.count {
            buffers.append(UnsafeMutablePointer<Float>.allocate(capacity: 1))
            capacities.append(1)
        }
        for (i, size) in sizes.enumerated() where capacities[i] < size {
            buffers[i].deallocate()
            buffers[i] = UnsafeMutablePointer<Float>.allocate(capacity: size)
            capacities[i] = size
        }
        return try body(Array(buffers.prefix(sizes.count)))
    }
}
