import ArgumentParser
import Foundation

/// Who is acting: `--as NAME`, else `$VIGIL_CURATOR`, else the login name.
struct CuratorOption: ParsableArguments {
    @Option(name: .customLong("as"),
            help: ArgumentHelp("The curator you act as (default: $VIGIL_CURATOR, else your login name).", valueName: "name"))
    var curator: String?
    /// The option's earlier name, still accepted.
    @Option(help: .hidden) var author: String?

    var name: String { Self.resolve(curator ?? author) }

    static func resolve(_ given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let given { return given }
        for key in ["VIGIL_CURATOR", "VIGIL_AUTHOR", "USER", "LOGNAME"] {
            if let value = environment[key], !value.isEmpty { return value }
        }
        return "curator"
    }
}
