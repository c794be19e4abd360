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

    /// The weight rounded to bfloat16 and packed for `vk_linear_bf16` (nil unless this layer
    /// was made with `precision: .bfloat16` on a CPU with AVX512-BF16). Immutable after init.
    private let packedBF16: UnsafeMutablePointer<UInt16>?

    /// The precision its products run in: `.bfloat16` only when asked for and the CPU has
    /// AVX512-BF16 (`BF16GEMM.inferenceAvailable`), else `.float32`.
    public var precision: MatmulPrecision { packedBF16 == nil ? .float32 : .bfloat16 }

    /// Packs `weight` (outFeatures, inFeatures) and keeps `bias` (outFeatures). With
    /// `precision: .bfloat16` on a CPU with AVX512-BF16, the products round the weight and the
    /// input to bfloat16 and accumulate in float32 (bias, residual and GELU stay float32);
    /// elsewhere `.bfloat16` gives the float32 layer.
    public init(weight: Tensor, bias: Tensor?, precision: MatmulPrecision = .float32) {
        precondition(weight.shape.count == 2 && weight.count > 0, "PackedLinear: weight must be a non-empty matrix, not \(weight.shape)")
        precondition(bias.map { $0.count == weight.shape[0] } ?? true, "PackedLinear: bias must have \(weight.shape[0]) elements")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        self.weight = weight
        self.bias = bias
        panels = (outFeatures + Int(VK_PANEL_WIDTH) - 1) / Int(VK_PANEL_WIDTH)
        let n = Int32(weight.shape[0]), k = Int32(weight.shape[1])
        if precision == .bfloat16, NativeKernels.available, BF16GEMM.inferenceAvailable {
            packedBF16 = Self.pack(weight, UInt16.self, count: vk_bf16_packed_weight_elements(n, k)) {
                vk_pack_weight_bf16($0, n, k, $1)
            }
            packed = nil
        } else if NativeKernels.available {
            packed = Self.pack(weight, Float.self, count: vk_packed_floats(n, k)) { vk_pack_weight($0, n, k, $1) }
            packedBF16 = nil
        } else {
            packed = nil
            packedBF16 = nil
        }
    }

    /// A 64-byte aligned buffer of `count` elements that `fill` packs `weight` into.
    private static func pack<Element>(_ weight: Tensor, _: Element.Type, count: Int,
                                      _ fill: (UnsafePointer<Float>, UnsafeMutablePointer<Element>) -> Void)
        -> UnsafeMutablePointer<Element> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Element>.stride, alignment: 64)
        let buffer = raw.bindMemory(to: Element.self, capacity: count)
        weight.data.withUnsafeBufferPointer { fill($0.baseAddress!, buffer) }
        return buffer
    }

    deinit {
        packed?.deallocate()
        packedBF16?.deallocate()
    }

    /// `out (rows, outFeatures) = gelu?(input (rows, inFeatures) · Wᵀ + bias + residual)`.
    /// `residual` is (rows, outFeatures); `out` must not overlap `input` or `residual`.
    public func forward(_ input: UnsafePointer<Float>, rows: Int, residual: UnsafePointer<Float>? = nil,
                        gelu: Bool = false, into out: UnsafeMutablePointer<Float>) {
        guard rows > 0, outFeatures > 0 else { return }
        if let packedBF16, NativeKernels.enabled {
            forwardBF16(packedBF16, input, rows: rows, residual: residual, gelu: gelu, into: out)
            return
        }
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

    /// The product on AVX512-BF16: the input rounded to bf16 once (rows split between the
    /// threads), then the output panels split between them.
    private func forwardBF16(_ packedBF16: UnsafeMutablePointer<UInt16>, _ input: UnsafePointer<Float>, rows: Int,
                             residual: UnsafePointer<Float>?, gelu: Bool, into out: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures, panels = panels
        let stride = vk_bf16_row_stride(Int32(k))
        // bf16 elements, two to a float of the calling thread's buffer.
        guard let buffer = vk_thread_buffer((rows * stride + 1) / 2) else {
            // Out of memory for the rounded input: the float32 reference product.
            portableForward(input, rows: rows, residual: residual, gelu: gelu, into: out)
            return
        }
        let rounded = UnsafeMutableRawPointer(buffer).bindMemory(to: UInt16.self, capacity: rows * stride)
        let threads = max(1, min(Parallel.threads, panels, rows * n * k / 131_072))
        let chunks = threads == 1 ? 1 : min(panels, 3 * threads)
        let rowChunks = threads == 1 ? 1 : min(rows, threads)
        Parallel.forEachChunk(rows, chunks: rowChunks) { _, range in
            vk_bf16_round_rows(input, Int32(rows), Int32(k), k, rounded, Int32(range.lowerBound), Int32(range.upperBound))
        }
        bias.withUnsafeData { biasPointer in
            Parallel.forEachChunk(panels, chunks: chunks) { _, range in
                vk_linear_bf16(rounded, Int32(rows), Int32(k), packedBF16, Int32(n), biasPointer, residual, n,
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
