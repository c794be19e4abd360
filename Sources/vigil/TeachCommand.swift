import ArgumentParser
import Core
import Corpus
import Foundation
import HTTP
import Teacher

/// `vigil teach`: label sentences with the LLM teacher into a new (or resumed) teacher run.
struct TeachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teach",
        abstract: "Label sentences with the LLM teacher (OpenAI-compatible API or a replay file).",
        discussion: """
            Asks the teacher about every sentence with a drug mention (or a split's, or the first --limit), \
            with the paper's prompt and --shots examples drawn (seeded) from curated or gold sentences, \
            grounds each answer on its sentence and writes a new teacher layer. Every request and raw \
            response is stored: identical requests are answered from that cache without a network call. \
            Strings that are not in the sentence, and drugs the sentence does not mention, are kept as \
            ungrounded proposals. A killed run continues with --resume; one run has one active job at a time.

            Exit status: 0 when every sentence was answered; 3 when the run finished but some requests \
            failed (their sentences stay unanswered: --resume asks again); 1 when no request succeeded, \
            a fatal error stopped the run, or the run is busy with another job. Failed requests are \
            counted by cause, and the first few are printed and logged.

            Settings come from flags, then the config file's [teacher] table ($VIGIL_CONFIG, else \
            ~/.config/vigil/config.toml). The API key comes from $OPENAI_API_KEY ($AZURE_OPENAI_API_KEY \
            for --kind azure), else teacher.api_key in a config file of mode 0600; it is never stored.

              vigil teach --split holdout:train --model gpt-4o-mini --concurrency 8
              vigil teach --kind vllm --base-url http://localhost:8000/v1 --model NAME
              vigil teach --teacher replay:SampleData/teacher-replay.jsonl
              vigil teach --resume
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("api (an OpenAI-compatible endpoint) or replay:FILE.jsonl.", valueName: "source"))
    var teacher = "api"
    @Option(help: ArgumentHelp("Only these sentences: NAME or NAME:PART.", valueName: "split"), transform: parseSelection)
    var split: SentenceSelection?
    @Option(help: "At most this many sentences (with drug mentions), in corpus order.") var limit: Int?
    @Flag(help: "Only sentences with a drug mention that has no curated decision yet.") var pending = false
    @Option(help: "Examples in the prompt (0 for zero-shot; the paper used 5).") var shots = 5
    @Option(help: "Seed for choosing the examples.") var seed: UInt64 = 1
    @Option(help: "Requests in flight at once (default: teacher.concurrency, else 4).") var concurrency: Int?
    @Option(help: "Model name (Azure: defaults to the deployment).") var model: String?
    @Option(name: .customLong("base-url"), help: "Endpoint base URL, e.g. http://localhost:8000/v1.") var baseURL: String?
    @Option(help: "openai, azure, vllm, llamacpp or ollama.") var kind: String?
    @Option(name: .customLong("api-version"), help: "Azure api-version.") var apiVersion: String?
    @Option(help: "Azure deployment name.") var deployment: String?
    @Option(help: "Sampling temperature (default 0).") var temperature: Double?
    @Option(name: .customLong("max-tokens"), help: "Completion token limit (default 512).") var maxTokens: Int?
    @Option(help: "Seconds per request before it counts as timed out (default 60).") var timeout: Double?
    @Option(name: .customLong("max-attempts"), help: "Attempts per request, retries included (default 6).") var maxAttempts: Int?
    @Option(help: "Requests per minute limit.") var rpm: Int?
    @Option(help: "Tokens per minute limit.") var tpm: Int?
    @Option(name: .customLong("max-response-bytes"),
            help: ArgumentHelp("The most bytes one answer may hold; a longer one fails its request (k, M, G suffixes; default 4M).",
                               valueName: "bytes"),
            transform: parseByteCountOption)
    var maxResponseBytes: Int?
    @Option(help: "Which occurrences of an ADE string become spans: nearest (to the drug), first or all.")
    var grounding = "nearest"
    @Flag(help: "Continue the latest teacher run with its recorded settings.") var resume = false
    @Option(name: .customLong("run"), help: ArgumentHelp("Continue this teacher run.", valueName: "run"))
    var runID: Int64?
    @Option(help: ArgumentHelp("Adopt this queued job row (set by the workbench).", valueName: "id")) var job: Int64?
    @Flag(help: "Print the run's summary as one JSON object.") var json = false

    func validate() throws {
        if shots < 0 { throw ValidationError("--shots \(shots): must be 0 or more") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency \(concurrency): must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit \(limit): must be at least 1") }
        if GroundingMode(rawValue: grounding) == nil {
            throw ValidationError("--grounding \(grounding): must be nearest, first or all")
        }
        if let kind, EndpointKind(rawValue: kind) == nil {
            throw ValidationError("--kind \(kind): must be one of \(EndpointKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if teacher != "api", !teacher.hasPrefix("replay:") {
            throw ValidationError("--teacher \(teacher): must be api or replay:FILE.jsonl")
        }
    }

    func run() throws {
        let store = try corpus.open()
        let jobID = try job ?? store.createJob(kind: JobKind.teach.rawValue, arguments: Array(CommandLine.arguments.dropFirst()))
        try store.startJob(jobID, pid: getpid())
        do {
            try teach(store, jobID: jobID)
        } catch let exit as ExitCode {
            throw exit  // the job row already says how the run ended
        } catch {
            try? store.finishJob(jobID, state: .failed, error: "\(error)")
            throw error
        }
    }

    private func teach(_ store: CorpusStore, jobID: Int64) throws {
        // The run: resumed with its recorded settings, or new.
        var plan = TeachPlan(command: self)
        var resumed: LayerInfo?
        if resume || runID != nil {
            let layer = try store.layer(LayerRef(.teacher, version: runID))
            guard let id = layer.version else { throw ValidationError("no teacher run to resume") }
            try store.claimTeacherRun(id, job: jobID)
            plan.adopt(try store.teacherRunInfo(run: id), endpoints: try store.teacherRunEndpoints(run: id))
            resumed = layer
        }
        let settings = try plan.settings(environment: ProcessInfo.processInfo.environment)
        let backend: TeacherBackend
        if plan.teacher.hasPrefix("replay:") {
            backend = try ReplayTeacher(path: String(plan.teacher.dropFirst("replay:".count)))
        } else {
            guard settings.model != nil || settings.deployment != nil else {
                throw ValidationError("--model is required (or teacher.model in the config file)")
            }
            backend = try CurlChatClient(settings: settings)
        }
        let model = plan.model(settings)
        let template = PromptTemplate.paper
        let runLayer = try resumed ?? store.createTeacherRun(CorpusStore.TeacherRunInfo(
            model: model, endpoint: "\(backend.endpointKind) \(backend.endpoint)", templateHash: template.hash,
            shots: plan.shots, seed: Int(truncatingIfNeeded: plan.seed), params: plan.params(settings)))
        guard let runID = runLayer.version else { throw ValidationError("no teacher run") }
        if resumed == nil { try store.claimTeacherRun(runID, job: jobID) }
        let endpoint = "\(backend.endpointKind) \(backend.endpoint)"
        if resumed != nil, let previous = try store.teacherRunEndpoints(run: runID).max(by: { $0.lastUsedAt < $1.lastUsedAt }),
           previous.endpoint != endpoint {
            note("teacher run \(runID): resumed via \(endpoint) (it used \(previous.endpoint) before; the run records every endpoint)")
        }
        try store.recordTeacherRunEndpoint(run: runID, endpoint: endpoint,
                                           kind: backend is CurlChatClient ? settings.kind.rawValue : nil,
                                           baseURL: backend is CurlChatClient ? settings.baseURL : nil)
        try store.logJob(jobID, "teacher run \(runID): \(model) via \(endpoint), \(plan.shots) shots")

        var sentences = try store.sentenceViews(layer: runLayer, selection: plan.split ?? .all).filter { !$0.drugs.isEmpty }
        if plan.pending { sentences = sentences.filter { $0.drugs.contains { $0.review == .pending } } }
        if let limit = plan.limit { sentences = Array(sentences.prefix(limit)) }

        let builder = PromptBuilder(template: template, shots: plan.shots, seed: plan.seed,
                                    pool: plan.shots > 0 ? try PromptBuilder.examplePool(store) : [])
        let runner = TeacherRunner(store: store, layer: runLayer, backend: backend, builder: builder, model: model,
                                   temperature: settings.temperature, maxTokens: settings.maxTokens,
                                   concurrency: settings.concurrency,
                                   grounder: Grounder(mode: GroundingMode(rawValue: plan.grounding) ?? .nearest),
                                   pricePrompt: settings.pricePrompt ?? 0, priceCompletion: settings.priceCompletion ?? 0)
        runner.onFailure = { failure in
            note("teach: request failed: " + failure.message)
            try? store.logJob(jobID, "request failed: " + failure.message)
        }
        let stop = StopSignal("teach: stopping after the sentences in flight")
        note("teacher run \(runID) (layer teacher:\(runID)): \(sentences.count) sentences, \(model), concurrency \(settings.concurrency)")
        let outcome = try runner.run(sentences, shouldStop: {
            stop.isSet || ((try? store.isCancelRequested(jobID)) ?? false)
        }, report: { progress in
            note("teach: " + progress.message)
            try? store.reportProgress(jobID, done: progress.done, total: progress.total, message: progress.message)
        })

        let stats = try store.teacherRunStats(run: runID)
        let summary = TeachSummary(run: runID, layer: "teacher:\(runID)", outcome: outcome, failures: runner.failures,
                                   answeredNow: runner.answeredNow, stats: stats,
                                   priced: settings.pricePrompt != nil || settings.priceCompletion != nil)
        if json { print(try summary.json()) } else { print(summary.text) }
        try store.logJob(jobID, summary.text)
        let result = try summary.json()
        switch summary.outcome {
        case "finished": try store.finishJob(jobID, state: .succeeded, result: result)
        case "partial":
            try store.finishJob(jobID, state: .succeeded, result: result, error: summary.error)
            note("teach: \(summary.error ?? "some requests failed")")
            throw ExitCode(TeachSummary.partialExitCode)
        case "cancelled": try store.finishJob(jobID, state: .cancelled, result: result, error: summary.error)
        default:
            try store.finishJob(jobID, state: .failed, result: result, error: summary.error)
            note("error: \(summary.error ?? "the run failed")")
            throw ExitCode(1)
        }
    }
}

/// Sets a flag on SIGTERM or SIGINT, so a long command stops at its next safe point.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []
    /// What the first signal prints, e.g. "teach: stopping after the sentences in flight".
    private let message: String

    init(_ message: String) {
        self.message = message
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.set() }
            source.resume()
            sources.append(source)
        }
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }

    /// The first signal asks for a clean stop; a second one exits at once (what was written
    /// is whole: each command writes in transactions).
    private func set() {
        lock.lock()
        let again = flag
        flag = true
        lock.unlock()
        if again { exit(130) }
        note("\(message) (again to quit now)")
    }
}
