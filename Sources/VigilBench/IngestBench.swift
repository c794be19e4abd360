import Core
import Corpus
import Foundation

/// Issue 7: sentence splitting plus lexicon matching over 50k synthetic abstracts with a
/// 100k-name lexicon (the paper's corpus: about 50,000 case-report abstracts).
func ingestBench(_ options: Options) throws {
    var rng = SplitMix64(seed: 7)
    let letters = Array("abcdefghijklmnopqrstuvwxyz")
    func word(_ length: Int) -> String { String((0..<length).map { _ in letters[Int(rng.next() % 26)] }) }

    var lexicon = DrugLexicon()
    var names: [String] = []
    let buildTime = seconds {
        for i in 0..<100_000 {
            let name = i % 10 == 0 ? "\(word(5 + Int(rng.next() % 6))) \(word(4 + Int(rng.next() % 6)))"
                                   : word(6 + Int(rng.next() % 9))
            names.append(name)
            lexicon.add(name)
        }
    }
    let vocabulary = (0..<5_000).map { _ in word(2 + Int(rng.next() % 10)) }
    let abstracts = 50_000
    var texts: [String] = []
    texts.reserveCapacity(abstracts)
    for _ in 0..<abstracts {
        var text = ""
        for s in 0..<(8 + Int(rng.next() % 5)) {
            if s > 0 { text += " " }
            let length = 12 + Int(rng.next() % 16)
            for w in 0..<length {
                if w > 0 { text += rng.next() % 12 == 0 ? ", " : " " }
                let token = rng.next() % 25 == 0 ? names[Int(rng.next() % UInt64(names.count))]
                                                 : vocabulary[Int(rng.next() % UInt64(vocabulary.count))]
                text += w == 0 ? token.prefix(1).uppercased() + token.dropFirst() : token
            }
            text += rng.next() % 7 == 0 ? " (p < 0.05)." : "."
        }
        texts.append(text)
    }
    let scalars = texts.reduce(0) { $0 + $1.unicodeScalars.count }
    let splitter = SentenceSplitter()
    var sentences = 0, mentions = 0
    let time = measure(max(1, options.runs / 2)) {
        sentences = 0
        mentions = 0
        for text in texts {
            let indexed = ScalarText(text)
            for span in splitter.split(indexed) {
                sentences += 1
                mentions += lexicon.matches(in: indexed[span]).count
            }
        }
    }
    var spans = 0
    let splitTime = measure(1) {
        for text in texts { spans += splitter.split(ScalarText(text)).count }
    }
    print("")
    print("| ingestion benchmark | median | best | target |")
    print("|---|---|---|---|")
    row("lexicon build, 100,000 names", (buildTime, buildTime), target: "-")
    row("split + match, \(abstracts) abstracts (\(sentences) sentences, \(scalars / 1_000_000)M characters, \(mentions) mentions)",
        time, target: "< 10 s")
    row("of which sentence splitting alone", splitTime, target: "-")
    print(String(format: "| throughput | %.0f sentences/s | %.0f abstracts/s | |", Double(sentences) / time.median,
                 Double(abstracts) / time.median))
}
