import Core
import Foundation
import XCTest
@testable import Corpus

/// The one job lifecycle every job command uses, tested without spawning the binary.
final class JobRunnerTests: XCTestCase {
    private struct Outcome: Encodable, Equatable { var layer: String; var spans: Int }
    private struct Boom: Error, CustomStringConvertible { var description: String { "disk on fire" } }

    func testSuccessStoresTheEncodedResultAndThePid() throws {
        let store = try temporaryStore(self)
        let (id, result) = try JobRunner.run(.predict, store: store, arguments: ["predict", "--model", "m"]) { context in
            XCTAssertEqual(try store.job(context.id).state, .running)
            try context.log("wrote student:1")
            return Outcome(layer: "student:1", spans: 3)
        }
        XCTAssertEqual(result, Outcome(layer: "student:1", spans: 3))
        let job = try store.job(id)
        XCTAssertEqual(job.kind, "predict")
        XCTAssertEqual(job.state, .succeeded)
        XCTAssertEqual(job.pid, getpid())
        XCTAssertEqual(job.arguments, ["predict", "--model", "m"])
        XCTAssertEqual(job.result, #"{"layer":"student:1","spans":3}"#)
        XCTAssertEqual(try store.jobLog(id).last, "wrote student:1")
    }

    func testAnAdoptedRowIsUsedAndAStringResultIsTakenAsJSON() throws {
        let store = try temporaryStore(self)
        let queued = try store.createJob(kind: JobKind.eval.rawValue, arguments: ["--pred", "teacher"])
        let (id, _) = try JobRunner.run(.eval, store: store, adopting: queued, arguments: []) { _ in #"{"f1":0.5}"# }
        XCTAssertEqual(id, queued)
        XCTAssertEqual(try store.jobs().count, 1, "no second row")
        XCTAssertEqual(try store.job(id).result, #"{"f1":0.5}"#)
        XCTAssertEqual(try store.job(id).arguments, ["--pred", "teacher"], "the queued row keeps its arguments")
    }

    func testAFailureIsRecordedWithItsTextAndRethrown() throws {
        let store = try temporaryStore(self)
        XCTAssertThrowsError(try JobRunner.run(.train, store: store, arguments: []) { _ -> String in throw Boom() }) {
            XCTAssertTrue($0 is Boom)
        }
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.error, "disk on fire")
    }

    func testAStopOnRequestEndsCancelledNotFailed() throws {
        let store = try temporaryStore(self)
        var signalled = false
        XCTAssertThrowsError(try JobRunner.run(.cv, store: store, arguments: [], stopRequested: { signalled }) { context -> String in
            XCTAssertFalse(context.shouldStop)
            try store.requestCancel(context.id)
            XCTAssertTrue(context.shouldStop, "the row's cancel flag")
            signalled = true
            throw JobCancelled("cv: stopped at step 3")
        })
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertEqual(job.kind, "cv")
        XCTAssertEqual(job.state, .cancelled)
        XCTAssertEqual(job.error, "cv: stopped at step 3")
        XCTAssertThrowsError(try JobRunner.run(.train, store: store, arguments: [], stopRequested: { true },
                                               cancellation: { $0 is Boom ? "stopped by a signal" : nil }) { context -> String in
            XCTAssertTrue(context.shouldStop, "a signal")
            throw Boom()
        })
        XCTAssertEqual(try store.jobs().first { $0.kind == "train" }?.state, .cancelled, "the command's own cancellation rule")
    }

    func testProgressIsThrottledButTheLastStepAlwaysLands() throws {
        let store = try temporaryStore(self)
        var written: [Bool] = []
        _ = try JobRunner.run(.train, store: store, arguments: [], progressInterval: 3600) { context -> String in
            for step in 1...5 { written.append(try context.progress(done: step, total: 5, message: "step \(step)")) }
            return "{}"
        }
        XCTAssertEqual(written, [true, false, false, false, true])
        let job = try XCTUnwrap(try store.jobs().first)
        XCTAssertEqual(job.done, 5)
        XCTAssertEqual(job.message, "step 5")
    }

    func testEveryKindIsAJobCommand() {
        XCTAssertEqual(JobKind.allCases.map(\.rawValue), ["teach", "train", "cv", "predict", "eval"])
    }
}
