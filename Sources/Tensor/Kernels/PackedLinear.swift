import CKernels

/// A `Linear` layer whose weight is packed once, at load time, into the AVX-512 GEMM's panel
/// layout, with the bias, an optional residual and an optional GELU fused into the product.
///
/// `forward` computes `out = gelu?(input · Wᵀ + bias + residual)`, the same function as
/// `Linear.forward` followed by `Elementwise.addResidual` and `GELU.forward`; without AVX-512
/// (or with `NativeKernels` off) it runs exactly those. The weights are copied, so later
/// changes to the source tensors do not reach a packed layer: pack again after training.
public final class PackedLinear: @unchecked Sendable {
    public let inFeatures: Int
    public let outFeatures: Int
    /// The weight (out, in) and bias (out) as given, for the portable path.
    public let weight: Tensor
    public let bias: Tensor?
    /// Panels of 32 output columns (nil when the CPU has no AVX-512F). Immutable after init.
    private let packed: UnsafeMutablePointer<Float>?
    private let panels: Int

    /// Packs `weight` (outFeatures, inFeatures) and keeps `bias` (outFeatures).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.shape.count == 2 && weight.count > 0, "PackedLinear: weight must be a non-empty matrix, not \(weight.shape)")
        precondition(bias.map { $0.count == weight.shape[0] } ?? true, "PackedLinear: bias must have \(weight.shape[0]) elements")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        self.weight = weight
        self.bias = bias
        panels = (outFeatures + Int(VK_PANEL_WIDTH) - 1) / Int(VK_PANEL_WIDTH)
        if NativeKernels.available {
            let n = Int32(weight.shape[0]), k = Int32(weight.shape[1])
            let count = vk_packed_floats(n, k)
            let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            let buffer = raw.bindMemory(to: Float.self, capacity: count)
            weight.data.withUnsafeBufferPointer { w in vk_pack_weight(w.baseAddress!, n, k, buffer) }
            packed = buffer
        } else {
            packed = nil
        }
    }

    deinit { packed?.deallocate() }

    /// `out (rows, outFeatures) = gelu?(input (rows, inFeatures) · Wᵀ + bias + residual)`.
    /// `residual` is (rows, outFeatures); `out` must not overlap `input` or `residual`.
    public func forward(_ input: UnsafePointer<Float>, rows: Int, residual: UnsafePointer<Float>? = nil,
                        gelu: Bool = false, into out: UnsafeMutablePointer<Float>) {
        guard rows > 0, outFeatures > 0 else { return }
        guard let packed, NativeKernels.enabled else {
            portableForward(input, rows: rows, residual: residual, gelu: gelu, into: out)
            return
        }
        let n = outFeatures, k = inFeatures, panels = panels
        // Below about 64k multiply-adds per thread a second thread costs more than it saves.
        let threads = max(1, min(Parallel.threads, panels, rows * n * k / 65_536))
        // A few chunks per thread, handed out as threads come free, so that a thread that
        // starts late (a busy machine) does not hold the others up.
        let chunks = threads == 1 ? 1 : min(panels, 3 * threads)
        let rowPanels = (rows + Int(VK_ROW_PANEL) - 1) / Int(VK_ROW_PANEL)
        bias.withUnsafeData { biasPointer in
            // Several chunks share one packed copy of the input, packed by all threads first.
            if chunks > 1, let inputPanels = vk_thread_buffer(vk_packed_rows_floats(Int32(rows), Int32(k))) {
                Parallel.forEachChunk(rowPanels, chunks: min(threads, rowPanels)) { _, range in
                    vk_pack_rows(input, Int32(rows), Int32(k), k, inputPanels, Int32(range.lowerBound), Int32(range.upperBound))
                }
                Parallel.forEachChunk(panels, chunks: chunks) { _, range in
                    vk_linear_prepacked(inputPanels, Int32(rows), Int32(k), packed, Int32(n), biasPointer, residual, n,
                                        gelu ? 1 : 0, out, n, Int32(range.lowerBound), Int32(range.upperBound))
                }
                return
            }
            Parallel.forEachChunk(panels, chunks: chunks) { _, range in
                vk_linear_packed(input, Int32(rows), Int32(k), k, packed, Int32(n), biasPointer, residual, n,
                                 gelu ? 1 : 0, out, n, Int32(range.lowerBound), Int32(range.upperBound))
            }
        }
    }

    /// The same function on the portable kernels.
    private func portableForward(_ input: UnsafePointer<Float>, rows: Int, residual: UnsafePointer<Float>?,
                                 gelu: Bool, into out: UnsafeMutablePointer<Float>) {
        weight.data.withUnsafeBufferPointer { w in
            bias.withUnsafeData { b in
                Linear.forward(input, rows: rows, inFeatures: inFeatures, weight: w.baseAddress!, bias: b,
                               outFeatures: outFeatures, into: out)
            }
        }
        if let residual { Elementwise.addResidual(out, residual, count: rows * outFeatures) }
        if gelu { GELU.forward(out, count: rows * outFeatures) }
    }

    /// `input (rows, in) · Wᵀ + bias` (then GELU when asked) as a new tensor.
    public func forward(_ input: Tensor, gelu: Bool = false) -> Tensor {
        precondition(input.shape.last == inFeatures, "PackedLinear: input width \(input.shape) != \(inFeatures)")
        let rows = input.count / inFeatures
        var out = Tensor(zeros: Array(input.shape.dropLast()) + [outFeatures])
        guard rows > 0 else { return out }
        input.data.withUnsafeBufferPointer { x in
            out.data.withUnsafeMutableBufferPointer { o in
                forward(x.baseAddress!, rows: rows, gelu: gelu, into: o.baseAddress!)
            }
        }
        return out
    }
}

extension Optional where Wrapped == Tensor {
    /// Runs `body` with a pointer to the tensor's elements, or nil when there is no tensor.
    func withUnsafeData<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        switch self {
        case .some(let t): return t.data.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: return body(nil)
        }
    }
}
