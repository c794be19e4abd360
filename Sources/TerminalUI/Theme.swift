/// A theme: a style for every role. Themes are data (see `Themes/` and the loader in
/// Workbench); this type validates them.
public struct Theme: Hashable, Sendable {
    public var name: String
    public var styles: [Role: Style]

    public init(name: String, styles: [Role: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style for `role`; roles a theme leaves out look like `text`.
    public func style(_ role: Role) -> Style {
        styles[role] ?? styles[.text] ?? .plain
    }

    /// Builds a theme from role names and style strings, as read from `file`; an unknown
    /// role or a bad colour is an error naming the file and the key (`roles.NAME`).
    public init(name: String, file: String, entries: [(role: String, style: String)]) throws(ThemeError) {
        var styles: [Role: Style] = [:]
        for (key, value) in entries {
            guard let role = Role(rawValue: key) else {
                throw .unknownRole(file: file, key: "roles.\(key)")
            }
            do {
                styles[role] = try Style(parsing: value)
            } catch {
                throw .badStyle(file: file, key: "roles.\(key)", value: value, reason: error.description)
            }
        }
        self.init(name: name, styles: styles)
    }

    /// A built-in fallback that needs no file (used when no theme can be read).
    public static let fallback = Theme(name: "fallback", styles: [
        .text: Style(), .dim: Style(attributes: .dim), .header: Style(attributes: [.bold, .reverse]),
        .drug0: Style(foreground: .index(4), attributes: .bold), .drug1: Style(foreground: .index(5), attributes: .bold),
        .drug2: Style(foreground: .index(6), attributes: .bold), .drug3: Style(foreground: .index(2), attributes: .bold),
        .drug4: Style(foreground: .index(3), attributes: .bold), .drug5: Style(foreground: .index(1), attributes: .bold),
        .drugSelected: Style(attributes: [.bold, .underline]),
        .adeSelected: Style(foreground: .index(0), background: .index(3)),
        .adeFocused: Style(foreground: .index(0), background: .index(3), attributes: [.bold, .underline]),
        .adeOther: Style(attributes: [.dim, .underline]),
        .teacherOnly: Style(foreground: .index(0), background: .index(6)),
        .studentOnly: Style(foreground: .index(0), background: .index(5)),
        .agreed: Style(foreground: .index(0), background: .index(2)),
        .ungrounded: Style(foreground: .index(1), attributes: .italic),
        .cursor: Style(attributes: .reverse), .selection: Style(attributes: [.reverse, .underline]),
        .panel: Style(), .panelTitle: Style(attributes: .bold), .queueCurrent: Style(attributes: .reverse),
        .statusLine: Style(attributes: .reverse), .statusKey: Style(attributes: [.reverse, .bold]),
        .message: Style(attributes: .bold), .error: Style(foreground: .index(1), attributes: .bold),
        .success: Style(foreground: .index(2)), .progress: Style(attributes: .reverse), .progressTrack: Style(attributes: .dim),
    ])
}

/// A theme problem, naming the file and the key.
public enum ThemeError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownRole(file: String, key: String)
    case badStyle(file: String, key: String, value: String, reason: String)
    case notFound(name: String, searched: [String])

    public var description: String {
        switch self {
        case let .unknownRole(file, key):
            return "\(file): \(key): unknown role (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"
        case let .badStyle(file, key, value, reason):
            return "\(file): \(key) = \"\(value)\": \(reason)"
        case let .notFound(name, searched):
            return "theme '\(name)' not found (looked in \(searched.joined(separator: ", ")))"
        }
    }
}
