import Foundation
import Tensor

/// A tensor's element type as safetensors names it.
public enum SafeTensorsDType: String, Sendable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"
    case u16 = "U16", u32 = "U32", u64 = "U64", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
        }
    }
}

/// A safetensors file, memory-mapped, with its header validated against the file size:
/// an 8-byte little-endian header length, a JSON header, then the tensors' bytes.
public struct SafeTensorsFile: Sendable {
    /// One tensor's entry in the header.
    public struct Entry: Sendable, Equatable {
        public var dtype: SafeTensorsDType
        public var shape: [Int]
        /// Byte range inside the file (already offset past the header).
        public var bytes: Range<Int>
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let data: Data

    public var names: [String] { entries.keys.sorted() }

    /// Reads and validates `path`: header inside the file, every tensor's bytes inside the
    /// data section and matching its shape and dtype.
    public init(path: String) throws(CheckpointError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        self.data = data
        guard data.count >= 8 else { throw .truncated(path: path, size: data.count, needed: 8) }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(data.count - 8) else {
            throw .truncated(path: path, size: data.count, needed: length > UInt64(Int.max / 2) ? Int.max : 8 + Int(length))
        }
        let headerEnd = 8 + Int(length)
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) } catch {
            throw .badHeader(path: path, reason: "not JSON (\(error.localizedDescription))")
        }
        guard let header = object as? [String: Any] else { throw .badHeader(path: path, reason: "not a JSON object") }
        let available = data.count - headerEnd
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                for (key, item) in value as? [String: Any] ?? [:] { metadata[key] = item as? String ?? "\(item)" }
                continue
            }
            guard let fields = value as? [String: Any], let dtypeName = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
                  offsets.count == 2 else {
                throw .badHeader(path: path, reason: "tensor \"\(name)\" needs dtype, shape and two data_offsets")
            }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw .unknownDType(path: path, tensor: name, dtype: dtypeName)
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw .badHeader(path: path, reason: "tensor \"\(name)\" has a negative size or reversed offsets")
            }
            guard offsets[1] <= available else {
                throw .dataOutOfBounds(path: path, tensor: name, end: offsets[1], available: available)
            }
            let (elements, overflow) = shape.reduce((1, false)) { acc, n in
                let (p, o) = acc.0.multipliedReportingOverflow(by: n)
                return (p, acc.1 || o)
            }
            let expected = overflow ? Int.max : elements.multipliedReportingOverflow(by: dtype.byteSize).partialValue
            guard !overflow, offsets[1] - offsets[0] == expected else {
                throw .sizeMismatch(path: path, tensor: name, bytes: offsets[1] - offsets[0], expected: expected)
            }
            entries[name] = Entry(dtype: dtype, shape: shape, bytes: (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
        }
        self.entries = entries
        self.metadata = metadata
    }

    /// The tensor `name` converted to Float32 (F32, F16 and BF16 are accepted).
    public func tensor(_ name: String) throws(CheckpointError) -> Tensor {
        guard let entry = entries[name] else { throw .missingTensor(path: path, tensor: name) }
        let count = entry.shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        let start = data.startIndex + entry.bytes.lowerBound
        let dtype = entry.dtype
        guard dtype == .f32 || dtype == .f16 || dtype == .bf16 else {
            throw .unsupportedDType(path: path, tensor: name, dtype: dtype.rawValue)
        }
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let base = raw.baseAddress! + (start - data.startIndex)
            values.withUnsafeMutableBufferPointer { out in
                switch dtype {
                case .f32:
                    UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: count * 4)
                case .f16:
                    for i in 0..<count {
                        out[i] = Float(Float16(bitPattern: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    }
                default:
                    for i in 0..<count {
                        out[i] = Float(bitPattern: UInt32(base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
                    }
                }
            }
        }
        return Tensor(shape: entry.shape, data: values)
    }

    /// Writes `tensors` as an F32 safetensors file, atomically (a temporary file renamed into place).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws(CheckpointError) {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + 4 * tensor.count]]
            offset += 4 * tensor.count
        }
        var json: Data
        do { json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) } catch {
            throw .badHeader(path: path, reason: error.localizedDescription)
        }
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, tensor) in tensors { tensor.data.withUnsafeBytes { out.append(contentsOf: $0) } }
        let temporary = path + ".partial-\(UUID().uuidString)"
        do {
            try out.write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .unreadable(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
