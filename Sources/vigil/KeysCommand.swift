import ArgumentParser
import Workbench

/// `vigil keys`: the workbench's key reference, from the same action table as its `?` screen.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Print the workbench's key reference (the default keys; --markdown for docs/keys.md).")

    @Flag(help: "Print the Markdown page committed as docs/keys.md.")
    var markdown = false

    func run() {
        let keymap = Keymap.standard
        if markdown {
            print(keymap.markdownReference(), terminator: "")
            return
        }
        let lines = keymap.helpLines()
        let width = lines.map(\.keys.count).max() ?? 0
        var group = ""
        for line in lines {
            if line.group != group {
                if !group.isEmpty { print("") }
                group = line.group
                print(group)
            }
            print("  " + line.keys.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + line.help)
        }
    }
}
