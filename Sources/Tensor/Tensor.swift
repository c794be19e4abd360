/// A dense Float32 tensor: a flat row-major buffer with its shape written beside it.
///
/// Kernels work on raw pointers (see `Kernels/`); `Tensor` is the owning value that
/// tests, checkpoints and the encoder pass around.
public struct Tensor: Sendable, Equatable {
    /// Sizes of each dimension, outermost first: `[rows, columns]` for a matrix.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `data.count == shape.product`.
    public var data: [Float]

    /// A tensor over `data`; the element count must match the shape.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == data.count,
                     "Tensor: \(data.count) elements do not fill shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Number of elements.
    public var count: Int { data.count }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Element `[i, j]` of a matrix.
    public subscript(i: Int, j: Int) -> Float {
        get { data[i * shape[1] + j] }
        set { data[i * shape[1] + j] = newValue }
    }

    /// Row `i` of a matrix (or of the tensor seen as `(shape[0], rest)`).
    public func row(_ i: Int) -> ArraySlice<Float> {
        let width = count / max(shape[0], 1)
        return data[(i * width)..<((i + 1) * width)]
    }

    /// Largest absolute element-wise difference to `other` (same shape); `.infinity` when shapes differ.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        guard shape == other.shape else { return .infinity }
        var worst: Float = 0
        for i in data.indices { worst = Swift.max(worst, abs(data[i] - other.data[i])) }
        return worst
    }
}
