import Core
import Corpus
import Foundation

/// Labels sentences with a teacher into one teacher run: a pool of workers asks the backend
/// (or the cache), parses and grounds each answer, and writes it in one transaction.
///
/// Sentences the run has already answered are skipped, so a killed run started again
/// continues where it stopped. A stop request lets in-flight sentences finish writing.
public final class TeacherRunner: @unchecked Sendable {
    /// How the run ended.
    public enum Outcome: Sendable, Equatable {
        case finished
        case cancelled
        /// A non-retryable error stopped the run (its sentence and the rest stay unanswered).
        case failed(TeacherError)
    }

    public let store: CorpusStore
    public let layer: LayerInfo
    public let backend: TeacherBackend
    public let builder: PromptBuilder
    public var model: String
    public var temperature: Double
    public var maxTokens: Int
    public var concurrency: Int
    public var grounder: Grounder
    /// Prices per 1,000 prompt and completion tokens.
    public var pricePrompt: Double
    public var priceCompletion: Double
    /// How often progress is reported, in seconds.
    public var reportInterval = 1.0
    /// Hears each of the first `TeacherFailures.kept` failed sentences as it fails (from a worker thread).
    public var onFailure: (@Sendable (TeacherFailures.Failure) -> Void)?

    private let lock = NSLock()
    private var next = 0
    private var stopping = false
    private var fatal: TeacherError?
    private var storeError: Error?
    private var counts = (done: 0, requests: 0, cacheHits: 0, errors: 0, hallucinations: 0)
    private var failed = TeacherFailures()

    /// The sentences whose request failed in this process, by cause (the fatal one included).
    public var failures: TeacherFailures {
        lock.lock()
        defer { lock.unlock() }
        return failed
    }

    /// Sentences answered in this process (from the network or the cache).
    public var answeredNow: Int {
        lock.lock()
        defer { lock.unlock() }
        return counts.done
    }

    public init(store: CorpusStore, layer: LayerInfo, backend: TeacherBackend, builder: PromptBuilder, model: String,
                temperature: Double = 0, maxTokens: Int = 512, concurrency: Int = 4, grounder: Grounder = Grounder(),
                pricePrompt: Double = 0, priceCompletion: Double = 0) {
        self.store = store
        self.layer = layer
        self.backend = backend
        self.builder = builder
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.concurrency = max(1, concurrency)
        self.grounder = grounder
        self.pricePrompt = pricePrompt
        self.priceCompletion = priceCompletion
    }

    /// Runs over `sentences` (those without drug mentions are skipped). `shouldStop` is polled
    /// between reports; `report` gets progress about every `reportInterval` seconds and at the end.
    public func run(_ sentences: [SentenceView], shouldStop: () -> Bool = { false },
                    report: (TeacherProgress) -> Void = { _ in }) throws -> Outcome {
        guard let run = layer.version, layer.kind == .teacher else { throw TeacherStoreError.notATeacherRun(layer.description) }
        let candidates = sentences.filter { !$0.drugs.isEmpty }
        let answered = try store.teacherAnsweredSentences(run: run)
        let todo = candidates.filter { !answered.contains($0.id) }
        let before = candidates.count - todo.count
        let start = DispatchTime.now().uptimeNanoseconds
        let group = DispatchGroup()
        for _ in 0..<min(concurrency, max(1, todo.count)) {
            group.enter()
            let thread = Thread { [self] in
                work(todo, run: run)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        func progress() -> TeacherProgress {
            lock.lock()
            defer { lock.unlock() }
            return TeacherProgress(done: before + counts.done, total: candidates.count, doneNow: counts.done,
                                   requests: counts.requests, cacheHits: counts.cacheHits, errors: counts.errors,
                                   hallucinations: counts.hallucinations,
                                   elapsed: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        var cancelled = false
        while group.wait(timeout: .now() + reportInterval) == .timedOut {
            if !cancelled, shouldStop() {
                cancelled = true
                lock.lock()
                stopping = true
                lock.unlock()
            }
            report(progress())
        }
        if !cancelled, shouldStop() { cancelled = true }
        report(progress())
        if let storeError { throw storeError }
        if let fatal { return .failed(fatal) }
        return cancelled ? .cancelled : .finished
    }

    private func work(_ todo: [SentenceView], run: Int64) {
        while true {
            lock.lock()
            guard !stopping, next < todo.count else {
                lock.unlock()
                return
            }
            let sentence = todo[next]
            next += 1
            lock.unlock()
            do {
                try answer(sentence)
            } catch let error as TeacherError {
                lock.lock()
                let shown = failed.add(sentenceID: sentence.id, error: error)
                if error.stopsRun {
                    if fatal == nil { fatal = error }
                    stopping = true
                } else {
                    counts.errors += 1
                }
                lock.unlock()
                if shown { onFailure?(TeacherFailures.Failure(sentenceID: sentence.id, error: error)) }
                if !error.stopsRun { try? store.recordTeacherErrors(run: run) }
            } catch {
                lock.lock()
                if storeError == nil { storeError = error }
                stopping = true
                lock.unlock()
            }
        }
    }

    /// Asks about one sentence (or takes the cached answer) and writes the result.
    func answer(_ sentence: SentenceView) throws {
        let messages = builder.messages(for: sentence.id, text: sentence.text)
        let request = TeacherRequest(model: model, messages: messages, temperature: temperature, maxTokens: maxTokens,
                                     sentence: sentence.text)
        let key = CacheKey.of(request, templateHash: builder.template.hash)
        let exchange: TeacherExchange
        var cost = 0.0
        if let cached = try store.cachedTeacherExchange(key: key) {
            exchange = cached
        } else {
            let reply = try backend.complete(request)
            exchange = TeacherExchange(cacheKey: key, model: model, prompt: PromptBuilder.readable(messages),
                                       request: ChatCompletionBody(request).json(), response: reply.text,
                                       promptTokens: reply.promptTokens, completionTokens: reply.completionTokens)
            cost = (Double(reply.promptTokens) * pricePrompt + Double(reply.completionTokens) * priceCompletion) / 1000
        }
        let parsed = AnswerParser.parse(exchange.response, noneAnswer: builder.template.noneAnswer)
        let grounded = grounder.ground(parsed, sentence: sentence)
        let written = try store.recordTeacherAnswer(
            TeacherSentenceAnswer(sentenceID: sentence.id, exchange: exchange, answeredMentions: grounded.answeredMentions,
                                  ades: grounded.ades, ungrounded: grounded.ungrounded, cost: cost),
            layer: layer)
        lock.lock()
        if written {
            counts.done += 1
            if exchange.fromCache { counts.cacheHits += 1 } else { counts.requests += 1 }
            counts.hallucinations += grounded.ungrounded.filter { $0.reason == .adeNotInSentence }.count
        }
        lock.unlock()
    }
}
