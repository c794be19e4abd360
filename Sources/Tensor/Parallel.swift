import CKernels
import Dispatch
import Synchronization

/// How many threads Vigil's own element-wise loops (and OpenBLAS, see `BLAS`) use.
public enum Parallel {
    private static let threadCount = Atomic<Int>(2)

    /// The number of worker threads, at least 1 (default 2, the machine kind's cores).
    public static var threads: Int { threadCount.load(ordering: .relaxed) }

    /// Sets the thread count for element-wise loops and OpenBLAS together.
    public static func setThreads(_ n: Int) {
        threadCount.store(max(1, n), ordering: .relaxed)
        BLAS.setThreads(max(1, n))
    }

    /// Runs `body(range)` over `0..<count` split into contiguous chunks, one per thread.
    /// Work smaller than `minimumPerThread` items per thread stays on the calling thread,
    /// where the split would cost more than it saves.
    public static func forEachChunk(_ count: Int, minimumPerThread: Int = 16_384,
                                    _ body: (Range<Int>) -> Void) {
        let chunks = min(threads, count / max(minimumPerThread, 1))
        if chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        forEachChunk(count, chunks: chunks) { _, range in body(range) }
    }

    /// Runs `body(chunk, range)` over `0..<count` split into exactly `chunks` contiguous,
    /// disjoint ranges (chunk indices `0..<chunks`), concurrently when `chunks > 1` (at most
    /// `threads` at a time on the pool; chunks go to threads as they come free): on the
    /// kernels' thread pool (`vk_pool_run`, whose workers spin briefly between loops, so the
    /// short loops of a forward pass do not pay a thread wake-up each) while `NativeKernels`
    /// are enabled, else, or when another thread's loop holds the pool, on Dispatch. Nested
    /// loops on the pool run serially.
    public static func forEachChunk(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        let chunks = max(1, min(chunks, count))
        if chunks == 1 {
            if count > 0 { body(0, 0..<count) }
            return
        }
        let usePool = NativeKernels.enabled
        withoutActuallyEscaping(body) { body in
            var job = ChunkJob(body: body, count: count, chunks: chunks)
            let pooled = usePool && withUnsafeMutablePointer(to: &job) { pointer in
                vk_pool_run(Int32(min(threads, chunks)), Int32(chunks), { context, index in
                    guard let job = context?.assumingMemoryBound(to: ChunkJob.self).pointee else { return }
                    job.run(Int(index))
                }, pointer) == 1
            }
            guard !pooled else { return }
            // The portable path, or another thread's loop holds the pool: Dispatch.
            let box = UncheckedBox(job)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in box.value.run(c) }
        }
    }
}

/// One parallel loop handed to the C pool: the body and how `0..<count` splits into chunks.
private struct ChunkJob {
    let body: (Int, Range<Int>) -> Void
    let count: Int
    let chunks: Int

    func run(_ c: Int) { body(c, (count * c / chunks)..<(count * (c + 1) / chunks)) }
}

/// Carries a non-Sendable closure into `concurrentPerform`, whose chunks touch disjoint memory.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
