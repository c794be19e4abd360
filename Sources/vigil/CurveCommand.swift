import ArgumentParser
import Corpus
import Foundation

/// `vigil curve`: the learning curve of the registered model versions (paper's Figure 4).
struct CurveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve", abstract: "Show F1 against the share of training sentences, from `vigil train --fraction` versions.",
        discussion: """
            Groups the model versions by training setup (head, source, split, epochs, learning rate, batch, seed, dropout, head options, precision) and \
            lists, for each setup trained on two or more fractions, strict and lenient F1 on SPLIT:test per \
            fraction (the newest version of each). --svg writes the newest setup's chart.

              for f in 0.1 0.25 0.5 1; do vigil train --source gold --fraction $f --epochs 5 --lr 1e-4; done
              vigil curve --svg docs/learning-curve.svg
            """)

    @OptionGroup var corpus: CorpusOptions
    @Option(help: ArgumentHelp("Write the newest curve as an SVG chart to this file.", valueName: "file")) var svg: String?
    @Option(help: ArgumentHelp("The chart's title.", valueName: "text")) var title: String?
    @Flag(help: "Print a JSON array of curves.") var json = false

    func run() throws {
        let store = try corpus.open()
        let curves = LearningCurve.curves(from: try store.modelVersions())
        guard let newest = curves.first else {
            throw ValidationError("no learning curve: train one setup on two or more fractions (vigil train --fraction F)")
        }
        if let svg {
            let text = newest.svg(title: title ?? "Learning curve: \(newest.head) head, \(newest.source) labels, \(newest.epochs) epochs, \(newest.scoredOn)")
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: svg), options: .atomic)
            } catch {
                throw ValidationError("--svg \(svg): cannot write: \(error.localizedDescription)")
            }
        }
        if json {
            let array: [[String: Any]] = curves.map { c in
                ["scored_on": c.scoredOn, "head": c.head, "source": c.source, "epochs": c.epochs,
                 "points": c.points.map { p -> [String: Any] in
                     ["fraction": p.fraction, "version": p.version, "train_items": p.trainItems ?? NSNull(),
                      "strict_f1": p.strict.f1 * 100, "lenient_f1": p.lenient.f1 * 100]
                 }]
            }
            let data = try JSONSerialization.data(withJSONObject: array, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for c in curves {
            print("\(c.head) head, \(c.source) labels, \(c.epochs) epochs, scored on \(c.scoredOn)")
            print("  share   items  strict F1  lenient F1  version")
            func right(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
            for p in c.points {
                print("  " + right(LearningCurve.percent(p.fraction), 5) + "  " + right(p.trainItems.map(String.init) ?? "-", 6)
                      + String(format: "  %9.2f  %10.2f  student:%lld", p.strict.f1 * 100, p.lenient.f1 * 100, p.version))
            }
        }
        if let svg { print("wrote \(svg)") }
    }
}
