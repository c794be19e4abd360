// The libFuzzer harness over every parser that reads outside data (`make fuzz`, docs/testing.md).
//
// One executable, one target per run: VIGIL_FUZZ_TARGET names which parser the fuzzer's
// inputs go to (`Target.all` lists them). Built only by `make fuzz`, with
// `-sanitize=fuzzer,address -parse-as-library` into .build-fuzz; never part of `swift build`.
//
// The parsers read paths, so each input is written to a scratch file (or a folder of files,
// split at the first NUL byte where a format needs two) and read back through the same public
// entry point `vigil import` uses. A thrown error is the right answer to bad input; only a trap,
// an address-sanitizer report, a timeout or running out of memory is a finding.

import Core
// @testable for SentenceView's memberwise initializer (the grounding target builds one); the
// fuzz build is a debug build, compiled for testing.
@testable import Corpus
import Foundation
import Student
import Teacher
import TerminalUI
import Workbench

/// The parser families, by the name VIGIL_FUZZ_TARGET gives.
enum Target: String, CaseIterable {
    case ade, jsonl, brat, conll, text, lexicon, pubmed, pubtator, bioc, biocjson
    case answer, safetensors, bertconfig, vocab, theme, config

    static var all: String { allCases.map(\.rawValue).joined(separator: " ") }
}

/// A scratch folder of this process, emptied for each input.
let scratch: String = {
    let dir = NSTemporaryDirectory() + "vigil-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}()

/// The target chosen for this process (read once).
nonisolated(unsafe) var target: Target = .ade

/// Writes `data` to `name` inside the scratch folder and returns its path.
func file(_ name: String, _ data: Data) -> String {
    let path = scratch + "/" + name
    FileManager.default.createFile(atPath: path, contents: data)
    return path
}

/// Empties the scratch folder (folder-reading formats must see only this input's files).
func clearScratch() {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [] {
        try? FileManager.default.removeItem(atPath: scratch + "/" + name)
    }
}

/// The input before and after its first NUL byte (all of it and nothing when there is none).
func split(_ data: Data) -> (Data, Data) {
    guard let i = data.firstIndex(of: 0) else { return (data, Data()) }
    return (data[data.startIndex..<i], data[(i + 1)...])
}

/// One input to the chosen parser.
func run(_ data: Data) {
    clearScratch()
    switch target {
    case .ade:
        // A corpus folder: DRUG-AE.rel, then ADE-NEG.txt after a NUL byte.
        let (rel, neg) = split(data)
        _ = file("DRUG-AE.rel", rel)
        if !neg.isEmpty { _ = file("ADE-NEG.txt", neg) }
        _ = try? ADECorpusFormat.read(path: scratch)
    case .jsonl:
        _ = try? JSONLFormat.read(path: file("in.jsonl", data))
    case .brat:
        // One .txt/.ann pair: the text, a NUL byte, the annotations.
        let (txt, ann) = split(data)
        _ = file("doc.txt", txt)
        _ = try? BratFormat.read(path: file("doc.ann", ann))
    case .conll:
        _ = try? ConllFormat.read(path: file("in.conll", data))
    case .text:
        // A lexicon (tsv), a NUL byte, the plain text to import with it.
        let (lexicon, text) = split(data)
        guard let lex = try? TextFormat.loadLexicon(path: file("lexicon.tsv", lexicon)) else { return }
        let path = file("in.txt", text)
        _ = try? TextFormat.read(paths: [path], lexicon: lex)
        _ = try? TextFormat.read(paths: [path], lexicon: lex, keepDrugless: true)
    case .lexicon:
        let path = file("lexicon", data)
        for format in LexiconFormat.allCases { _ = try? LexiconReader.read(path: path, format: format) }
        _ = try? TextFormat.loadLexicon(path: path)
    case .pubmed:
        _ = try? PubMedXML.parse(data, file: "in.xml")
    case .pubtator:
        _ = try? PubTatorFormat.read(path: file("in.pubtator", data))
    case .bioc:
        _ = try? BioCFormat.read(path: file("in.xml", data))
    case .biocjson:
        _ = try? BioCJSONFormat.read(path: file("in.json", data))
    case .answer:
        answer(data)
    case .safetensors:
        guard let st = try? SafeTensorsFile(path: file("model.safetensors", data)) else { return }
        for name in st.names { _ = try? st.tensor(name) }
    case .bertconfig:
        // config.json, a NUL byte, tokenizer_config.json.
        let (config, tokenizer) = split(data)
        _ = file("config.json", config)
        if !tokenizer.isEmpty { _ = file("tokenizer_config.json", tokenizer) }
        _ = try? BertConfig.load(directory: scratch)
    case .vocab:
        // vocab.txt, a NUL byte, text to tokenize with it.
        let (vocab, text) = split(data)
        guard let vocabulary = try? Vocabulary(path: file("vocab.txt", vocab)) else { return }
        let sentence = String(decoding: text, as: UTF8.self)
        for lowercase in [true, false] {
            let tokenizer = WordPieceTokenizer(vocabulary: vocabulary, lowercase: lowercase, maxLength: 16)
            let pieces = tokenizer.encode(sentence)
            _ = tokenizer.windows(count: pieces.count)
        }
    case .theme:
        _ = try? ThemeLoader.parse(text: String(decoding: data, as: UTF8.self), file: "fuzz.toml")
        _ = try? ThemeLoader.parse(file: file("theme.toml", data))
    case .config:
        guard let config = try? ConfigFile.load(path: file("config.toml", data)) else { return }
        _ = try? WorkbenchConfig(config)
        _ = try? TeacherSettings.resolve(config: config, environment: [:])
    }
}

/// The teacher's answer (after the first NUL byte) parsed and grounded in every mode on the
/// sentence before it, whose drug mentions are the first occurrences of the drugs the answer names.
func answer(_ data: Data) {
    let (sentenceBytes, responseBytes) = split(data)
    let text = String(decoding: sentenceBytes, as: UTF8.self)
    let response = String(decoding: responseBytes.isEmpty ? sentenceBytes : responseBytes, as: UTF8.self)
    let parsed = AnswerParser.parse(response)
    _ = AnswerParser.parse(response, noneAnswer: "")
    let scalars = Array(text.unicodeScalars)
    var drugs: [SentenceView.Drug] = []
    for (i, drug) in parsed.drugs.enumerated() {
        let needle = Array(drug.drug.unicodeScalars)
        guard !needle.isEmpty, needle.count <= scalars.count else { continue }
        for start in 0...(scalars.count - needle.count) where Array(scalars[start..<(start + needle.count)]) == needle {
            drugs.append(SentenceView.Drug(mentionID: Int64(i + 1), span: Span(start, start + needle.count),
                                           text: drug.drug, normalized: drug.drug.lowercased(), ades: [],
                                           review: .pending))
            break
        }
    }
    drugs.sort { $0.span < $1.span }
    let sentence = SentenceView(id: 1, documentKey: "doc", pmid: nil, docOffset: nil, text: text, drugs: drugs)
    for mode in GroundingMode.allCases { _ = Grounder(mode: mode).ground(parsed, sentence: sentence) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    run(Data(bytes: bytes, count: size))
    return 0
}

/// libFuzzer's driver, called from the entry point below.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// The program's entry point. SwiftPM links an executable target with `main` aliased to
/// `VigilFuzz_main`, which `-parse-as-library` leaves undefined; defining it here (and handing
/// over to libFuzzer's driver) is what lets the harness link on Linux.
@_cdecl("VigilFuzz_main")
public func vigilFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    guard let name = ProcessInfo.processInfo.environment["VIGIL_FUZZ_TARGET"], let chosen = Target(rawValue: name) else {
        FileHandle.standardError.write(Data("VIGIL_FUZZ_TARGET must be one of: \(Target.all)\n".utf8))
        return 2
    }
    target = chosen
    var count = argc
    var arguments = argv
    let status = LLVMFuzzerRunDriver(&count, &arguments, fuzzOne)
    try? FileManager.default.removeItem(atPath: scratch)
    return status
}
