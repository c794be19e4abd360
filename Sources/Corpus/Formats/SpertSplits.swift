import Foundation

/// The standard 10-fold ADE splits in SpERT's JSON (`ade_split_<i>_test.json`).
///
/// Each test file lists sentences as tokens with an `orig_id`. A sentence is found in
/// the corpus by its text with all whitespace removed; when several corpus sentences
/// share that text (the ADE corpus has one sentence under two PMIDs), they are paired
/// with the SpERT sentences in `orig_id` order, which follows DRUG-AE.rel order as the
/// corpus import does.
public enum SpertSplits {
    struct Document: Decodable {
        var tokens: [String]
        var orig_id: Int?
    }

    /// Fold number → the compact (whitespace-free) texts of its test sentences, each
    /// with its `orig_id`, read from every `ade_split_<i>_test.json` in `directory`.
    public static func readTestFolds(directory: String) throws -> [Int: [(compact: String, origID: Int)]] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ImportError(file: directory, line: 0, "cannot list the folder (\(InputFile.reason(error)))")
        }
        var folds: [Int: [(String, Int)]] = [:]
        for name in names where name.hasPrefix("ade_split_") && name.hasSuffix("_test.json") {
            let middle = name.dropFirst("ade_split_".count).dropLast("_test.json".count)
            guard let fold = Int(middle) else { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            let docs: [Document]
            do {
                docs = try JSONDecoder().decode([Document].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch let error as DecodingError {
                throw ImportError(file: path, line: 0, "not a SpERT split file: \(describe(error))")
            } catch {
                throw ImportError(file: path, line: 0, "cannot read the file (\(InputFile.reason(error)))")
            }
            folds[fold] = docs.enumerated().map { index, doc in
                (doc.tokens.joined().unicodeScalars.filter { !$0.properties.isWhitespace }
                    .reduce(into: "") { $0.unicodeScalars.append($1) }, doc.orig_id ?? index)
            }
        }
        guard !folds.isEmpty else {
            throw ImportError(file: directory, line: 0, "no ade_split_<i>_test.json files in this folder")
        }
        let expected = Set(0..<folds.count)
        guard Set(folds.keys) == expected else {
            throw ImportError(file: directory, line: 0,
                              "fold files are not numbered 0..\(folds.count - 1): found \(folds.keys.sorted())")
        }
        return folds
    }

    /// Assigns corpus sentences to folds `fold<i>`; `byCompactText` maps whitespace-free
    /// texts to corpus sentence ids (ascending).
    public static func assignment(folds: [Int: [(compact: String, origID: Int)]],
                                  byCompactText: [String: [Int64]], directory: String) throws -> [Int64: String] {
        // All SpERT sentences with the same compact text, in orig_id order, with their fold.
        var wanted: [String: [(origID: Int, fold: Int)]] = [:]
        for (fold, docs) in folds {
            for doc in docs { wanted[doc.compact, default: []].append((doc.origID, fold)) }
        }
        var result: [Int64: String] = [:]
        var missing = 0
        for (text, uses) in wanted {
            let candidates = byCompactText[text] ?? []
            let ordered = uses.sorted { $0.origID < $1.origID }
            if candidates.count < ordered.count { missing += ordered.count - candidates.count }
            for (use, id) in zip(ordered, candidates) { result[id] = "fold\(use.fold)" }
        }
        if missing > 0 {
            throw ImportError(file: directory, line: 0, """
                \(missing) sentence(s) of the splits are not in the corpus: import the ADE corpus first (vigil import ade DIR)
                """)
        }
        return result
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c):
            let path = c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
