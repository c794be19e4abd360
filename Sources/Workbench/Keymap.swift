import TerminalUI

/// Keys bound to actions, per context: one table that also makes the footer and the help.
public struct Keymap: Hashable, Sendable {
    /// The keys of every action, in display order.
    public private(set) var keys: [Action: [Key]]

    /// The default bindings (see `Action.defaultKeys`).
    public static let standard: Keymap = {
        var keys: [Action: [Key]] = [:]
        for action in Action.allCases { keys[action] = action.defaultKeys.compactMap(Key.init(name:)) }
        return Keymap(keys: keys)
    }()

    /// Rebinds actions from `[keys]` entries (action name → key names). An unknown action
    /// or key name is an error naming the key (`keys.NAME`); rebinding a key that another
    /// action of the same context uses takes it from that action.
    public func remapped(_ overrides: [(action: String, keys: [String])], file: String) throws(KeymapError) -> Keymap {
        var result = self
        for (name, keyNames) in overrides {
            guard let action = Action(rawValue: name) else {
                throw .unknownAction(file: file, key: "keys.\(name)")
            }
            var bound: [Key] = []
            for keyName in keyNames {
                guard let key = Key(name: keyName) else {
                    throw .badKey(file: file, key: "keys.\(name)", value: keyName)
                }
                bound.append(key)
            }
            for other in Action.allCases where other != action && other.context == action.context {
                result.keys[other]?.removeAll { bound.contains($0) }
            }
            result.keys[action] = bound
        }
        return result
    }

    /// The action `key` triggers in `context`, if any.
    public func action(for key: Key, in context: Action.Context) -> Action? {
        Action.allCases.first { $0.context == context && (keys[$0] ?? []).contains(key) }
    }

    /// Footer hints: `key label` pairs for the given actions (unbound ones left out).
    public func hints(_ actions: [Action]) -> [(key: String, label: String)] {
        actions.compactMap { action in
            guard let key = keys[action]?.first else { return nil }
            return (key.label, action.hint)
        }
    }

    /// The full reference: one line per action, grouped, keys then description.
    public func helpLines() -> [(group: String, keys: String, help: String)] {
        Action.allCases.map { action in
            (action.group, (keys[action] ?? []).map(\.label).joined(separator: " "), action.help)
        }
    }
}

/// A `[keys]` problem, naming the file and key.
public enum KeymapError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownAction(file: String, key: String)
    case badKey(file: String, key: String, value: String)

    public var description: String {
        switch self {
        case let .unknownAction(file, key):
            return "\(file): \(key): unknown action (known: \(Action.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .badKey(file, key, value):
            return "\(file): \(key): '\(value)' is not a key (a character, <C-x>, or one of <Up> <Down> <Left> <Right> <Enter> <Esc> <Tab> <S-Tab> <Space> <BS> <Del> <Home> <End> <PageUp> <PageDown> <S-Left> <S-Right>)"
        }
    }
}
