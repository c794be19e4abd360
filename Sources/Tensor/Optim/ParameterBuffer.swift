/// Where one named parameter lives inside a flat buffer.
public struct ParameterSlot: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// First element in the flat buffer.
    public var offset: Int
    /// Whether AdamW applies weight decay to it (not to biases and layer norms).
    public var decays: Bool
    public var count: Int { shape.reduce(1, *) }
}

/// The names, shapes and offsets of every parameter, in the order they were added.
public struct ParameterLayout: Sendable, Equatable {
    public private(set) var slots: [ParameterSlot] = []
    private var index: [String: Int] = [:]
    /// Total number of floats.
    public private(set) var count = 0

    public init() {}

    /// Appends a parameter; names must be unique.
    @discardableResult
    public mutating func add(_ name: String, _ shape: [Int], decays: Bool) -> ParameterSlot {
        precondition(index[name] == nil, "ParameterLayout: \(name) added twice")
        let slot = ParameterSlot(name: name, shape: shape, offset: count, decays: decays)
        index[name] = slots.count
        slots.append(slot)
        count += slot.count
        return slot
    }

    /// The slot named `name`, if any.
    public func slot(_ name: String) -> ParameterSlot? { index[name].map { slots[$0] } }
}

/// A flat, owned Float buffer laid out by a `ParameterLayout`, with named views: one holds the
/// parameters, another of the same layout their gradients, and AdamW's two moments.
public final class FlatBuffer: @unchecked Sendable {
    public let layout: ParameterLayout
    /// The first float; `layout.count` of them, zero-initialised.
    public let base: UnsafeMutablePointer<Float>

    public init(layout: ParameterLayout) {
        self.layout = layout
        base = .allocate(capacity: max(1, layout.count))
        base.initialize(repeating: 0, count: max(1, layout.count))
    }

    deinit { base.deallocate() }

    public var count: Int { layout.count }

    /// The start of the parameter `name`'s floats. The name must be in the layout.
    public subscript(name: String) -> UnsafeMutablePointer<Float> {
        guard let slot = layout.slot(name) else { preconditionFailure("FlatBuffer: no parameter \(name)") }
        return base + slot.offset
    }

    /// A copy of the parameter `name` as a tensor of its shape.
    public func tensor(_ name: String) -> Tensor {
        guard let slot = layout.slot(name) else { preconditionFailure("FlatBuffer: no parameter \(name)") }
        return Tensor(shape: slot.shape, data: Array(UnsafeBufferPointer(start: base + slot.offset, count: slot.count)))
    }

    /// Copies `tensor`'s elements into the parameter `name` (same element count).
    public func set(_ name: String, _ tensor: Tensor) {
        guard let slot = layout.slot(name), slot.count == tensor.count else {
            preconditionFailure("FlatBuffer: \(name) does not take \(tensor.shape)")
        }
        tensor.data.withUnsafeBufferPointer { (base + slot.offset).update(from: $0.baseAddress!, count: slot.count) }
    }

    /// Sets every element to zero (between optimizer steps, for gradients).
    public func zero() {
        let base = self.base
        Parallel.forEachChunk(count, minimumPerThread: 1 << 20) { range in
            (base + range.lowerBound).update(repeating: 0, count: range.count)
        }
    }

    /// All elements as an array (tests, checksums).
    public var elements: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
