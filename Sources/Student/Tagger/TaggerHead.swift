import Tensor

/// Which drug-conditioned head scores the tokens.
public enum HeadKind: String, Sendable, Codable, CaseIterable {
    /// The paper's head: `sigmoid(w · [h_i; d] + b)`. Its drug term `w_d · d` is one constant
    /// per drug, so every drug of a sentence ranks the tokens the same way.
    case concat
    /// An MLP over `[h_i; d; h_i ⊙ d]` (GELU hidden layer): the product lets the drug change
    /// which tokens score high, so two drugs in one sentence can get different ADEs.
    case interaction
    /// concat's linear term plus the interaction MLP, whose output layer starts at zero:
    /// `w · [h_i; d] + w2 · gelu(W1 [h_i; d; h_i ⊙ d] + b1) + b2`. It starts as concat, ranking
    /// every drug's tokens alike, and lets the drug change the ranking only as far as training
    /// moves the MLP away from zero.
    case residual

    /// Whether the head has the MLP over `[h; d; h ⊙ d]` (and so an `mlp_size`).
    public var hasMLP: Bool { self != .concat }
}

/// Signed, log-spaced buckets of a piece's distance (in word pieces) to a drug mention: the
/// mention itself, then 1, 2, 3–4, 5–8, 9–16, 17–32 and 33 or more pieces on either side.
public enum DrugDistance {
    public static let bucketCount = 15

    /// The bucket of piece `piece` for a drug covering pieces `first...last`: 7 inside the
    /// mention, below 7 before it, above 7 after it.
    public static func bucket(_ piece: Int, first: Int, last: Int) -> Int {
        let distance = piece < first ? first - piece : piece > last ? piece - last : 0
        var magnitude = 0
        if distance > 0 {
            magnitude = 1
            var reach = 1
            while reach < distance, magnitude < 7 { reach *= 2; magnitude += 1 }
        }
        return piece < first ? 7 - magnitude : 7 + magnitude
    }

    /// The bucket of each of `count` pieces for a drug on `drugPieces`; nil when there are none.
    public static func buckets(count: Int, drugPieces: [Int]) -> [Int]? {
        guard let first = drugPieces.min(), let last = drugPieces.max() else { return nil }
        return (0..<count).map { bucket($0, first: first, last: last) }
    }
}

/// The tagger head's parameters (saved under `vigil_head.` in `model.safetensors`).
public struct TaggerHead: Sendable {
    public static let prefix = "vigil_head."
    /// The checkpoint name of the optional relative-position bias (`DrugDistance.bucketCount` floats).
    public static let distanceName = prefix + "distance_bias"

    public let kind: HeadKind
    public let hiddenSize: Int
    /// concat: (1, 2C); interaction and residual: the MLP's first layer (H, 3C).
    public var weight1: Tensor
    public var bias1: Tensor
    /// interaction and residual: the MLP's second layer (1, H) and its bias (1).
    public var weight2: Tensor?
    public var bias2: Tensor?
    /// residual only: the linear term over `[h; d]` (1, 2C), without a bias (`bias2` is the head's).
    public var skipWeight: Tensor?
    /// Optional relative-position bias: one learned logit offset per `DrugDistance` bucket, so the
    /// head can prefer tokens near the drug (and tell two drugs of one sentence apart even as concat).
    public var distanceBias: Tensor?

    /// The tensor names and shapes a head of `kind` over hidden size `c` needs (`mlpSize` for interaction).
    public static func expectedShapes(kind: HeadKind, hiddenSize c: Int, mlpSize: Int) -> [(String, [Int])] {
        switch kind {
        case .concat: return [(prefix + "linear.weight", [1, 2 * c]), (prefix + "linear.bias", [1])]
        case .interaction:
            return [(prefix + "mlp.0.weight", [mlpSize, 3 * c]), (prefix + "mlp.0.bias", [mlpSize]),
                    (prefix + "mlp.2.weight", [1, mlpSize]), (prefix + "mlp.2.bias", [1])]
        case .residual:
            return expectedShapes(kind: .interaction, hiddenSize: c, mlpSize: mlpSize) + [(prefix + "linear.weight", [1, 2 * c])]
        }
    }

    /// Reads the head from a checkpoint file, checking names and shapes.
    public init(file: SafeTensorsFile, kind: HeadKind, hiddenSize: Int, mlpSize: Int) throws(CheckpointError) {
        let expected = Self.expectedShapes(kind: kind, hiddenSize: hiddenSize, mlpSize: mlpSize)
        let names = Set(expected.map(\.0) + [Self.distanceName])
        for name in file.names where name.hasPrefix(Self.prefix) && !names.contains(name) {
            throw .unexpectedTensor(path: file.path, tensor: name)
        }
        var tensors: [Tensor] = []
        for (name, shape) in expected {
            guard let entry = file.entries[name] else { throw .missingTensor(path: file.path, tensor: name) }
            guard entry.shape == shape else { throw .wrongShape(path: file.path, tensor: name, found: entry.shape, expected: shape) }
            tensors.append(try file.tensor(name))
        }
        var distance: Tensor?
        if let entry = file.entries[Self.distanceName] {
            guard entry.shape == [DrugDistance.bucketCount] else {
                throw .wrongShape(path: file.path, tensor: Self.distanceName, found: entry.shape, expected: [DrugDistance.bucketCount])
            }
            distance = try file.tensor(Self.distanceName)
        }
        self.init(kind: kind, hiddenSize: hiddenSize, tensors: tensors, distanceBias: distance)
    }

    init(kind: HeadKind, hiddenSize: Int, tensors: [Tensor], distanceBias: Tensor? = nil) {
        self.kind = kind
        self.hiddenSize = hiddenSize
        weight1 = tensors[0]
        bias1 = tensors[1]
        weight2 = tensors.count > 2 ? tensors[2] : nil
        bias2 = tensors.count > 3 ? tensors[3] : nil
        skipWeight = tensors.count > 4 ? tensors[4] : nil
        self.distanceBias = distanceBias
    }

    /// A freshly initialised head (uniform ±1/sqrt(fan-in), as PyTorch's `Linear`), seeded; the
    /// residual head's MLP output weights start at zero. With `relativePosition`, a zero distance bias.
    public init(random kind: HeadKind, hiddenSize: Int, mlpSize: Int, seed: UInt64, relativePosition: Bool = false) {
        var state = seed
        func uniform(_ shape: [Int], fanIn: Int) -> Tensor {
            let bound = 1 / Float(fanIn).squareRoot()
            var data = [Float](repeating: 0, count: shape.reduce(1, *))
            for i in data.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                data[i] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * bound
            }
            return Tensor(shape: shape, data: data)
        }
        let shapes = Self.expectedShapes(kind: kind, hiddenSize: hiddenSize, mlpSize: mlpSize)
        let fanIns = kind == .concat ? [2 * hiddenSize, 2 * hiddenSize]
            : [3 * hiddenSize, 3 * hiddenSize, mlpSize, mlpSize] + (kind == .residual ? [2 * hiddenSize] : [])
        var tensors = zip(shapes, fanIns).map { uniform($0.0.1, fanIn: $0.1) }
        if kind == .residual { tensors[2] = Tensor(zeros: [1, mlpSize]) }
        self.init(kind: kind, hiddenSize: hiddenSize, tensors: tensors,
                  distanceBias: relativePosition ? Tensor(zeros: [DrugDistance.bucketCount]) : nil)
    }

    /// The hidden width of the interaction MLP (0 for concat).
    public var mlpSize: Int { kind.hasMLP ? weight1.shape[0] : 0 }

    /// The head's tensors under their checkpoint names.
    public var namedTensors: [(name: String, tensor: Tensor)] {
        let names = Self.expectedShapes(kind: kind, hiddenSize: hiddenSize, mlpSize: mlpSize).map(\.0)
        return zip(names, [weight1, bias1, weight2, bias2, skipWeight].compactMap { $0 }).map { ($0, $1) }
            + (distanceBias.map { [(Self.distanceName, $0)] } ?? [])
    }

    /// One logit per token: P(token i is an ADE of this drug) = sigmoid(logit).
    /// `hidden` is (n, C) and `drug` the drug's pooled vector (C); `drugPieces` (the rows pooled)
    /// place the drug for the distance bias.
    public func logits(hidden: Tensor, drug: [Float], drugPieces: [Int] = []) -> [Float] {
        var result = contentLogits(hidden: hidden, drug: drug)
        if let distanceBias, let buckets = DrugDistance.buckets(count: result.count, drugPieces: drugPieces) {
            for i in result.indices { result[i] += distanceBias.data[buckets[i]] }
        }
        return result
    }

    private func contentLogits(hidden: Tensor, drug: [Float]) -> [Float] {
        let n = hidden.shape[0], c = hiddenSize
        switch kind {
        case .concat:
            return Self.linearTerm(weight: weight1, bias: bias1.data[0], hidden: hidden, drug: drug)
        case .interaction, .residual:
            var features = [Float](repeating: 0, count: n * 3 * c) // (n, 3C): [h; d; h ⊙ d]
            for i in 0..<n {
                let row = i * 3 * c
                for j in 0..<c {
                    let h = hidden.data[i * c + j]
                    features[row + j] = h
                    features[row + c + j] = drug[j]
                    features[row + 2 * c + j] = h * drug[j]
                }
            }
            let hiddenLayer = GELU.forward(Linear.forward(Tensor(shape: [n, 3 * c], data: features), weight: weight1, bias: bias1))
            // weight2/bias2 exist for the MLP heads by construction.
            var logits = Linear.forward(hiddenLayer, weight: weight2 ?? Tensor(zeros: [1, mlpSize]), bias: bias2).data
            if let skipWeight {
                let skip = Self.linearTerm(weight: skipWeight, bias: 0, hidden: hidden, drug: drug)
                for i in logits.indices { logits[i] += skip[i] }
            }
            return logits
        }
    }

    /// `w_h · h_i + w_d · d + bias` for each row of `hidden` (n, C); `weight` is (1, 2C): `[w_h; w_d]`.
    private static func linearTerm(weight: Tensor, bias: Float, hidden: Tensor, drug: [Float]) -> [Float] {
        let c = drug.count
        var drugTerm = bias
        for j in 0..<c { drugTerm += weight.data[c + j] * drug[j] }
        let tokenWeight = Tensor(shape: [1, c], data: Array(weight.data[0..<c]))
        return Linear.forward(hidden, weight: tokenWeight, bias: nil).data.map { $0 + drugTerm }
    }
}
