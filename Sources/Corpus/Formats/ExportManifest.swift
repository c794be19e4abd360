import Foundation

/// The file a folder export writes beside its files, `vigil-export.json`, which marks the
/// folder as a Vigil export and lists what the export wrote:
///
/// ```
/// {"vigil_export": 1, "format": "brat", "files": ["annotation.conf", "pmid%3A111.ann", "pmid%3A111.txt"]}
/// ```
///
/// A later export may replace a folder only when every entry in it is the manifest or a
/// file it lists: the files a user adds beside an export are never deleted.
struct ExportManifest: Equatable {
    static let fileName = "vigil-export.json"
    static let version = 1

    var format: String
    var files: [String]

    /// The manifest as one JSON line.
    var data: Data {
        Data((JSONWriter.object([
            ("vigil_export", String(Self.version)),
            ("format", JSONWriter.quoted(format)),
            ("files", JSONWriter.array(files.map(JSONWriter.quoted))),
        ]) + "\n").utf8)
    }

    /// The manifest in `folder`, or `nil` when there is none or it is not one Vigil wrote
    /// (unreadable, not JSON, another version, a file name with a path in it).
    static func read(in folder: URL) -> ExportManifest? {
        let url = folder.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url), data.count <= 64 << 20,
              let text = String(data: data, encoding: .utf8),
              case .object(let object)? = try? JSONValue.parse(text),
              object["vigil_export"] == .int(version),
              case .string(let format)? = object["format"],
              case .array(let items)? = object["files"] else { return nil }
        var files: [String] = []
        for item in items {
            guard case .string(let name) = item, !name.isEmpty, name != ".", name != "..",
                  !name.contains("/"), name != fileName else { return nil }
            files.append(name)
        }
        return ExportManifest(format: format, files: files)
    }
}
