import Tensor

/// The drug-conditioned head's forward and backward pass over a batch's items, with the
/// sigmoid binary cross-entropy averaged over every labelled piece of the batch.
///
/// For an item, `h` are the hidden states of its sentence's pieces (without `[CLS]`/`[SEP]`)
/// and `d` the mean of its drug pieces' states (`MeanPool`).
/// - concat: `logit_i = w_h · h_i + w_d · d + b`.
/// - interaction: `logit_i = w2 · gelu(W1 [h_i; d; h_i ⊙ d] + b1) + b2`.
/// - residual: the interaction logit plus `s_h · h_i + s_d · d`.
/// With the relative-position bias, `r[bucket(i)]` (`DrugDistance`) is added to either.
enum HeadTrainingPass {
    /// Adds the head's gradients into `parameters.gradients` and writes the loss gradient of the
    /// hidden states into `dHidden` (B·T, C; must be zero on entry). Returns the mean loss.
    static func forwardBackward(parameters: TrainingParameters, hidden: UnsafePointer<Float>, length: Int,
                                items: [TrainingItem], dHidden: UnsafeMutablePointer<Float>) -> Double {
        let c = parameters.config.hiddenSize
        let normalizer = Float(max(1, items.reduce(0) { $0 + $1.targets.count }))
        var total: Double = 0
        for item in items {
            let pieces = item.targets.count
            guard pieces > 0 else { continue }
            let h = hidden + (item.sequence * length + 1) * c   // (pieces, C), skipping [CLS]
            let dh = dHidden + (item.sequence * length + 1) * c
            var drug = [Float](repeating: 0, count: c), dDrug = [Float](repeating: 0, count: c)
            var logits = [Float](repeating: 0, count: pieces), dLogits = [Float](repeating: 0, count: pieces)
            drug.withUnsafeMutableBufferPointer { d in
                dDrug.withUnsafeMutableBufferPointer { dd in
                    logits.withUnsafeMutableBufferPointer { z in
                        dLogits.withUnsafeMutableBufferPointer { dz in
                            item.targets.withUnsafeBufferPointer { y in
                                MeanPool.forward(h, cols: c, members: item.drugPieces, into: d.baseAddress!)
                                let scratch = Scratch(pieces: pieces, parameters: parameters)
                                scratch.forward(h, drug: d.baseAddress!, logits: z.baseAddress!)
                                let buckets = parameters.relativePosition
                                    ? DrugDistance.buckets(count: pieces, drugPieces: item.drugPieces) : nil
                                if let buckets {
                                    let r = parameters.values["head.distance"]
                                    for i in 0..<pieces { z[i] += r[buckets[i]] }
                                }
                                total += SigmoidBCE.forwardBackward(logits: z.baseAddress!, targets: y.baseAddress!,
                                                                    count: pieces, normalizer: normalizer,
                                                                    dLogits: dz.baseAddress!)
                                if let buckets {
                                    let dr = parameters.gradients["head.distance"]
                                    for i in 0..<pieces { dr[buckets[i]] += dz[i] }
                                }
                                scratch.backward(h, drug: d.baseAddress!, dLogits: dz.baseAddress!, dHidden: dh,
                                                 dDrug: dd.baseAddress!)
                                MeanPool.backward(dOut: dd.baseAddress!, cols: c, members: item.drugPieces, dInput: dh)
                            }
                        }
                    }
                }
            }
        }
        return total / Double(normalizer)
    }

    /// One item's head computation with its intermediate buffers.
    private final class Scratch {
        let pieces: Int, c: Int
        let parameters: TrainingParameters
        var features: [Float] = []    // interaction: (pieces, 3C)
        var preActivation: [Float] = [] // interaction: (pieces, H)
        var activated: [Float] = []    // interaction: (pieces, H)

        init(pieces: Int, parameters: TrainingParameters) {
            self.pieces = pieces
            self.parameters = parameters
            c = parameters.config.hiddenSize
        }

        func forward(_ h: UnsafePointer<Float>, drug: UnsafePointer<Float>, logits: UnsafeMutablePointer<Float>) {
            let p = parameters.values
            switch parameters.headKind {
            case .concat:
                linearTerm(weight: p["head.weight1"], bias: p["head.bias1"][0], h, drug: drug, logits: logits, adding: false)
            case .interaction, .residual:
                let m = parameters.mlpSize
                features = [Float](repeating: 0, count: pieces * 3 * c)
                for i in 0..<pieces {
                    for j in 0..<c {
                        let v = h[i * c + j]
                        features[i * 3 * c + j] = v
                        features[i * 3 * c + c + j] = drug[j]
                        features[i * 3 * c + 2 * c + j] = v * drug[j]
                    }
                }
                preActivation = [Float](repeating: 0, count: pieces * m)
                features.withUnsafeBufferPointer { f in
                    preActivation.withUnsafeMutableBufferPointer { z in
                        Linear.forward(f.baseAddress!, rows: pieces, inFeatures: 3 * c, weight: p["head.weight1"],
                                       bias: p["head.bias1"], outFeatures: m, into: z.baseAddress!)
                    }
                }
                activated = preActivation
                activated.withUnsafeMutableBufferPointer { a in
                    GELU.forward(a.baseAddress!, count: pieces * m)
                    Linear.forward(a.baseAddress!, rows: pieces, inFeatures: m, weight: p["head.weight2"], bias: p["head.bias2"],
                                   outFeatures: 1, into: logits)
                }
                if parameters.headKind == .residual {
                    linearTerm(weight: p["head.skip"], bias: 0, h, drug: drug, logits: logits, adding: true)
                }
            }
        }

        /// `w_h · h_i + w_d · d + bias` (`weight` is (1, 2C): `[w_h; w_d]`) for every piece, written
        /// into `logits` or, `adding`, added to them.
        private func linearTerm(weight w: UnsafePointer<Float>, bias: Float, _ h: UnsafePointer<Float>,
                                drug: UnsafePointer<Float>, logits: UnsafeMutablePointer<Float>, adding: Bool) {
            var drugTerm = bias
            for j in 0..<c { drugTerm += w[c + j] * drug[j] }
            for i in 0..<pieces {
                var sum = drugTerm
                for j in 0..<c { sum += w[j] * h[i * c + j] }
                logits[i] = adding ? logits[i] + sum : sum
            }
        }

        /// The backward of `linearTerm`: adds into `dWeight`, `dHidden` and `dDrug`; returns Σ dLogits
        /// (the gradient of a bias added to every logit).
        private func linearTermBackward(weight w: UnsafePointer<Float>, dWeight dw: UnsafeMutablePointer<Float>,
                                        _ h: UnsafePointer<Float>, drug: UnsafePointer<Float>, dLogits: UnsafePointer<Float>,
                                        dHidden: UnsafeMutablePointer<Float>, dDrug: UnsafeMutablePointer<Float>) -> Float {
            var sum: Float = 0
            for i in 0..<pieces {
                let dz = dLogits[i]
                sum += dz
                for j in 0..<c {
                    dw[j] += dz * h[i * c + j]
                    dHidden[i * c + j] += dz * w[j]
                }
            }
            for j in 0..<c {
                dw[c + j] += sum * drug[j]
                dDrug[j] += sum * w[c + j]
            }
            return sum
        }

        /// Adds into the head's gradients, `dHidden` (pieces, C) and `dDrug` (C, zero on entry).
        func backward(_ h: UnsafePointer<Float>, drug: UnsafePointer<Float>, dLogits: UnsafePointer<Float>,
                      dHidden: UnsafeMutablePointer<Float>, dDrug: UnsafeMutablePointer<Float>) {
            let p = parameters.values, g = parameters.gradients
            switch parameters.headKind {
            case .concat:
                g["head.bias1"][0] += linearTermBackward(weight: p["head.weight1"], dWeight: g["head.weight1"], h, drug: drug,
                                                         dLogits: dLogits, dHidden: dHidden, dDrug: dDrug)
            case .interaction, .residual:
                let m = parameters.mlpSize
                var dActivated = [Float](repeating: 0, count: pieces * m)
                var dFeatures = [Float](repeating: 0, count: pieces * 3 * c)
                activated.withUnsafeBufferPointer { a in
                    dActivated.withUnsafeMutableBufferPointer { da in
                        Linear.backward(a.baseAddress!, rows: pieces, inFeatures: m, weight: p["head.weight2"], outFeatures: 1,
                                        dOut: dLogits, dInput: da.baseAddress!, dWeight: g["head.weight2"], dBias: g["head.bias2"])
                        preActivation.withUnsafeBufferPointer { z in
                            GELU.backward(z.baseAddress!, dOut: da.baseAddress!, count: pieces * m, into: da.baseAddress!)
                        }
                        features.withUnsafeBufferPointer { f in
                            dFeatures.withUnsafeMutableBufferPointer { df in
                                Linear.backward(f.baseAddress!, rows: pieces, inFeatures: 3 * c, weight: p["head.weight1"],
                                                outFeatures: m, dOut: da.baseAddress!, dInput: df.baseAddress!,
                                                dWeight: g["head.weight1"], dBias: g["head.bias1"])
                            }
                        }
                    }
                }
                for i in 0..<pieces {
                    let row = i * 3 * c
                    for j in 0..<c {
                        let product = dFeatures[row + 2 * c + j]
                        dHidden[i * c + j] += dFeatures[row + j] + product * drug[j]
                        dDrug[j] += dFeatures[row + c + j] + product * h[i * c + j]
                    }
                }
                if parameters.headKind == .residual {
                    _ = linearTermBackward(weight: p["head.skip"], dWeight: g["head.skip"], h, drug: drug, dLogits: dLogits,
                                           dHidden: dHidden, dDrug: dDrug)
                }
            }
        }
    }
}
