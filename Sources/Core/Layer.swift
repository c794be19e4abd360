/// The four kinds of annotation layer over the same sentences.
public enum LayerKind: String, CaseIterable, Codable, Sendable {
    /// Imported reference annotations.
    case gold
    /// One layer per teacher (LLM) run.
    case teacher
    /// What curators accepted or fixed.
    case curated
    /// One layer per student model version.
    case student

    /// Gold and curated exist once; teacher and student once per run or version.
    public var isVersioned: Bool { self == .teacher || self == .student }
}

/// How a user names a layer: `gold`, `curated`, `teacher` (latest run),
/// `teacher:<run id>`, `student` (latest version), `student:<version>`.
public struct LayerRef: Hashable, Sendable, CustomStringConvertible {
    public var kind: LayerKind
    /// Run or version id; `nil` means the latest one for versioned kinds.
    public var version: Int64?

    public init(_ kind: LayerKind, version: Int64? = nil) {
        self.kind = kind
        self.version = version
    }

    public static let gold = LayerRef(.gold)
    public static let curated = LayerRef(.curated)

    /// Parses a layer address; the error names what was wrong with it.
    public init(parsing text: String) throws(LayerRefError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let kind = LayerKind(rawValue: parts[0].lowercased()) else {
            throw .unknownKind(text)
        }
        var version: Int64?
        if parts.count == 2 {
            guard kind.isVersioned else { throw .unversionedKind(text) }
            guard let v = Int64(parts[1]), v > 0 else { throw .badVersion(text) }
            version = v
        }
        self.init(kind, version: version)
    }

    public var description: String {
        if let version { return "\(kind.rawValue):\(version)" }
        return kind.rawValue
    }
}

/// Why a layer address could not be read.
public enum LayerRefError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownKind(String)
    case unversionedKind(String)
    case badVersion(String)

    public var description: String {
        switch self {
        case .unknownKind(let s):
            return "unknown layer '\(s)': expected gold, curated, teacher[:RUN] or student[:VERSION]"
        case .unversionedKind(let s):
            return "layer '\(s)': only teacher and student layers take a version"
        case .badVersion(let s):
            return "layer '\(s)': the version must be a positive integer"
        }
    }
}
