import Dispatch
import Synchronization
import XCTest
@testable import Tensor

/// `Parallel.forEachChunk` on the kernels' C thread pool: every index exactly once, also when
/// loops nest (they run serially inside) or when several threads start loops at once (all but
/// one fall back to Dispatch).
final class ThreadPoolTests: XCTestCase {
    /// How often each index of `0..<count` was visited (chunks write disjoint slots).
    private static func coverage(_ count: Int, chunks: Int) -> [Int] {
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0)
        Parallel.forEachChunk(count, chunks: chunks) { _, range in
            for i in range { hits[i] += 1 }
        }
        return Array(hits)
    }

    func testManyShortLoopsInARowCoverEveryIndexOnce() {
        for round in 0..<500 {
            let count = 1 + round % 37
            XCTAssertEqual(Self.coverage(count, chunks: 1 + round % 5), [Int](repeating: 1, count: count), "round \(round)")
        }
    }

    func testNestedLoopsRunAndCoverEveryPair() {
        let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: 72)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0)
        Parallel.forEachChunk(8, chunks: 4) { _, outer in
            for i in outer {
                Parallel.forEachChunk(9, chunks: 3) { _, inner in
                    for j in inner { hits[i * 9 + j] += 1 }
                }
            }
        }
        XCTAssertEqual(Array(hits), [Int](repeating: 1, count: 72))
    }

    func testLoopsStartedFromSeveralThreadsAtOnceAllComplete() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 6) { t in
            for round in 0..<50 {
                let count = 10 + (t + round) % 20
                if Self.coverage(count, chunks: 2 + t % 3) != [Int](repeating: 1, count: count) {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
    }
}
