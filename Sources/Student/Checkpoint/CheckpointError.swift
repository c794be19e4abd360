/// Why a model folder could not be loaded or saved. Every case names the file and the
/// tensor, key or line at fault.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    /// The file is shorter than its 8-byte header length, or than the header it announces.
    case truncated(path: String, size: Int, needed: Int)
    case badHeader(path: String, reason: String)
    /// A tensor's byte range lies (partly) past the end of the file's data section.
    case dataOutOfBounds(path: String, tensor: String, end: Int, available: Int)
    /// A tensor's byte range does not match its shape and dtype.
    case sizeMismatch(path: String, tensor: String, bytes: Int, expected: Int)
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A known dtype that cannot hold weights (integers, booleans).
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case missingTensor(path: String, tensor: String)
    case unexpectedTensor(path: String, tensor: String)
    case wrongShape(path: String, tensor: String, found: [Int], expected: [Int])
    case badConfig(path: String, key: String, reason: String)
    case badVocabulary(path: String, line: Int, reason: String)
    case folderExists(path: String)

    public var description: String {
        switch self {
        case .missingFile(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .truncated(let path, let size, let needed):
            return "\(path): truncated: the file has \(size) bytes but its header needs \(needed)"
        case .badHeader(let path, let reason): return "\(path): bad safetensors header: \(reason)"
        case .dataOutOfBounds(let path, let tensor, let end, let available):
            return "\(path): tensor \"\(tensor)\" ends at byte \(end), past the end of the data (\(available) bytes)"
        case .sizeMismatch(let path, let tensor, let bytes, let expected):
            return "\(path): tensor \"\(tensor)\" has \(bytes) bytes, its shape and dtype need \(expected)"
        case .unknownDType(let path, let tensor, let dtype):
            return "\(path): tensor \"\(tensor)\" has unknown dtype \"\(dtype)\""
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor \"\(tensor)\" has dtype \(dtype); weights must be F32, F16 or BF16"
        case .missingTensor(let path, let tensor): return "\(path): missing tensor \"\(tensor)\""
        case .unexpectedTensor(let path, let tensor): return "\(path): unexpected tensor \"\(tensor)\""
        case .wrongShape(let path, let tensor, let found, let expected):
            return "\(path): tensor \"\(tensor)\" has shape \(found), expected \(expected)"
        case .badConfig(let path, let key, let reason): return "\(path): \"\(key)\": \(reason)"
        case .badVocabulary(let path, let line, let reason): return "\(path):\(line): \(reason)"
        case .folderExists(let path): return "\(path): already exists and is not empty"
        }
    }
}
