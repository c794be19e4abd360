import Corpus
import Foundation
import XCTest

@testable import Student

/// Where `vigil train` and `vigil cv` find their encoder when `--encoder` is not given, and
/// where their model folders go (issue 26 item 8).
final class EncoderSearchTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-encoder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Makes `relative` under the temporary root look like an encoder folder.
    private func encoder(_ relative: String) throws -> String {
        let dir = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "{}".write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        return dir.path
    }

    private var executable: String { root.appendingPathComponent("prefix/bin/vigil").path }
    private var cwd: String { root.appendingPathComponent("work").path }

    func testNothingFoundNamesEveryPlaceLookedAt() throws {
        let searched = EncoderSearch.candidates(workingDirectory: cwd, executable: executable)
        XCTAssertEqual(searched.first, cwd + "/models/minilm-l6")
        XCTAssertTrue(searched.contains(root.path + "/prefix/bin/models/minilm-l6"), "\(searched)")
        XCTAssertTrue(searched.contains(root.path + "/prefix/models/minilm-l6"), "\(searched)")
        XCTAssertTrue(searched.contains(root.path + "/prefix/share/vigil/models/minilm-l6"), "\(searched)")
        XCTAssertThrowsError(try EncoderSearch.resolve(explicit: nil, environment: [:], config: ConfigFile(),
                                                       workingDirectory: cwd, executable: executable)) { error in
            XCTAssertEqual(error as? EncoderSearchError, .notFound(searched: searched))
            let message = "\(error)"
            for place in searched + ["--encoder", "$VIGIL_ENCODER", "[student] encoder"] {
                XCTAssertTrue(message.contains(place), "\(place) in \(message)")
            }
        }
    }

    func testTheSearchFindsTheInstallPrefixAndPrefersTheWorkingDirectory() throws {
        let installed = try encoder("prefix/share/vigil/models/minilm-l6")
        let found = try EncoderSearch.resolve(explicit: nil, environment: [:], config: ConfigFile(), workingDirectory: cwd,
                                              executable: executable)
        XCTAssertEqual(found, .init(path: installed, origin: "found"))
        let local = try encoder("work/models/minilm-l6")
        XCTAssertEqual(try EncoderSearch.resolve(explicit: nil, environment: [:], config: ConfigFile(), workingDirectory: cwd,
                                                 executable: executable).path, local)
    }

    func testOptionThenEnvironmentThenConfigAndNamedPathsAreNeverSearchedPast() throws {
        let fromOption = try encoder("a"), fromEnvironment = try encoder("b")
        _ = try encoder("config-dir/c")
        _ = try encoder("work/models/minilm-l6")
        let config = try ConfigFile(text: "[student]\nencoder = \"c\"\n", path: root.path + "/config-dir/config.toml")
        let environment = ["VIGIL_ENCODER": fromEnvironment]
        func resolve(_ explicit: String?, _ env: [String: String]) throws -> EncoderSearch.Found {
            try EncoderSearch.resolve(explicit: explicit, environment: env, config: config, workingDirectory: cwd,
                                      executable: executable)
        }
        XCTAssertEqual(try resolve(fromOption, environment), .init(path: fromOption, origin: "--encoder"))
        XCTAssertEqual(try resolve(nil, environment), .init(path: fromEnvironment, origin: "$VIGIL_ENCODER"))
        XCTAssertEqual(try resolve(nil, [:]).path, root.path + "/config-dir/c", "relative to the config file's folder")
        XCTAssertEqual(try resolve(nil, [:]).origin, root.path + "/config-dir/config.toml: student.encoder")
        XCTAssertThrowsError(try resolve(nil, ["VIGIL_ENCODER": root.path + "/none"])) { error in
            XCTAssertEqual(error as? EncoderSearchError, .notAnEncoder(path: root.path + "/none", origin: "$VIGIL_ENCODER"))
        }
        let wrongType = try ConfigFile(text: "[student]\nencoder = 3\n", path: "/etc/vigil.toml")
        XCTAssertThrowsError(try EncoderSearch.resolve(explicit: nil, environment: [:], config: wrongType,
                                                       workingDirectory: cwd, executable: executable)) { error in
            XCTAssertTrue("\(error)".contains("/etc/vigil.toml: student.encoder"), "\(error)")
        }
    }

    func testModelFoldersGoBesideTheCorpusAsAbsolutePaths() {
        XCTAssertEqual(EncoderSearch.defaultModelFolder(corpus: "/data/corpora/ade.sqlite", name: "student-gold-concat-1"),
                       "/data/corpora/models/student-gold-concat-1")
        let relative = EncoderSearch.defaultModelFolder(corpus: "vigil.sqlite", name: "m")
        XCTAssertEqual(relative, FileManager.default.currentDirectoryPath + "/models/m")
    }
}
