import Corpus
import Foundation
import TerminalUI

/// What the config file says about the workbench: `[keys]` remaps and `[ui] theme`.
public struct WorkbenchConfig: Sendable {
    public var keymap: Keymap = .standard
    public var theme: String?

    public init() {}

    /// Reads `[keys]` (action = key or list of keys) and `[ui]` (`theme = "NAME|PATH"`).
    public init(_ config: ConfigFile) throws {
        let file = config.path ?? "(no config file)"
        var overrides: [(action: String, keys: [String])] = []
        for action in try config.keys("keys") {
            overrides.append((action, try config.strings("keys.\(action)") ?? []))
        }
        keymap = try Keymap.standard.remapped(overrides, file: file)
        theme = try config.string("ui.theme")
    }
}
