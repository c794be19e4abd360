import Corpus
import Foundation

/// Where `vigil train` and `vigil cv` find the encoder to fine-tune, and where their model
/// folders go, so that neither depends on the working directory (the workbench starts jobs
/// in whatever folder it was opened from).
///
/// The encoder is, in order: `--encoder DIR`; `$VIGIL_ENCODER`; the config file's
/// `[student] encoder` (a relative path there is taken from the config file's folder); else the
/// first of `./models/minilm-l6`, `models/minilm-l6` beside (or up to three folders above) the
/// binary, and `share/vigil/models/minilm-l6` under the binary's install prefix that holds a
/// `config.json`. A path given explicitly (option, variable or key) is used as given, or refused
/// when it is no encoder; none is searched past.
public enum EncoderSearch {
    /// The environment variable that names the encoder folder.
    public static let environmentVariable = "VIGIL_ENCODER"
    /// The config-file key that names the encoder folder.
    public static let configKey = "student.encoder"
    /// The default encoder's folder name under `models/`.
    public static let defaultFolder = "models/minilm-l6"

    /// An encoder folder and how it was chosen (for the log: "from $VIGIL_ENCODER").
    public struct Found: Equatable, Sendable {
        public var path: String
        public var origin: String
    }

    /// The folders searched, in order, when nothing names the encoder explicitly.
    public static func candidates(workingDirectory: String, executable: String) -> [String] {
        var paths = [URL(fileURLWithPath: workingDirectory).appendingPathComponent(defaultFolder).path]
        var dir = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<4 {
            paths.append(dir.appendingPathComponent(defaultFolder).path)
            dir = dir.deletingLastPathComponent()
        }
        let prefix = URL(fileURLWithPath: executable).deletingLastPathComponent().deletingLastPathComponent()
        paths.append(prefix.appendingPathComponent("share/vigil/" + defaultFolder).path)
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// Resolves the encoder folder (see the type's documentation); throws `EncoderSearchError`
    /// naming the option, variable or key, or every folder searched.
    public static func resolve(explicit: String?, environment: [String: String], config: ConfigFile,
                               workingDirectory: String = FileManager.default.currentDirectoryPath,
                               executable: String) throws -> Found {
        if let explicit {
            return try checked(explicit, origin: "--encoder")
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            return try checked(value, origin: "$" + environmentVariable)
        }
        if var value = try config.string(configKey), !value.isEmpty {
            if !value.hasPrefix("/"), let file = config.path {
                value = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(value).path
            }
            return try checked(value, origin: "\(config.path ?? "the config file"): \(configKey)")
        }
        let searched = candidates(workingDirectory: workingDirectory, executable: executable)
        guard let found = searched.first(where: isEncoder) else { throw EncoderSearchError.notFound(searched: searched) }
        return Found(path: found, origin: "found")
    }

    /// Whether `path` looks like a BERT folder (its `config.json` is there).
    static func isEncoder(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/config.json")
    }

    private static func checked(_ path: String, origin: String) throws -> Found {
        guard isEncoder(path) else { throw EncoderSearchError.notAnEncoder(path: path, origin: origin) }
        return Found(path: path, origin: origin)
    }

    /// The default folder for a new model: `models/NAME` beside the corpus file, as an absolute
    /// path (so the version's recorded path works from any working directory).
    public static func defaultModelFolder(corpus: String, name: String) -> String {
        URL(fileURLWithPath: corpus).deletingLastPathComponent().appendingPathComponent("models/" + name).standardizedFileURL.path
    }
}

/// No encoder where one was named, or none in any folder searched.
public enum EncoderSearchError: Error, Equatable, CustomStringConvertible {
    case notAnEncoder(path: String, origin: String)
    case notFound(searched: [String])

    public var description: String {
        switch self {
        case let .notAnEncoder(path, origin):
            return "\(origin) \(path): no encoder there (a BERT folder with config.json, vocab.txt and model.safetensors)"
        case let .notFound(searched):
            return "no encoder found: looked for --encoder, $\(EncoderSearch.environmentVariable), the config file's "
                + "[student] encoder, and a config.json in \(searched.joined(separator: ", ")); run `make model` in the "
                + "repository, or pass --encoder DIR"
        }
    }
}
