import Core
import Tensor

/// One sentence to tag: its text and its drug mentions' spans.
public struct TaggerInput: Sendable {
    public var text: String
    public var drugs: [Span]
    public init(text: String, drugs: [Span]) {
        self.text = text
        self.drugs = drugs
    }
}

/// A predicted ADE span with its confidence (the mean token probability over the span).
public struct TaggedSpan: Sendable, Equatable {
    public var span: Span
    public var confidence: Float
}

extension StudentModel {
    /// The word pieces of each text and their last hidden states, (pieces, C) per text. Texts
    /// longer than the model are encoded in overlapping windows; each piece takes its state
    /// from the window where it sits farthest from an edge. Windows run `batchSize` at a time,
    /// in the order given (sort by length beforehand to keep padding small).
    public func hiddenStates(_ texts: [String], batchSize: Int = 16) throws(EncoderError) -> [(pieces: [WordPiece], hidden: Tensor)] {
        let c = config.hiddenSize
        let pieceLists = texts.map { tokenizer.pieces($0) }
        // Every window of every text, as (text index, piece range).
        var windows: [(text: Int, range: Range<Int>)] = []
        for (t, pieces) in pieceLists.enumerated() {
            for range in tokenizer.windows(count: pieces.count) { windows.append((t, range)) }
        }
        var hidden = pieceLists.map { [Float](repeating: 0, count: $0.count * c) }
        var bestMargin = pieceLists.map { [Int](repeating: -1, count: $0.count) }
        var start = 0
        while start < windows.count {
            let chunk = windows[start..<min(start + max(1, batchSize), windows.count)]
            let ids = chunk.map { [tokenizer.clsID] + pieceLists[$0.text][$0.range].map(\.id) + [tokenizer.sepID] }
            let output = try encoder.forward(ids)
            let length = output.hidden.shape[1]
            for (b, window) in chunk.enumerated() {
                for (k, piece) in window.range.enumerated() {
                    let margin = min(piece - window.range.lowerBound, window.range.upperBound - 1 - piece)
                    guard margin > bestMargin[window.text][piece] else { continue }
                    bestMargin[window.text][piece] = margin
                    let source = (b * length + k + 1) * c // +1: skip [CLS]
                    for j in 0..<c { hidden[window.text][piece * c + j] = output.hidden.data[source + j] }
                }
            }
            start += chunk.count
        }
        return zip(pieceLists, hidden).map { ($0, Tensor(shape: [$0.count, c], data: $1)) }
    }

    /// ADE spans for every drug of every input, `[input][drug]`. Spans are whole words,
    /// sorted, non-overlapping.
    public func tag(_ inputs: [TaggerInput], batchSize: Int = 16) throws(EncoderError) -> [[[TaggedSpan]]] {
        let encoded = try hiddenStates(inputs.map(\.text), batchSize: batchSize)
        return zip(inputs, encoded).map { input, states in
            let text = Array(input.text.unicodeScalars)
            return input.drugs.map { drug in
                let probabilities = tokenProbabilities(pieces: states.pieces, hidden: states.hidden, drug: drug)
                return Self.decode(pieces: states.pieces, probabilities: probabilities, threshold: settings.threshold, text: text,
                                   drug: drug, decoding: settings.decoding ?? .pieces, minConfidence: settings.minConfidence ?? 0,
                                   extendThreshold: settings.extendThreshold)
            }
        }
    }

    /// P(piece is an ADE of `drug`) for every piece; empty when no piece covers the drug.
    public func tokenProbabilities(pieces: [WordPiece], hidden: Tensor, drug: Span) -> [Float] {
        let logits = tokenLogits(pieces: pieces, hidden: hidden, drug: drug)
        return logits.map(Sigmoid.forward)
    }

    /// The head's logits for every piece, conditioned on the mean of `drug`'s pieces' states.
    public func tokenLogits(pieces: [WordPiece], hidden: Tensor, drug: Span) -> [Float] {
        let c = config.hiddenSize
        let members = pieces.indices.filter { pieces[$0].span.overlaps(drug) }
        guard !members.isEmpty else { return [] }
        var pooled = [Float](repeating: 0, count: c)
        for i in members { for j in 0..<c { pooled[j] += hidden.data[i * c + j] } }
        for j in 0..<c { pooled[j] /= Float(members.count) }
        return head.logits(hidden: hidden, drug: pooled, drugPieces: members)
    }

    /// Maximal runs of pieces over `threshold`, as character spans widened to whole words.
    /// Runs that widen onto the same word merge; confidence is the mean probability of the run.
    /// With `.firstPiece` each word's first piece speaks for the whole word. Spans whose confidence is
    /// below `minConfidence` are dropped.
    /// With an `extendThreshold` below `threshold` decoding has hysteresis: a run is a maximal run of
    /// pieces over `extendThreshold` that holds at least one piece over `threshold`, so a span grows
    /// over its less certain neighbours ("thrombocyte count started to increase" stays one span
    /// instead of two fragments when "started to" is only fairly likely).
    /// A span's end is trimmed back over trailing punctuation and function words ("of", "into", …),
    /// which no ADE annotation ends with. A span that lies inside `drug` is dropped: a drug mention is never its own adverse event
    /// (an ADE may contain its drug, as in "lithium toxicity", but never is only the drug).
    public static func decode(pieces: [WordPiece], probabilities: [Float], threshold: Float,
                              text: [Unicode.Scalar], drug: Span? = nil, decoding: Decoding = .pieces,
                              minConfidence: Float = 0, extendThreshold: Float? = nil) -> [TaggedSpan] {
        let probabilities = decoding == .firstPiece ? firstPieceProbabilities(pieces, probabilities) : probabilities
        let low = min(extendThreshold ?? threshold, threshold)
        var spans: [TaggedSpan] = []
        var i = 0
        while i < probabilities.count {
            guard probabilities[i] > low else { i += 1; continue }
            var j = i, sum: Float = 0, peak: Float = 0
            while j < probabilities.count, probabilities[j] > low {
                sum += probabilities[j]
                peak = max(peak, probabilities[j])
                j += 1
            }
            let first = i
            i = j
            guard peak > threshold else { continue } // no confident piece: not a span
            var span = Span(pieces[first].span.start, pieces[j - 1].span.end)
            while span.start > 0, isWordScalar(text[span.start - 1]) { span.start -= 1 }
            while span.end < text.count, isWordScalar(text[span.end]) { span.end += 1 }
            let confidence = sum / Float(j - first)
            if let last = spans.last, last.span.end >= span.start {
                spans[spans.count - 1] = TaggedSpan(span: Span(last.span.start, max(last.span.end, span.end)),
                                                    confidence: max(last.confidence, confidence))
            } else {
                spans.append(TaggedSpan(span: span, confidence: confidence))
            }
        }
        return spans.compactMap { tagged -> TaggedSpan? in
            guard let span = trimmedEnd(tagged.span, text: text) else { return nil }
            return TaggedSpan(span: span, confidence: tagged.confidence)
        }.filter { tagged in
            guard tagged.confidence >= minConfidence else { return false }
            guard let drug else { return true }
            return !(tagged.span.start >= drug.start && tagged.span.end <= drug.end)
        }
    }

    /// Words an ADE span never ends with (none of the 6,821 ADE corpus annotations does).
    static let trailingFunctionWords: Set<String> = [
        "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with",
    ]

    /// `span` without trailing whitespace, punctuation (a `)` that closes a `(` inside the span stays)
    /// and function words; nil when nothing is left.
    static func trimmedEnd(_ span: Span, text: [Unicode.Scalar]) -> Span? {
        var end = span.end
        while end > span.start {
            let last = text[end - 1]
            if !isWordScalar(last) {
                if last == ")", text[span.start..<end].contains("(") { break }
                end -= 1
                continue
            }
            var wordStart = end
            while wordStart > span.start, isWordScalar(text[wordStart - 1]) { wordStart -= 1 }
            let word = String(String.UnicodeScalarView(text[wordStart..<end])).lowercased()
            guard wordStart > span.start, trailingFunctionWords.contains(word) else { break }
            end = wordStart
        }
        return end > span.start ? Span(span.start, end) : nil
    }

    /// Every piece takes the probability of its word's first piece (a word is a piece and the
    /// `##` pieces after it).
    static func firstPieceProbabilities(_ pieces: [WordPiece], _ probabilities: [Float]) -> [Float] {
        var result = probabilities
        var first: Float = 0
        for i in probabilities.indices {
            if i == 0 || !pieces[i].token.hasPrefix("##") { first = probabilities[i] }
            result[i] = first
        }
        return result
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        !WordPieceTokenizer.isWhitespace(s) && !WordPieceTokenizer.isPunctuation(s)
    }
}
