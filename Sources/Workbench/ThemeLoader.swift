import Corpus
import Foundation
import TerminalUI

/// Reads theme files: TOML with a `name` and a `[roles]` table mapping role names to
/// style strings (`"black on yellow bold"`). Errors name the file and key.
public enum ThemeLoader {
    /// The folders searched for `NAME.toml`: `$VIGIL_THEMES`, `./Themes`, and `Themes`
    /// beside (or above) the executable.
    public static func searchPaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var paths: [String] = []
        if let dir = environment["VIGIL_THEMES"], !dir.isEmpty { paths.append(dir) }
        paths.append(FileManager.default.currentDirectoryPath + "/Themes")
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            paths.append(dir.appendingPathComponent("Themes").path)
            dir = dir.deletingLastPathComponent()
        }
        return paths
    }

    /// Loads a theme by name (`dark`, `light`, `high-contrast`, `monochrome`) or by path
    /// (anything containing `/` or ending in `.toml`).
    public static func load(_ nameOrPath: String, searchPaths: [String] = searchPaths()) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") {
            guard FileManager.default.fileExists(atPath: nameOrPath) else {
                throw ThemeError.notFound(name: nameOrPath, searched: [nameOrPath])
            }
            return try parse(file: nameOrPath)
        }
        for dir in searchPaths {
            let path = dir + "/" + nameOrPath + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try parse(file: path) }
        }
        throw ThemeError.notFound(name: nameOrPath, searched: searchPaths)
    }

    /// Parses one theme file.
    public static func parse(file: String) throws -> Theme {
        let config = try ConfigFile.load(path: file)
        return try parse(config, file: file)
    }

    /// Parses theme text (`file` names it in errors).
    public static func parse(text: String, file: String) throws -> Theme {
        try parse(try ConfigFile(text: text, path: file), file: file)
    }

    private static func parse(_ config: ConfigFile, file: String) throws -> Theme {
        for key in try config.keys("") where key != "name" && key != "roles" {
            throw config.invalid(key, "unknown key (a theme has name and [roles])")
        }
        let name = try config.string("name") ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var entries: [(role: String, style: String)] = []
        for key in try config.keys("roles") {
            guard let style = try config.string("roles.\(key)") else { continue }
            entries.append((key, style))
        }
        return try Theme(name: name, file: file, entries: entries)
    }
}
