import XCTest
@testable import Core

/// Specification of `DrugLexicon`: building, looking up, matching in text and parsing files.
final class DrugLexiconTests: XCTestCase {
    private func lexicon(_ names: String...) -> DrugLexicon {
        var lexicon = DrugLexicon()
        for name in names { lexicon.add(name) }
        return lexicon
    }

    /// `(start, end, text)` of each match, for compact assertions.
    private func found(_ lexicon: DrugLexicon, in text: String) -> [(Int, Int, String)] {
        lexicon.matches(in: text).map { ($0.span.start, $0.span.end, $0.text) }
    }

    private func assertFound(_ lexicon: DrugLexicon, in text: String, _ expected: [(Int, Int, String)],
                             file: StaticString = #filePath, line: UInt = #line) {
        let actual = found(lexicon, in: text)
        XCTAssertEqual(actual.map { "\($0.0)-\($0.1) \($0.2)" }, expected.map { "\($0.0)-\($0.1) \($0.2)" },
                       file: file, line: line)
    }

    // MARK: Building and lookup

    func testEmptyLexiconHasNothingAndMatchesNothing() {
        let empty = DrugLexicon()
        XCTAssertEqual(empty.count, 0)
        XCTAssertEqual(empty.conceptCount, 0)
        XCTAssertNil(empty.normalized(for: "aspirin"))
        XCTAssertEqual(empty.matches(in: "aspirin"), [])
    }

    func testNormalizedNameDefaultsToTheLowerCasedName() {
        let drugs = lexicon("Aspirin")
        XCTAssertEqual(drugs.normalized(for: "aspirin"), "aspirin")
        XCTAssertEqual(drugs.matches(in: "ASPIRIN").first?.normalized, "aspirin")
    }

    func testSynonymsMapToTheirNormalizedName() {
        var drugs = DrugLexicon()
        drugs.add("Tylenol", normalized: "acetaminophen")
        drugs.add("paracetamol", normalized: "acetaminophen")
        drugs.add("acetaminophen")
        drugs.add("ibuprofen")
        XCTAssertEqual(drugs.count, 4)
        XCTAssertEqual(drugs.conceptCount, 2)
        XCTAssertEqual(drugs.normalized(for: "tylenol"), "acetaminophen")
        XCTAssertEqual(drugs.matches(in: "Tylenol, then paracetamol and ibuprofen").map(\.normalized),
                       ["acetaminophen", "acetaminophen", "ibuprofen"])
    }

    func testLookupIsCaseInsensitiveAndExact() {
        let drugs = lexicon("Valproic Acid")
        XCTAssertEqual(drugs.normalized(for: "VALPROIC ACID"), "valproic acid")
        XCTAssertEqual(drugs.normalized(for: "valproic  acid "), "valproic acid")
        XCTAssertNil(drugs.normalized(for: "valproic"))
        XCTAssertNil(drugs.normalized(for: "valproic acids"))
    }

    func testNamesAreTrimmedWithInnerWhitespaceCollapsed() {
        var drugs = DrugLexicon()
        drugs.add("  valproic \t\n acid ", normalized: " Valproate   sodium ")
        XCTAssertEqual(drugs.count, 1)
        XCTAssertEqual(drugs.normalized(for: "valproic acid"), "Valproate sodium")
    }

    func testEmptyNamesAreIgnored() {
        var drugs = DrugLexicon()
        drugs.add("")
        drugs.add(" \t ")
        XCTAssertEqual(drugs.count, 0)
        XCTAssertEqual(drugs.conceptCount, 0)
    }

    func testNamesDifferingOnlyInCaseOrSpacingAreOneSurfaceName() {
        let drugs = lexicon("Aspirin", "aspirin", "ASPIRIN", "insulin glargine", "Insulin  Glargine")
        XCTAssertEqual(drugs.count, 2)
        XCTAssertEqual(drugs.conceptCount, 2)
    }

    func testAddingANameAgainReplacesItsNormalizedName() {
        var drugs = DrugLexicon()
        drugs.add("Tylenol", normalized: "tylenol brand")
        drugs.add("tylenol", normalized: "acetaminophen")
        XCTAssertEqual(drugs.count, 1)
        XCTAssertEqual(drugs.conceptCount, 1)
        XCTAssertEqual(drugs.normalized(for: "Tylenol"), "acetaminophen")
    }

    // MARK: Matching

    func testMatchingIsCaseInsensitiveAndReportsTheTextAsWritten() {
        assertFound(lexicon("aspirin"), in: "ASPIRIN then Aspirin", [(0, 7, "ASPIRIN"), (13, 20, "Aspirin")])
    }

    func testMultiWordNamesMatchAnyWhitespaceRun() {
        let drugs = lexicon("valproic acid")
        assertFound(drugs, in: "valproic  acid", [(0, 14, "valproic  acid")])
        assertFound(drugs, in: "on valproic\nacid.", [(3, 16, "valproic\nacid")])
        assertFound(drugs, in: "Valproic \t Acid", [(0, 15, "Valproic \t Acid")])
    }

    func testMultiWordNamesNeedWhitespaceBetweenTheirWords() {
        let drugs = lexicon("valproic acid")
        assertFound(drugs, in: "valproicacid valproic-acid", [])
    }

    func testHyphensAreLiteral() {
        let drugs = lexicon("5-fluorouracil", "amoxicillin-clavulanate")
        assertFound(drugs, in: "5-fluorouracil and 5 fluorouracil and amoxicillin clavulanate",
                    [(0, 14, "5-fluorouracil")])
        assertFound(drugs, in: "Amoxicillin-Clavulanate", [(0, 23, "Amoxicillin-Clavulanate")])
    }

    func testTheLongestNameWinsWhenNamesOverlap() {
        let drugs = lexicon("insulin", "insulin glargine")
        assertFound(drugs, in: "insulin glargine and insulin",
                    [(0, 16, "insulin glargine"), (21, 28, "insulin")])
        XCTAssertEqual(drugs.matches(in: "insulin glargine").first?.normalized, "insulin glargine")
    }

    func testAShorterNameMatchesWhenTheLongerOneStopsInsideAWord() {
        let drugs = lexicon("insulin", "insulin glargine")
        assertFound(drugs, in: "insulin glarg", [(0, 7, "insulin")])
        assertFound(drugs, in: "insulin glargines", [(0, 7, "insulin")])
    }

    func testMatchesDoNotOverlapAndTheLeftmostWins() {
        let drugs = lexicon("sodium valproate", "valproate semisodium")
        assertFound(drugs, in: "sodium valproate semisodium", [(0, 16, "sodium valproate")])
    }

    func testNamesInsideLongerWordsAreNotMatched() {
        let drugs = lexicon("aspirin")
        assertFound(drugs, in: "aspirinate paspirin aspirin2 2aspirin éaspirin aspirinβ", [])
    }

    func testMatchesAtTheVeryStartAndEndOfTheText() {
        assertFound(lexicon("aspirin"), in: "aspirin", [(0, 7, "aspirin")])
        assertFound(lexicon("aspirin", "warfarin"), in: "aspirin with warfarin",
                    [(0, 7, "aspirin"), (13, 21, "warfarin")])
    }

    func testPunctuationNextToANameDoesNotPreventAMatch() {
        assertFound(lexicon("aspirin"), in: "(aspirin), \"aspirin\"; aspirin-induced",
                    [(1, 8, "aspirin"), (12, 19, "aspirin"), (22, 29, "aspirin")])
    }

    func testRepeatedMentionsAreEachReportedAtTheirOwnOffsets() {
        let drugs = lexicon("warfarin")
        XCTAssertEqual(drugs.matches(in: "warfarin, warfarin and warfarin"), [
            LexiconMatch(span: Span(0, 8), text: "warfarin", normalized: "warfarin"),
            LexiconMatch(span: Span(10, 18), text: "warfarin", normalized: "warfarin"),
            LexiconMatch(span: Span(23, 31), text: "warfarin", normalized: "warfarin"),
        ])
    }

    func testOffsetsAreUnicodeScalarOffsets() {
        // "é" decomposed is two scalars, "😀" one scalar (two UTF-16 units).
        let drugs = lexicon("β-blocker", "paracétamol")
        assertFound(drugs, in: "Cafe\u{301} 😀 β-Blocker puis PARACÉTAMOL",
                    [(8, 17, "β-Blocker"), (23, 34, "PARACÉTAMOL")])
    }

    func testCaseFoldingKeepsOffsetsAlignedAroundMultiScalarLowerCases() {
        // "İ" lower-cases to two scalars, so it is compared as is and shifts nothing.
        let drugs = lexicon("aspirin", "İbuprofen")
        assertFound(drugs, in: "İİ aspirin İbuprofen ibuprofen",
                    [(3, 10, "aspirin"), (11, 20, "İbuprofen")])
    }

    func testScalarTextAndStringGiveTheSameMatches() {
        let drugs = lexicon("aspirin", "valproic acid")
        let text = "Valproic\nacid with aspirin."
        XCTAssertEqual(drugs.matches(in: ScalarText(text)), drugs.matches(in: text))
        XCTAssertEqual(drugs.matches(in: text).count, 2)
    }

    // MARK: Lexicon files

    func testParseReadsNamesSynonymsAndSkipsCommentsAndBlankLines() throws {
        let contents = "\u{FEFF}# drug names\n\naspirin\r\nTylenol\tacetaminophen\n  \nparacetamol\t acetaminophen \n# end\n"
        let drugs = try DrugLexicon.parse(contents, file: "drugs.tsv")
        XCTAssertEqual(drugs.count, 3)
        XCTAssertEqual(drugs.conceptCount, 2)
        XCTAssertEqual(drugs.normalized(for: "aspirin"), "aspirin")
        XCTAssertEqual(drugs.normalized(for: "paracetamol"), "acetaminophen")
    }

    func testParseRejectsALineWithThreeFields() {
        assertParseError("aspirin\nTylenol\tacetaminophen\textra\n", file: "drugs.tsv",
                         "drugs.tsv:2: expected `name` or `name<TAB>normalized name`, found 3 tab-separated fields")
    }

    func testParseRejectsAnEmptyName() {
        assertParseError("# names\n\naspirin\n \tacetaminophen\n", file: "lex/drugs.tsv",
                         "lex/drugs.tsv:4: the name is empty")
    }

    func testParseRejectsAnEmptyNormalizedName() {
        assertParseError("aspirin\t\n", file: "drugs.tsv", "drugs.tsv:1: the normalized name is empty")
    }

    func testParseRejectsAFileWithoutEntries() {
        assertParseError("", file: "empty.tsv", "empty.tsv:1: the lexicon has no entries")
        assertParseError("# only a comment\n\n   \n", file: "comments.tsv", "comments.tsv:1: the lexicon has no entries")
    }

    func testParseErrorsAreMatchableValues() {
        XCTAssertThrowsError(try DrugLexicon.parse("a\tb\tc", file: "x.tsv")) { error in
            XCTAssertEqual(error as? LexiconError, .invalidLine(
                file: "x.tsv", line: 1,
                message: "expected `name` or `name<TAB>normalized name`, found 3 tab-separated fields"))
        }
    }

    private func assertParseError(_ contents: String, file name: String, _ expected: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        do {
            let drugs = try DrugLexicon.parse(contents, file: name)
            XCTFail("parsed \(drugs.count) names, expected the error \"\(expected)\"", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, expected, file: file, line: line)
        }
    }

    // MARK: Sample data

    private func sampleFile(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("SampleData").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("missing \(url.path)") }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// SampleData/lexicon.tsv parses into the 173 names and 140 concepts its README counts.
    func testSampleLexiconParsesWithTheDocumentedCounts() throws {
        let drugs = try DrugLexicon.parse(try sampleFile("lexicon.tsv"), file: "lexicon.tsv")
        XCTAssertEqual(drugs.count, 173)
        XCTAssertEqual(drugs.conceptCount, 140)
    }

    /// The sample lexicon finds exactly the gold drug mentions of every gold sentence,
    /// with the gold normalised names (as SampleData/README.md promises).
    func testSampleLexiconFindsExactlyTheGoldDrugMentions() throws {
        let drugs = try DrugLexicon.parse(try sampleFile("lexicon.tsv"), file: "lexicon.tsv")
        let gold = try sampleFile("gold.jsonl")
        var sentences = 0
        for (number, line) in gold.split(separator: "\n").enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let text = object?["text"] as? String, let mentions = object?["drugs"] as? [[String: Any]] else {
                XCTFail("gold.jsonl:\(number + 1): no text or drugs")
                continue
            }
            let expected = mentions.map { "\($0["start"] ?? "")-\($0["end"] ?? "") \($0["text"] ?? "") => \($0["name"] ?? "")" }
            let actual = drugs.matches(in: text).map { "\($0.span.start)-\($0.span.end) \($0.text) => \($0.normalized)" }
            XCTAssertEqual(actual, expected, "gold.jsonl:\(number + 1): \(text)")
            sentences += 1
        }
        XCTAssertEqual(sentences, 163)
    }

    /// Of the 35 sample abstract sentences, 24 mention a lexicon drug (README counts);
    /// `dapsone`, deliberately missing from the lexicon, is not found.
    func testSampleLexiconFindsDrugsInTwentyFourOfTheSampleAbstractSentences() throws {
        let drugs = try DrugLexicon.parse(try sampleFile("lexicon.tsv"), file: "lexicon.tsv")
        let abstracts = try sampleFile("abstracts.txt")
        let text = ScalarText(abstracts)
        let sentences = SentenceSplitter().split(text).map { text[$0] }
        XCTAssertEqual(sentences.count, 35)
        XCTAssertEqual(sentences.filter { !drugs.matches(in: $0).isEmpty }.count, 24)
        XCTAssertTrue(abstracts.contains("dapsone"))
        XCTAssertFalse(drugs.matches(in: abstracts).contains { $0.normalized == "dapsone" })
    }

    // MARK: Throughput

    /// A 100k-name lexicon is built and then matched over 5k abstracts within a second in
    /// release builds (the target is 50k abstracts in under 10 s).
    /// Run with `swift test -c release -Xswiftc -enable-testing --filter DrugLexiconTests`.
    func testThroughputInReleaseBuilds() throws {
        #if DEBUG
        throw XCTSkip("throughput is only measured in release builds")
        #else
        var generator = SystemRandomNumberGenerator()
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        func word() -> String {
            String((0..<Int.random(in: 5...12, using: &generator)).map { _ in letters.randomElement(using: &generator)! })
        }
        var drugs = DrugLexicon()
        let clock = ContinuousClock()
        let buildTime = clock.measure {
            for i in 0..<100_000 { drugs.add(i % 5 == 0 ? word() + " " + word() : word()) }
            drugs.add("amoxicillin-clavulanate")
            drugs.add("valproic acid")
        }
        let abstract = """
            Background: Drug-induced liver injury (DILI) is rare. We report a 54-year-old woman \
            treated with Amoxicillin-Clavulanate 875 mg twice daily for 7 days, then valproic \
            acid. Liver enzymes rose to 12.5 times the upper limit of normal, with jaundice, \
            pruritus and fatigue. Withdrawal of the drug led to recovery within 8 weeks. \
            Conclusion: clinicians should consider hepatotoxicity in patients with cholestatic \
            injury after antibiotic therapy, especially older women with prior exposure.
            """
        var matched = 0
        let matchTime = clock.measure {
            for _ in 0..<5_000 { matched += drugs.matches(in: abstract).count }
        }
        print("DrugLexicon: built 100k names in \(buildTime), matched 5k abstracts in \(matchTime)")
        XCTAssertGreaterThanOrEqual(matched, 2 * 5_000)
        XCTAssertLessThan(buildTime, .seconds(2))
        XCTAssertLessThan(matchTime, .seconds(1))
        #endif
    }
}
