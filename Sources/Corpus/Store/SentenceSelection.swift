import Core
import Foundation
import GRDB

/// Which sentences an operation covers: all of them, or a split (or one part of it).
///
/// Written `NAME` (every sentence the split assigns) or `NAME:PART` (one part, e.g.
/// `holdout:test`, `cv10:fold3`). Several parts join with commas: `holdout:train,dev`.
public enum SentenceSelection: Hashable, Sendable, CustomStringConvertible {
    case all
    case split(name: String, parts: [String])

    /// `holdout:test`, the test part of the split `vigil split --ratio` and `vigil demo` make by
    /// default: what the workbench scores layers on and its `:eval` job evaluates, where it exists.
    public static let holdoutTest = SentenceSelection.split(name: "holdout", parts: ["test"])

    /// Parses `NAME` or `NAME:PART[,PART…]`.
    public init(parsing text: String) throws(CorpusError) {
        let pieces = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !pieces[0].isEmpty else { throw .unknownSplit(text) }
        if pieces.count == 1 {
            self = .split(name: pieces[0], parts: [])
        } else {
            let parts = pieces[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
                throw .unknownSplitPart(split: pieces[0], part: pieces[1])
            }
            self = .split(name: pieces[0], parts: parts)
        }
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case let .split(name, parts): return parts.isEmpty ? name : "\(name):\(parts.joined(separator: ","))"
        }
    }

    /// An ` AND column IN (…)` clause, after checking that the split and its parts exist.
    func sqlFilter(column: String, _ db: Database) throws -> (String, StatementArguments) {
        guard case let .split(name, parts) = self else { return ("", []) }
        guard let splitID = try Int64.fetchOne(db, sql: "SELECT id FROM split WHERE name = ?", arguments: [name]) else {
            throw CorpusError.unknownSplit(name)
        }
        if parts.isEmpty {
            return (" AND \(column) IN (SELECT sentence_id FROM split_member WHERE split_id = ?)", [splitID])
        }
        let known = Set(try String.fetchAll(db, sql: "SELECT DISTINCT part FROM split_member WHERE split_id = ?",
                                            arguments: [splitID]))
        for part in parts where !known.contains(part) {
            throw CorpusError.unknownSplitPart(split: name, part: part)
        }
        let marks = Array(repeating: "?", count: parts.count).joined(separator: ",")
        var arguments: StatementArguments = [splitID]
        for part in parts { arguments += [part] }
        return (" AND \(column) IN (SELECT sentence_id FROM split_member WHERE split_id = ? AND part IN (\(marks)))",
                arguments)
    }
}
