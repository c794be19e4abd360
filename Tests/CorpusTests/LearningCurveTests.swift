import Core
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Corpus

/// Learning curves read off the model versions.
final class LearningCurveTests: XCTestCase {
    func testGroupsBySetupKeepsTheNewestPerFractionAndDrawsAnSVG() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-curve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try CorpusStore(path: folder.appendingPathComponent("v.sqlite").path, create: true)
        func version(_ fraction: String?, head: String = "concat", f1: Double, metricsOn: String = "holdout:test",
                     extra: [String: String] = [:]) throws {
            var params = ["split": "holdout", "epochs": "5", "lr": "0.0001", "seed": "13", "train_items": "100"]
            params.merge(extra) { $1 }
            params["fraction"] = fraction
            let layer = try store.createModelVersion(.init(path: "m", encoder: "e", head: head, source: "gold", params: params))
            let score = Score(tp: Int(f1 * 100), fp: 100 - Int(f1 * 100), fn: 100 - Int(f1 * 100))
            try store.recordModelMetrics(try XCTUnwrap(layer.version), on: metricsOn, LayerScores(strict: score, lenient: score))
        }
        try version("0.5", f1: 0.5)
        try version("0.1", f1: 0.3)
        try version("0.5", f1: 0.6)          // newer at 0.5: replaces 0.5
        try version(nil, f1: 0.8)            // no fraction recorded: the whole split
        try version("0.25", f1: 0.9, metricsOn: "holdout:dev") // not scored on test: left out
        try version("0.5", head: "interaction", f1: 0.7) // another setup with one point: no curve
        try version("0.1", f1: 0.95, extra: ["attention_dropout": "0.1"]) // another setup: replaces nothing
        try version("0.1", f1: 0.96, extra: ["relative_position": "true"]) // so is a head option
        try version("0.1", f1: 0.97, extra: ["head_lr_scale": "10.0"])
        try version("0.1", f1: 0.98, extra: ["batch": "32"])
        try version("0.1", f1: 0.99, extra: ["precision": "bf16"]) // and the precision
        try version("0.1", f1: 0.94, extra: ["drug_pairs": "0.1"]) // and synthetic two-drug sentences
        try version("0.1", f1: 0.93, extra: ["bystanders": "true"]) // and bystander drugs
        try version("0.1", f1: 0.35, extra: ["head_lr_scale": "1.0", "relative_position": "false", "precision": "fp32",
                                          "drug_pairs": "0", "bystanders": "false"]) // the defaults: same setup
        let curves = LearningCurve.curves(from: try store.modelVersions())
        XCTAssertEqual(curves.count, 1)
        let curve = try XCTUnwrap(curves.first)
        XCTAssertEqual(curve.points.map(\.fraction), [0.1, 0.5, 1])
        for (point, f1) in zip(curve.points, [0.35, 0.6, 0.8]) { XCTAssertEqual(point.lenient.f1, f1, accuracy: 1e-9) }
        XCTAssertEqual(curve.scoredOn, "holdout:test")
        XCTAssertEqual(LearningCurve.axisFloor([30, 80]), 20)

        let svg = curve.svg(title: "a <curve> & more")
        XCTAssertTrue(svg.contains("a &lt;curve&gt; &amp; more"))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 6, "three points, two series")
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "well-formed SVG: \(parser.parserError.map { "\($0)" } ?? "")")
    }
}
