import Foundation

/// Writes exports so that readers see the old content or the new one, never a part, and
/// never deletes or overwrites a file the export does not own.
///
/// A file is written to a temporary file in the same folder and renamed over the target.
/// A folder is built as a temporary folder beside the target, with an `ExportManifest`
/// listing what it holds, and swapped into place (one atomic exchange where the system has
/// one). An existing non-empty target folder is replaced only when its manifest lists every
/// file in it (a previous Vigil export); otherwise nothing is written unless `force`, which
/// writes the export's files into the folder one by one and keeps every other file. On any
/// failure the temporary copy is removed and the target is left as it was.
enum AtomicWrite {
    /// Writes `data` to `path` through a temporary file in the same folder.
    static func file(_ data: Data, to path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ExportError(path: path, "is a folder, not a file")
        }
        try replaceFile(data, at: URL(fileURLWithPath: path), reportAs: path)
    }

    /// Writes `files` (name to contents) as the folder `path`, with a manifest naming them.
    static func directory(_ files: [(name: String, data: Data)], to path: String, format: String,
                          force: Bool = false) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let manifest = ExportManifest(format: format, files: files.map(\.name))
        precondition(!manifest.files.contains(ExportManifest.fileName), "an export file may not be named like the manifest")
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
            if !entries.isEmpty {
                let previous = ExportManifest.read(in: url)
                let owned = Set(previous?.files ?? []).union(previous == nil ? [] : [ExportManifest.fileName])
                if let stranger = entries.sorted().first(where: { !owned.contains($0) }) {
                    guard force else {
                        let why = previous == nil
                            ? "it has no \(ExportManifest.fileName), so it is not a previous Vigil export"
                            : "'\(stranger)' is not a file of the previous Vigil export listed in its \(ExportManifest.fileName)"
                        throw ExportError(path: path, """
                            the folder is not empty and \(why); refusing to delete or overwrite files the export \
                            did not write: choose a new or empty folder, or pass --force to write the \(format) \
                            export into this folder (files of the same name are replaced, all others kept)
                            """)
                    }
                    try writeInPlace(files, manifest: manifest, previous: previous, in: url, reportAs: path)
                    return
                }
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
            try manifest.data.write(to: temporary.appendingPathComponent(ExportManifest.fileName), options: .withoutOverwriting)
        } catch {
            try? fm.removeItem(at: temporary)
            throw ExportError(path: path, "cannot write the export (\(InputFile.reason(error)))")
        }
        // rename(2) replaces a missing or empty folder in one step.
        if rename(temporary.path, url.path) == 0 { return }
        let firstError = errno
        guard exists, firstError == ENOTEMPTY || firstError == EEXIST else {
            try? fm.removeItem(at: temporary)
            throw ExportError(path: path, "cannot move the export into place (\(String(cString: strerror(firstError))))")
        }
        // A previous export: swap the two folders in one step, then remove the old one.
        if exchange(temporary.path, url.path) {
            try? fm.removeItem(at: temporary)
            return
        }
        // No atomic exchange on this file system: the old export is moved aside first.
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

    /// `--force` into a folder that holds files the export does not own: each export file is
    /// replaced atomically, files of a previous export that this one does not write are
    /// removed, everything else is kept; the manifest, written last, lists this export.
    private static func writeInPlace(_ files: [(name: String, data: Data)], manifest: ExportManifest,
                                     previous: ExportManifest?, in folder: URL, reportAs path: String) throws {
        for file in files {
            try replaceFile(file.data, at: folder.appendingPathComponent(file.name), reportAs: path)
        }
        let written = Set(manifest.files)
        for name in previous?.files ?? [] where !written.contains(name) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        try replaceFile(manifest.data, at: folder.appendingPathComponent(ExportManifest.fileName), reportAs: path)
    }

    /// Writes `data` to a temporary file beside `url` and renames it over `url`.
    private static func replaceFile(_ data: Data, at url: URL, reportAs path: String) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).vigil-tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temporary, options: .withoutOverwriting)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ExportError(path: path, "cannot write the file (\(InputFile.reason(error)))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ExportError(path: path, "cannot move the new file into place (\(reason))")
        }
    }

    /// Swaps two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`, macOS
    /// `renamex_np(RENAME_SWAP)`); false when the system or file system cannot.
    private static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let atCurrentDirectory: Int32 = -100  // AT_FDCWD
        let renameExchange: UInt32 = 1 << 1    // RENAME_EXCHANGE
        return renameat2(atCurrentDirectory, a, atCurrentDirectory, b, renameExchange) == 0
        #elseif canImport(Darwin)
        return renamex_np(a, b, UInt32(RENAME_SWAP)) == 0
        #else
        return false
        #endif
    }
}
