import Core
import Corpus
import Foundation
import TerminalUI

/// The workbench loop: messages in, `update`, effects through the runner, render, diff
/// onto the terminal. One thread talks to the terminal.
public final class WorkbenchApp {
    public private(set) var model: WorkbenchModel
    public let runner: EffectRunner
    public let terminal: Terminal

    public init(model: WorkbenchModel, runner: EffectRunner, terminal: Terminal) {
        self.model = model
        self.runner = runner
        self.terminal = terminal
        runner.applyTheme = { [weak terminal] theme in
            terminal?.theme = theme
            terminal?.invalidate()
        }
    }

    /// Loads the queue and builds the first model, positioned on the first pending item.
    public static func initialModel(store: CorpusStore, keymap: Keymap, author: String, themeName: String,
                                    now: Date = Date()) throws -> WorkbenchModel {
        // Read first: a decision made while the queue loads is reported again, never missed.
        let version = try store.lastReviewEventID(), mentions = try store.lastDrugMentionID()
        // An adjudicator with disputes waiting works through them, most disputed first.
        let disputes = try store.curatorRole(author) == .adjudicator ? try store.disputes() : []
        let queue = disputes.isEmpty ? try store.queueEntries(curator: author)
            : disputes.map { QueueEntry(item: $0.item, state: .pending, drug: $0.drug) }
        var model = WorkbenchModel(queue: queue, keymap: keymap, author: author, themeName: themeName, now: now)
        model.disputes = Dictionary(uniqueKeysWithValues: disputes.map { ($0.item.drugMentionID, $0) })
        model.team = try store.hasAssignments() || store.curators().filter { !Resolution.isImport($0.name) }.count > 1
        model.cursor = model.queue.firstIndex { $0.state == .pending } ?? 0
        model.corpusName = URL(fileURLWithPath: store.path).lastPathComponent
        model.reviewVersion = version
        model.mentionVersion = mentions
        return model
    }

    /// Sends a message and runs every effect it causes (and theirs) to completion.
    public func send(_ msg: Msg) {
        var queue = [msg]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            for effect in model.update(next) {
                queue += runner.run(effect)
            }
        }
    }

    /// Draws the current model; returns the number of cells sent to the terminal.
    @discardableResult
    public func frame() -> Int {
        terminal.present(model.render())
    }

    /// The first frame: size, the current item loaded, jobs and (unless `metrics` is
    /// false) scores requested in the background.
    public func start(metrics: Bool = true) {
        let size = terminal.backend.size
        runner.watchChanges(after: model.reviewVersion, mentionsAfter: model.mentionVersion)
        send(.tick(Date()))
        send(.resize(width: size.width, height: size.height))
        for effect in model.select(model.cursor) {
            for msg in runner.run(effect) { send(msg) }
        }
        frame()
        for msg in runner.pollJobs() { send(msg) }
        if metrics { runner.refreshMetricsInBackground() }
        if metrics, model.team { runner.refreshAgreementInBackground() }
    }

    /// Others' decisions since the last poll, sent through `update` (the open item and the
    /// counts follow them).
    public func pollChanges() {
        for msg in runner.pollChanges() { send(msg) }
    }

    /// Runs until quit or `shouldStop` says so (a signal). Polls jobs and others' decisions
    /// about once a second.
    public func run(shouldStop: () -> Bool = { false }) {
        start()
        var lastPoll = Date()
        while !runner.quitRequested, !shouldStop() {
            if let key = terminal.backend.readKey(timeoutMilliseconds: 200) {
                send(.tick(Date()))
                if key == .resize {
                    let size = terminal.backend.size
                    terminal.invalidate()
                    send(.resize(width: size.width, height: size.height))
                } else {
                    send(.key(key))
                }
            }
            for msg in runner.drain() { send(msg) }
            if Date().timeIntervalSince(lastPoll) >= 1 {
                lastPoll = Date()
                send(.tick(lastPoll))
                for msg in runner.pollJobs() { send(msg) }
                pollChanges()
            }
            frame()
        }
    }
}
