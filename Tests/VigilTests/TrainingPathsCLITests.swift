import Foundation
import XCTest

/// `vigil train` run from a folder that is not the repository (as the workbench's `:train` job
/// runs from wherever the workbench was opened): the encoder comes from `$VIGIL_ENCODER` or the
/// config file's `[student] encoder`, the model folder lands beside the corpus, and the output
/// and the job log say both (issue 26 item 8).
final class TrainingPathsCLITests: XCTestCase {
    private var tinyBERT: String { packageRoot.appendingPathComponent("Tests/StudentTests/Fixtures/tiny-bert").path }
    private let train = ["train", "--source", "gold", "--epochs", "1", "--lr", "1e-3"]

    /// A corpus over SampleData's gold with an 8:1:1 split, an empty working folder apart from
    /// it, and an environment whose config file is absent (the user's own is never read).
    private func makeCorpus() throws -> (cli: CLIHarness, workingDirectory: URL, environment: [String: String]) {
        let cli = try CLIHarness(self)
        try cli.ok(["import", "jsonl", sample("gold.jsonl")])
        try cli.ok(["split", "--ratio", "8:1:1", "--seed", "3"])
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: elsewhere) }
        return (cli, elsewhere, ["VIGIL_CONFIG": cli.path("no-config.toml")])
    }

    /// The `path` of the one-object JSON summary `vigil train` prints.
    private func modelPath(_ result: RunResult) throws -> String {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        return try XCTUnwrap(object["path"] as? String)
    }

    func testTrainFromAnotherFolderTakesTheEncoderFromTheEnvironmentAndWritesBesideTheCorpus() throws {
        let (cli, elsewhere, environment) = try makeCorpus()
        var env = environment
        env["VIGIL_ENCODER"] = tinyBERT
        let result = try cli.run(train, environment: env, in: elsewhere)
        XCTAssertEqual(result.status, 0, result.stderr)
        let path = try modelPath(result)
        XCTAssertTrue(path.hasPrefix(cli.directory.path + "/models/student-gold-concat-"), path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/model.safetensors"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("models").path),
                       "nothing lands in the working folder")
        XCTAssertTrue(result.stderr.contains("encoder \(tinyBERT) ($VIGIL_ENCODER)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("model folder \(path)"), result.stderr)
        let log = try cli.ok(["jobs", "--log", "1"])
        XCTAssertTrue(log.contains("encoder \(tinyBERT) ($VIGIL_ENCODER)") && log.contains("model folder \(path)"), log)
        // The version's recorded path is absolute, so `predict` finds it from yet another folder.
        let predict = try cli.run(["predict", "--split", "holdout:test"], environment: env, in: packageRoot)
        XCTAssertEqual(predict.status, 0, predict.stderr)
    }

    func testTheConfigFileNamesTheEncoderRelativeToItsFolder() throws {
        let (cli, elsewhere, _) = try makeCorpus()
        let configFolder = cli.directory.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: configFolder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: configFolder.appendingPathComponent("encoder").path,
                                                   withDestinationPath: tinyBERT)
        let config = configFolder.appendingPathComponent("config.toml").path
        try "[student]\nencoder = \"encoder\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try cli.run(train, environment: ["VIGIL_CONFIG": config], in: elsewhere)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("encoder \(configFolder.path)/encoder (\(config): student.encoder)"), result.stderr)
        XCTAssertTrue(try modelPath(result).hasPrefix(cli.directory.path + "/models/"))
    }

    func testANamedFolderWithoutAnEncoderIsRefusedNamingWhereItCameFrom() throws {
        let (cli, elsewhere, environment) = try makeCorpus()
        var env = environment
        env["VIGIL_ENCODER"] = elsewhere.path + "/missing"
        let result = try cli.run(train, environment: env, in: elsewhere)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("$VIGIL_ENCODER \(elsewhere.path)/missing: no encoder there"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.directory.path + "/models"), "nothing written")
        let jobs = try cli.ok(["jobs"])
        XCTAssertTrue(jobs.contains("no encoder there"), "the failed job says why: \(jobs)")
    }
}
