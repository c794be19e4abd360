import Foundation

/// Writes exports so that readers see the old content or the new one, never a part.
///
/// A file is written to a temporary file in the same folder and renamed over the target;
/// a folder is built as a temporary folder beside the target and moved into place. On any
/// failure the temporary copy is removed and the target is left as it was.
enum AtomicWrite {
    /// Writes `data` to `path` through a temporary file in the same folder.
    static func file(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ExportError(path: path, "is a folder, not a file")
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).vigil-tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temporary, options: .withoutOverwriting)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ExportError(path: path, "cannot write the file (\(InputFile.reason(error)))")
        }
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ExportError(path: path, "cannot move the new file into place (\(reason))")
        }
    }

    /// Writes `files` (name to contents) as the folder `path`.
    ///
    /// A missing or empty target is simply replaced. An existing non-empty target is only
    /// replaced when `isReplaceable` accepts every name in it (a previous export of the same
    /// kind); otherwise nothing is written and the error says why.
    static func directory(_ files: [(name: String, data: Data)], to path: String, kind: String,
                          isReplaceable: (String) -> Bool) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: url.path, isDirectory: &isDirectory)
        if exists {
            guard isDirectory.boolValue else { throw ExportError(path: path, "exists and is not a folder") }
            let entries: [String]
            do {
                entries = try fm.contentsOfDirectory(atPath: url.path)
            } catch {
                throw ExportError(path: path, "cannot list the folder (\(InputFile.reason(error)))")
            }
            if let stranger = entries.sorted().first(where: { !isReplaceable($0) }) {
                throw ExportError(path: path, """
                    the folder is not empty and does not look like a \(kind) export ('\(stranger)'); \
                    refusing to overwrite it: choose a new or empty folder
                    """)
            }
        }
        let parent = url.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(url.lastPathComponent).vigil-tmp-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
            for file in files {
                try file.data.write(to: temporary.appendingPathComponent(file.name), options: .withoutOverwriting)
            }
        } catch {
            try? fm.removeItem(at: temporary)
            throw ExportError(path: path, "cannot write the export (\(InputFile.reason(error)))")
        }
        // rename(2) replaces a missing or empty folder in one step; a previous export is
        // first moved aside, then removed once the new folder is in place.
        if rename(temporary.path, url.path) == 0 { return }
        let firstError = errno
        guard exists, firstError == ENOTEMPTY || firstError == EEXIST else {
            try? fm.removeItem(at: temporary)
            throw ExportError(path: path, "cannot move the export into place (\(String(cString: strerror(firstError))))")
        }
        let old = parent.appendingPathComponent(".\(url.lastPathComponent).vigil-old-\(UUID().uuidString)")
        guard rename(url.path, old.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temporary)
            throw ExportError(path: path, "cannot move the previous export aside (\(reason))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(old.path, url.path)
            try? fm.removeItem(at: temporary)
            throw ExportError(path: path, "cannot move the export into place (\(reason))")
        }
        try? fm.removeItem(at: old)
    }
}
