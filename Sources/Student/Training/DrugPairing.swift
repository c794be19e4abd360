import Core
import Tensor

/// Synthetic two-drug sentences that teach a drug-conditioned head whose ADEs are whose.
///
/// In the ADE corpus almost every sentence with two drugs gives both the same ADEs (498 of the
/// 530 sentences), so nothing teaches a head to keep one drug's ADEs from another. Pairing joins
/// two single-drug training sentences with different drugs into one sequence, `A ; B`, `A and B`
/// or `A. B`, and labels each drug with only the ADEs of its own half: the pattern of
/// "warfarin-induced skin necrosis and heparin-induced thrombocytopenia". The first half always
/// has an ADE; the second may have none, which makes its drug a bystander of the first's ADEs.
///
/// Pairs are drawn afresh each epoch from the training part only, so dev and test stay real.
/// The join is made on word pieces: WordPiece splits at spaces and punctuation, so the pieces
/// of `A + " ; " + B` are those of A, `;` and B.
public struct DrugPairing: Sendable {
    /// Pairs per epoch as a share of the training sentences (0 turns pairing off).
    public var fraction: Double
    /// The joiners' pieces, one drawn per pair.
    public var joiners: [[Int32]]
    /// The piece of a sentence-final `.`, dropped from the first half (the joiner takes its place).
    public var period: Int32?
    public var maxLength: Int

    public init(fraction: Double, tokenizer: WordPieceTokenizer, maxLength: Int) {
        self.fraction = fraction
        joiners = [";", "and", "."].map { tokenizer.pieces($0).map(\.id) }.filter { !$0.isEmpty }
        period = tokenizer.pieces(".").first?.id
        self.maxLength = maxLength
    }

    /// How many pairs one epoch over `sentences` adds.
    public func count(for sentences: Int) -> Int { fraction > 0 ? Int((Double(sentences) * fraction).rounded()) : 0 }

    /// `count(for: sentences.count)` joined sentences (fewer when too few sentences qualify or fit
    /// in `maxLength`), drawn with `random`. A pair's two drugs differ: by `drugNames` (one per
    /// sentence, its single drug's name; nil where unknown) or else by their word pieces.
    public func pairs(from sentences: [EncodedSentence], drugNames: [String?]? = nil,
                      random: inout RandomState) -> [EncodedSentence] {
        let wanted = count(for: sentences.count)
        guard wanted > 0, !joiners.isEmpty else { return [] }
        let single = sentences.indices.filter { sentences[$0].items.count == 1 }
        var drug: [Int: String] = [:] // each single-drug sentence's drug key, computed once
        for i in single {
            if let names = drugNames, i < names.count, let name = names[i] {
                drug[i] = "name:" + name
            } else {
                drug[i] = "pieces:" + sentences[i].items[0].drugPieces.map { "\(sentences[i].ids[$0 + 1])" }.joined(separator: " ")
            }
        }
        let firsts = single.filter { sentences[$0].items[0].targets.contains(1) }
        guard !firsts.isEmpty, single.count > 1 else { return [] }
        var result: [EncodedSentence] = []
        var attempts = 0
        while result.count < wanted, attempts < wanted * 20 {
            attempts += 1
            let a = firsts[random.next(below: firsts.count)]
            let b = single[random.next(below: single.count)]
            let joiner = joiners[random.next(below: joiners.count)]
            guard a != b, drug[a] != drug[b],
                  let joined = Self.join(sentences[a], sentences[b], joiner: joiner, period: period, maxLength: maxLength)
            else { continue }
            result.append(joined)
        }
        return result
    }

    /// `first` and `second` as one sequence, `[CLS] first joiner second [SEP]` (the first's final
    /// `period` dropped); each drug keeps its targets on its own half and 0 elsewhere. Nil when
    /// the result would exceed `maxLength` pieces.
    public static func join(_ first: EncodedSentence, _ second: EncodedSentence, joiner: [Int32], period: Int32?,
                            maxLength: Int) -> EncodedSentence? {
        var head = Array(first.ids.dropFirst().dropLast()) // without [CLS] and [SEP]
        if let period, head.count > 1, head.last == period { head.removeLast() } // the joiner ends the first half
        let tail = Array(second.ids.dropFirst().dropLast())
        guard let cls = first.ids.first, let sep = first.ids.last, head.count + joiner.count + tail.count + 2 <= maxLength
        else { return nil }
        let offset = head.count + joiner.count
        let total = offset + tail.count
        var items: [(drugPieces: [Int], targets: [Float])] = []
        for item in first.items {
            var targets = Array(item.targets.prefix(head.count))
            targets += [Float](repeating: 0, count: total - targets.count)
            items.append((item.drugPieces.filter { $0 < head.count }, targets))
        }
        for item in second.items {
            let targets = [Float](repeating: 0, count: offset) + item.targets
            items.append((item.drugPieces.map { $0 + offset }, targets))
        }
        return EncodedSentence(ids: [cls] + head + joiner + tail + [sep], items: items.filter { !$0.drugPieces.isEmpty })
    }
}
