import Core

/// One (sentence, drug mention) training instance: which word pieces are the drug, and the
/// target (1 = part of an ADE of this drug, 0 = not) of every piece.
public struct TrainingItem: Sendable, Equatable {
    /// Index of the sentence in its batch.
    public var sequence: Int
    /// Piece indices (0 = the first piece after `[CLS]`) covering the drug.
    public var drugPieces: [Int]
    /// One target per piece of the sentence.
    public var targets: [Float]

    public init(sequence: Int, drugPieces: [Int], targets: [Float]) {
        self.sequence = sequence
        self.drugPieces = drugPieces
        self.targets = targets
    }
}

/// Sentences as word-piece ids (with `[CLS]` and `[SEP]`) and the items that label them.
public struct TrainingBatch: Sendable, Equatable {
    public var sequences: [[Int32]]
    public var items: [TrainingItem]

    public init(sequences: [[Int32]], items: [TrainingItem]) {
        self.sequences = sequences
        self.items = items
    }

    /// Number of labelled pieces: the loss is their mean.
    public var targetCount: Int { items.reduce(0) { $0 + $1.targets.count } }
}

/// A training sentence tokenised once: pieces, and per drug its pieces and targets.
public struct EncodedSentence: Sendable, Equatable {
    public var ids: [Int32]
    public var items: [(drugPieces: [Int], targets: [Float])]
    /// For each item, the index of its drug in the `drugs` it was encoded from (dropped drugs
    /// leave gaps).
    public var drugIndices: [Int]

    public static func == (a: EncodedSentence, b: EncodedSentence) -> Bool {
        a.ids == b.ids && a.items.count == b.items.count
            && zip(a.items, b.items).allSatisfy { $0.drugPieces == $1.drugPieces && $0.targets == $1.targets }
    }

    public init(ids: [Int32], items: [(drugPieces: [Int], targets: [Float])]) {
        self.ids = ids
        self.items = items
        drugIndices = Array(items.indices)
    }

    /// Word pieces of the sentence (cut to the model's length) with `[CLS]`/`[SEP]`; a piece is a
    /// target when it overlaps one of the drug's ADE spans. Drugs with no piece left are dropped.
    public init(text: String, drugs: [(drug: Span, ades: [Span])], tokenizer: WordPieceTokenizer, maxLength: Int) {
        let pieces = Array(tokenizer.pieces(text).prefix(max(0, maxLength - 2)))
        ids = [tokenizer.clsID] + pieces.map(\.id) + [tokenizer.sepID]
        items = []
        drugIndices = []
        for (index, (drug, ades)) in drugs.enumerated() {
            let members = pieces.indices.filter { pieces[$0].span.overlaps(drug) }
            guard !members.isEmpty else { continue }
            items.append((members, pieces.map { piece in ades.contains { $0.overlaps(piece.span) } ? Float(1) : 0 }))
            drugIndices.append(index)
        }
    }
}

extension TrainingBatch {
    /// A batch of encoded sentences with all their drugs.
    public init(_ sentences: [EncodedSentence]) {
        sequences = sentences.map(\.ids)
        items = sentences.enumerated().flatMap { b, sentence in
            sentence.items.map { TrainingItem(sequence: b, drugPieces: $0.drugPieces, targets: $0.targets) }
        }
    }
}
