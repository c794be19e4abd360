import ArgumentParser
import Core
import Corpus
import Foundation

extension CuratorRole: ExpressibleByArgument {}

/// `vigil curators`: who works on this corpus, in which role, with their figures.
struct CuratorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curators",
        abstract: "List the curators of a corpus with their counts and agreement; add one or change a role.",
        discussion: """
            Everyone who decides becomes a curator (--as NAME, else $VIGIL_CURATOR, else the login name).
              vigil curators
              vigil curators add carol
              vigil curators set carol --role adjudicator
            """,
        subcommands: [List.self, Add.self, Set.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Curators with items decided, time on item and agreement.")
        @OptionGroup var corpus: CorpusOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try corpus.open()
            let curators = try store.curators()
            let agreement = Agreement(items: try store.agreementItems())
            if json {
                struct Entry: Encodable {
                    var curator: CuratorSummary
                    var agreement: Agreement.Curator?
                }
                print(try jsonString(curators.map { Entry(curator: $0, agreement: agreement.curator($0.name)) }))
                return
            }
            guard !curators.isEmpty else {
                print("no curators yet: the first decision (vigil review set, or the workbench) registers its author")
                return
            }
            print("\(pad("curator", 18))\(pad("role", 12))\(pad("decided", 9))\(pad("parked", 8))\(pad("assigned", 14))\(pad("ruled", 7))\(pad("time/item", 11))\(pad("κ mean", 8))vs gold S/L")
            for c in curators {
                let figures = agreement.curator(c.name)
                let kappas = agreement.pairs.filter { $0.a == c.name || $0.b == c.name }.compactMap(\.kappa)
                let kappa = kappas.isEmpty ? "-" : String(format: "%.2f", kappas.reduce(0, +) / Double(kappas.count))
                let gold = figures.flatMap { f in f.goldStrictF1.map { String(format: "%.1f/%.1f", $0 * 100, (f.goldLenientF1 ?? 0) * 100) } } ?? "-"
                let perItem = c.decided == 0 || c.timeOnItemMilliseconds == 0 ? "-"
                    : String(format: "%.1f s", Double(c.timeOnItemMilliseconds) / 1000 / Double(c.decided))
                let assigned = c.assigned == 0 ? "-" : "\(c.assigned) (\(c.assignedPending) open)"
                print("\(pad(c.name, 18))\(pad(c.role.rawValue, 12))\(pad("\(c.decided)", 9))\(pad("\(c.parked)", 8))\(pad(assigned, 14))\(pad("\(c.adjudications)", 7))\(pad(perItem, 11))\(pad(kappa, 8))\(gold)")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a curator (needed before work is assigned to them).")
        @OptionGroup var corpus: CorpusOptions
        @Argument(help: "The curator's name.") var name: String
        @Option(help: "curator or adjudicator.") var role: CuratorRole = .curator

        func run() throws {
            let store = try corpus.open()
            if try store.addCurator(name, role: role) {
                print("added \(name) (\(role.rawValue))")
            } else {
                print("\(name) is already a curator (\(try store.curatorRole(name)?.rawValue ?? "?")); nothing changed")
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a curator's role.")
        @OptionGroup var corpus: CorpusOptions
        @Argument(help: "The curator's name.") var name: String
        @Option(help: "curator or adjudicator.") var role: CuratorRole

        func run() throws {
            try corpus.open().setRole(name, role)
            print("\(name) is now \(role == .adjudicator ? "an adjudicator" : "a curator")")
        }
    }
}

/// `vigil assign`: share the pending items out among curators, with an overlap to measure agreement.
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Share the pending items out to curators; a seeded overlap share goes to two of them.",
        discussion: """
            Each pending, unassigned item goes to one curator, and a share --overlap of them to two, so that \
            agreement can be measured. Re-running assigns only what is still unassigned. Once anything is \
            assigned, each curator sees their own queue, blind to the others' answers. --dynamic hands \
            items out as queues open; --claim takes the next items now.

              vigil assign --curators alice,bob,carol --overlap 0.2 --seed 1
              vigil assign --curators alice,bob --overlap 0.2 --split holdout:train
              vigil assign --show
              vigil assign --dynamic --curators alice,bob --overlap 0.2
              vigil assign --claim --as alice
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("The curators, comma-separated (registered: see `vigil curators`).", valueName: "a,b,..."),
            transform: { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    var curators: [String] = []
    @Option(help: ArgumentHelp("The share of items two curators decide, 0 to 1.", valueName: "share"))
    var overlap: Double = 0
    @Option(help: ArgumentHelp("Only these sentences: NAME or NAME:PART.", valueName: "split"), transform: parseSelection)
    var split: SentenceSelection?
    @Option(help: "Seed for which items are shared and how ties are broken.") var seed: UInt64 = 1
    @Flag(help: "Print per-curator counts and stop.") var show = false
    @Flag(help: "Dynamic assignment: hand each curator their next items when they open their queue.") var dynamic = false
    @Flag(help: "Under dynamic assignment: take your next items now (with --as).") var claim = false
    @Option(help: "With --claim: how many undecided items to hold.") var count = 20
    @OptionGroup var curator: CuratorOption

    func validate() throws {
        if !show && !claim && curators.isEmpty { throw ValidationError("--curators a,b,... is required (or --show, --claim)") }
        if !(0...1).contains(overlap) { throw ValidationError("--overlap \(overlap) is outside 0...1") }
        if count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        let store = try corpus.open()
        if show { return try printCounts(store) }
        if claim {
            let claimed = try store.claim(curator: curator.name, count: count)
            guard try store.dynamicAssignment() != nil else {
                throw ValidationError("dynamic assignment is off: start it with `vigil assign --dynamic --curators ...`")
            }
            print("\(curator.name) took \(claimed.count) item\(claimed.count == 1 ? "" : "s")")
            return
        }
        if dynamic {
            try store.setDynamicAssignment(curators: curators, overlap: overlap, seed: seed, sentences: split ?? .all)
            print("dynamic assignment on for \(curators.joined(separator: ", ")), overlap \(overlap): each curator is handed items when they open the workbench (or run `vigil assign --claim --as NAME`)")
            return
        }
        let summary = try store.assign(curators: curators, overlap: overlap, seed: seed, sentences: split ?? .all)
        print("assigned \(summary.items) items, \(summary.shared) of them to two curators")
        for (name, n) in summary.counts.sorted(by: { $0.key < $1.key }) { print("  \(pad(name, 18))+\(n)") }
    }

    private func printCounts(_ store: CorpusStore) throws {
        let counts = try store.assignmentCounts()
        guard !counts.isEmpty else {
            print("nothing is assigned: every curator sees every item")
            return
        }
        print("\(pad("curator", 18))\(pad("assigned", 10))\(pad("decided", 9))shared")
        for c in counts { print("\(pad(c.curator, 18))\(pad("\(c.assigned)", 10))\(pad("\(c.decided)", 9))\(c.shared)") }
        if let policy = try store.dynamicAssignment() {
            print("dynamic assignment: \(policy.curators.joined(separator: ", ")), overlap \(policy.overlap)")
        }
    }
}

/// `vigil agreement`: how far curators agree, by the paper's own metric.
struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Inter-curator agreement: strict/lenient (drug, ADE) F1 per pair, Cohen's kappa, Krippendorff's alpha.",
        discussion: """
            For every pair of curators, on the items both decided: strict and lenient F1 between their \
            (drug, ADE) pairs (symmetric), and Cohen's kappa on "has an ADE". Krippendorff's alpha (nominal) \
            covers every curator at once. Each curator is also scored against gold where gold exists, and \
            counted against the teacher (items where they kept its spans unchanged).
              vigil agreement
              vigil agreement --split holdout:train --json
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("Only these sentences: NAME or NAME:PART.", valueName: "split"), transform: parseSelection)
    var split: SentenceSelection?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let agreement = Agreement(items: try corpus.open().agreementItems(sentences: split ?? .all))
        if json { return print(try jsonString(agreement)) }
        guard !agreement.curators.isEmpty else { return print("no curator has decided an item yet") }
        func percent(_ x: Double?) -> String { x.map { String(format: "%.2f", $0 * 100) } ?? "-" }
        if agreement.pairs.isEmpty {
            print("one curator only: agreement needs two curators deciding the same items (vigil assign --overlap)")
        } else {
            print("\(pad("pair", 26))\(pad("items", 7))\(pad("pairs", 10))\(pad("strict F1", 11))\(pad("lenient F1", 12))\(pad("kappa", 7))differ")
            for p in agreement.pairs {
                print("\(pad("\(p.a) – \(p.b)", 26))\(pad("\(p.items)", 7))\(pad("\(p.pairsA)/\(p.pairsB)", 10))\(pad(percent(p.items == 0 ? nil : p.strictF1), 11))\(pad(percent(p.items == 0 ? nil : p.lenientF1), 12))\(pad(p.kappa.map { String(format: "%.3f", $0) } ?? "-", 7))\(p.disagreements)")
            }
            print("Krippendorff's alpha (has an ADE, nominal): \(agreement.alpha.map { String(format: "%.3f", $0) } ?? "-") over \(agreement.alphaItems) items")
        }
        print("\(pad("curator", 18))\(pad("items", 7))\(pad("gold items", 12))\(pad("gold S F1", 11))\(pad("gold L F1", 11))teacher kept")
        for c in agreement.curators {
            let kept = c.teacherItems == 0 ? "-" : "\(c.teacherUnchanged)/\(c.teacherItems) (\(percent(c.teacherUnchangedRate))%)"
            print("\(pad(c.name, 18))\(pad("\(c.items)", 7))\(pad("\(c.goldItems)", 12))\(pad(percent(c.goldStrictF1), 11))\(pad(percent(c.goldLenientF1), 11))\(kept)")
        }
    }
}

/// `vigil adjudicate`: rule on the items curators disagree about.
struct AdjudicateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjudicate",
        abstract: "List disputed items (most disputed first) or rule on one: take a curator's answer, the union, or your own.",
        discussion: """
            Only an adjudicator may rule (vigil curators set NAME --role adjudicator). A ruling is its own \
            event (who, when, from which answers) and `vigil review undo --as NAME` undoes it.
              vigil adjudicate --list
              vigil adjudicate 12/40 --take alice --as dana
              vigil adjudicate 12/40 --union --as dana
              vigil adjudicate 12/40 --span 33:44 --as dana      (a draft of your own)
              vigil adjudicate 12/40 --no-ade --as dana
            """)

    @OptionGroup var corpus: CorpusOptions
    @Flag(help: "List the disputed items, most disputed first.") var list = false
    @Argument(help: ArgumentHelp("The item, SENTENCE/MENTION.", valueName: "item"), transform: parseItem)
    var item: ItemKey?
    @Option(help: ArgumentHelp("Take this curator's answer.", valueName: "name")) var take: String?
    @Flag(help: "Take the union of the curators' spans.") var union = false
    @Flag(name: .customLong("no-ade"), help: "Rule that the drug causes no ADE here.") var noADE = false
    @Option(name: .customLong("span"), help: ArgumentHelp("Your own ADE span START:END (repeatable).", valueName: "start:end"),
            transform: parseSpan)
    var spans: [Span] = []
    @Option(help: "A note on the ruling.") var note: String?
    @OptionGroup var curator: CuratorOption

    func validate() throws {
        if list { return }
        guard item != nil else { throw ValidationError("give an item SENTENCE/MENTION, or --list") }
        let choices = [take != nil, union, noADE, !spans.isEmpty].filter { $0 }.count
        if choices != 1 { throw ValidationError("choose exactly one of --take NAME, --union, --no-ade, --span") }
    }

    func run() throws {
        let store = try corpus.open()
        if list {
            let disputes = try store.disputes()
            guard !disputes.isEmpty else { return print("no disputed items") }
            for d in disputes {
                let answers = d.answers.map { "\($0.curator): \($0.hasADE ? format($0.spans) : "no ADE")" }.joined(separator: "  ")
                print("\(d.item)  \(d.drug)  disagreement \(String(format: "%.2f", d.disagreement))  \(answers)")
            }
            return
        }
        guard let item else { return }
        let answers = try store.curatorAnswers(item).filter { $0.state.isDecided }
        let state: ReviewState
        var chosen: [Span]
        var sources: [String]
        if let take {
            guard let answer = answers.last(where: { $0.curator == take }) else {
                throw ValidationError("\(take) has not decided \(item) (answers from: \(answers.map(\.curator).joined(separator: ", ")))")
            }
            state = answer.hasADE ? .accepted : .noADE
            chosen = answer.hasADE ? answer.spans : []
            sources = [take]
        } else if union {
            chosen = Array(Swift.Set(answers.flatMap { $0.hasADE ? $0.spans : [] })).sorted()
            state = chosen.isEmpty ? .noADE : .accepted
            sources = answers.map(\.curator)
        } else if noADE {
            state = .noADE
            chosen = []
            sources = answers.filter { !$0.hasADE }.map(\.curator)
        } else {
            state = .accepted
            chosen = spans
            sources = []
        }
        let event = try store.adjudicate(item, state: state, spans: chosen, adjudicator: curator.name,
                                         sources: sources, note: note)
        print("\(item): ruled \(event.stateAfter.rawValue) \(format(event.spansAfter)) by \(event.author)\(sources.isEmpty ? "" : " from \(sources.joined(separator: ", "))") (event \(event.id))")
    }
}
