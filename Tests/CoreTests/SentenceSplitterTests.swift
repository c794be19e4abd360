import XCTest
@testable import Core

/// Specification of `SentenceSplitter`: where biomedical prose does and does not split.
final class SentenceSplitterTests: XCTestCase {
    private let splitter = SentenceSplitter()

    /// The sentences' texts, checking on the way that spans are trimmed, ordered and disjoint.
    private func sentences(_ text: String, _ splitter: SentenceSplitter? = nil,
                           file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let spans = (splitter ?? self.splitter).split(text)
        let scalars = ScalarText(text)
        var previousEnd = 0
        for span in spans {
            XCTAssertLessThan(span.start, span.end, "empty span \(span)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(span.start, previousEnd, "overlap at \(span)", file: file, line: line)
            XCTAssertLessThanOrEqual(span.end, scalars.count, file: file, line: line)
            guard span.start < span.end, span.end <= scalars.count else { return [] }
            let covered = scalars[span]
            XCTAssertEqual(covered, covered.trimmingWhitespace, "untrimmed \(span)", file: file, line: line)
            previousEnd = span.end
        }
        return spans.map { scalars[$0] }
    }

    // MARK: Basic boundaries

    func testEmptyAndBlankInputHaveNoSentences() {
        XCTAssertEqual(splitter.split(""), [])
        XCTAssertEqual(splitter.split("   \n\n \t "), [])
    }

    func testTextWithoutFinalPunctuationIsOneSentence() {
        XCTAssertEqual(splitter.split("No adverse events were reported"), [Span(0, 31)])
    }

    func testPeriodFollowedBySpaceAndCapitalEndsASentence() {
        XCTAssertEqual(splitter.split("The patient recovered. She was discharged."),
                       [Span(0, 22), Span(23, 42)])
    }

    func testSpansAreTrimmedOfLeadingAndTrailingWhitespace() {
        XCTAssertEqual(splitter.split("  \n Rash developed.   Treatment stopped. \n "),
                       [Span(4, 19), Span(22, 40)])
    }

    func testQuestionAndExclamationMarksEndSentences() {
        XCTAssertEqual(sentences("Was it the drug? Rechallenge was positive! It was."),
                       ["Was it the drug?", "Rechallenge was positive!", "It was."])
    }

    func testARunOfFinalPunctuationStaysWithItsSentence() {
        XCTAssertEqual(sentences("Really?! Yes... Then it resolved."),
                       ["Really?!", "Yes...", "Then it resolved."])
    }

    func testNextSentenceMayStartWithADigitOrAnOpeningQuoteOrBracket() {
        XCTAssertEqual(sentences("It resolved. 12 patients had rash. \"Severe\" was used. (See below.) End."),
                       ["It resolved.", "12 patients had rash.", "\"Severe\" was used.", "(See below.)", "End."])
    }

    func testSentenceEndingInAClosingParenthesisKeepsIt() {
        XCTAssertEqual(sentences("Rash occurred (grade 2.) Therapy continued."),
                       ["Rash occurred (grade 2.)", "Therapy continued."])
        XCTAssertEqual(sentences("Rash occurred (n = 3). Therapy continued."),
                       ["Rash occurred (n = 3).", "Therapy continued."])
    }

    func testSentenceEndingInAClosingQuoteKeepsIt() {
        XCTAssertEqual(sentences("She said \"stop the drug.\" It was stopped. He asked \u{201C}why?\u{201D} Nobody knew."),
                       ["She said \"stop the drug.\"", "It was stopped.", "He asked \u{201C}why?\u{201D}", "Nobody knew."])
    }

    func testLowerCaseAfterAPeriodIsNeverABoundary() {
        XCTAssertEqual(sentences("It was given i.v. twice daily. Doses were 5 mg. daily and stopped."),
                       ["It was given i.v. twice daily.", "Doses were 5 mg. daily and stopped."])
        XCTAssertEqual(sentences("Unknown abbrev. here too? yes."), ["Unknown abbrev. here too? yes."])
    }

    func testPunctuationWithoutFollowingWhitespaceIsNotABoundary() {
        XCTAssertEqual(sentences("See www.example.Org for details. Next."),
                       ["See www.example.Org for details.", "Next."])
    }

    // MARK: Abbreviations

    func testLatinAbbreviationsDoNotEndSentences() {
        let text = "Drugs e.g. Aspirin, i.e. NSAIDs, cf. Table 1, vs. Placebo, viz. Two, ca. 40 patients, approx. 3 days. Done."
        XCTAssertEqual(sentences(text), [String(text.dropLast(6)), "Done."])
    }

    func testEtAlDoesNotEndASentenceEvenAcrossExtraWhitespace() {
        XCTAssertEqual(sentences("Smith et al. Reported it. Jones et \n al. (2001) agreed."),
                       ["Smith et al. Reported it.", "Jones et \n al. (2001) agreed."])
    }

    func testAlWithoutEtIsAnOrdinaryWord() {
        XCTAssertEqual(sentences("It was given by Al. Then it stopped."), ["It was given by Al.", "Then it stopped."])
    }

    func testRouteAndDosingAbbreviationsDoNotEndSentences() {
        let text = "Given i.v. Methotrexate, i.m. Haloperidol, s.c. Insulin, p.o. Ibuprofen, b.i.d. Then t.i.d. Or q.d. Dosing. Done."
        XCTAssertEqual(sentences(text), [String(text.dropLast(6)), "Done."])
    }

    func testTitleAbbreviationsDoNotEndSentences() {
        XCTAssertEqual(sentences("Seen by Dr. Smith, Prof. Lee, Mr. Ng, Mrs. Ito and Ms. Roe. Next."),
                       ["Seen by Dr. Smith, Prof. Lee, Mr. Ng, Mrs. Ito and Ms. Roe.", "Next."])
    }

    func testReferenceAbbreviationsDoNotEndSentences() {
        XCTAssertEqual(sentences("See Fig. 2 and Figs. 3-4, No. 5, Vol. 12, pp. 3-9. Next."),
                       ["See Fig. 2 and Figs. 3-4, No. 5, Vol. 12, pp. 3-9.", "Next."])
    }

    func testAbbreviationsMatchCaseInsensitively() {
        XCTAssertEqual(sentences("As in fig. 2, E.g. Rash, Cf. Table 3. Next."),
                       ["As in fig. 2, E.g. Rash, Cf. Table 3.", "Next."])
    }

    func testAbbreviationAfterAnOpeningBracketIsRecognised() {
        XCTAssertEqual(sentences("Rash (e.g. Urticaria) and (Fig. 1) more. Next."),
                       ["Rash (e.g. Urticaria) and (Fig. 1) more.", "Next."])
    }

    func testAllCapitalAcronymsEndSentencesDespiteMatchingAnAbbreviation() {
        XCTAssertEqual(sentences("She had MS. Natalizumab was started. Levels of NO. They rose."),
                       ["She had MS.", "Natalizumab was started.", "Levels of NO.", "They rose."])
    }

    func testUnitsAndEtcDoEndSentences() {
        XCTAssertEqual(sentences("She took 50 mg. Rash followed, rash etc. Then fever."),
                       ["She took 50 mg.", "Rash followed, rash etc.", "Then fever."])
    }

    func testSingleCapitalInitialsDoNotEndSentences() {
        XCTAssertEqual(sentences("Reported by J. Smith and A. B. Jones. Next."),
                       ["Reported by J. Smith and A. B. Jones.", "Next."])
    }

    func testUnlistedDottedAbbreviationsDoNotEndSentences() {
        XCTAssertEqual(sentences("Approved in the U.S. After that, p.r.n. Use. Next."),
                       ["Approved in the U.S. After that, p.r.n. Use.", "Next."])
    }

    func testCustomAbbreviationsReplaceTheDefaults() {
        let custom = SentenceSplitter(abbreviations: ["approx", "Cf.", "et  Al."])
        XCTAssertEqual(custom.abbreviations, ["approx.", "cf.", "et al."])
        XCTAssertEqual(sentences("Approx. Ten. Cf. Two. Smith et al. Said so. Drug vs. Placebo.", custom),
                       ["Approx. Ten.", "Cf. Two.", "Smith et al. Said so.", "Drug vs.", "Placebo."])
    }

    // MARK: Numbers

    func testDecimalsDoNotSplit() {
        XCTAssertEqual(sentences("He received 2.5 mg and then .5 mg daily. Next."),
                       ["He received 2.5 mg and then .5 mg daily.", "Next."])
    }

    func testANumberBeforeTheFinalPeriodStillEndsTheSentence() {
        XCTAssertEqual(sentences("Rash began on day 5. 3 days later it resolved."),
                       ["Rash began on day 5.", "3 days later it resolved."])
    }

    // MARK: Line breaks

    func testASingleNewlineIsOrdinaryWhitespace() {
        XCTAssertEqual(sentences("The rash\nresolved after\nwithdrawal. Fever\n persisted."),
                       ["The rash\nresolved after\nwithdrawal.", "Fever\n persisted."])
    }

    func testABlankLineAlwaysEndsASentence() {
        XCTAssertEqual(sentences("Case report\n\nA 45-year-old man\n  \t\nwith fever. Then\n\ne.g.\n\nnext line"),
                       ["Case report", "A 45-year-old man", "with fever.", "Then", "e.g.", "next line"])
    }

    func testWindowsLineBreaksAreRecognised() {
        XCTAssertEqual(sentences("One line\r\ncontinues.\r\n\r\nNew paragraph"),
                       ["One line\r\ncontinues.", "New paragraph"])
    }

    // MARK: Unicode

    func testOffsetsAreUnicodeScalarOffsets() {
        // "β", "É" and "😀" are one scalar each; the emoji is two UTF-16 units and four UTF-8 bytes.
        XCTAssertEqual(splitter.split("β-blocker use. Émile 😀 recovered. Done."),
                       [Span(0, 14), Span(15, 33), Span(34, 39)])
    }

    func testACombiningAccentCountsAsItsOwnScalar() {
        // "Cafe\u{301}" is four characters but five scalars.
        XCTAssertEqual(splitter.split("Cafe\u{301}. Next."), [Span(0, 6), Span(7, 12)])
    }

    func testNonASCIICapitalsAndSpacesAreRecognised() {
        XCTAssertEqual(sentences("It resolved.\u{00A0}Ötzi agreed. Ελληνικά too."),
                       ["It resolved.", "Ötzi agreed.", "Ελληνικά too."])
    }

    func testALowerCaseGreekLetterAfterAPeriodIsNotABoundary() {
        // Known limit: "β-blockers" starting a sentence keeps the previous sentence open.
        XCTAssertEqual(sentences("It resolved. β-blockers were stopped."),
                       ["It resolved. β-blockers were stopped."])
    }

    func testScalarTextAndStringGiveTheSameSpans() {
        let text = "Dr. Smith saw it. Then 2.5 mg. Given i.v. Daily!\n\nNew."
        XCTAssertEqual(splitter.split(ScalarText(text)), splitter.split(text))
        XCTAssertEqual(splitter.split(text).count, 4)
    }

    // MARK: Sample data

    /// The sample abstracts split exactly into the reference sentences, abstract by abstract.
    func testSampleAbstractsSplitIntoTheExpectedSentences() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let abstractsURL = root.appendingPathComponent("SampleData/abstracts.txt")
        let expectedURL = root.appendingPathComponent("SampleData/abstracts.expected.tsv")
        for url in [abstractsURL, expectedURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw XCTSkip("missing \(url.path)")
        }
        let abstracts = try String(contentsOf: abstractsURL, encoding: .utf8)
        let expectedFile = try String(contentsOf: expectedURL, encoding: .utf8)

        var expected: [Int: [String]] = [:]
        for (number, line) in lines(expectedFile).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard fields.count == 2, let index = Int(fields[0]) else {
                XCTFail("abstracts.expected.tsv:\(number + 1): expected `index<TAB>sentence`")
                continue
            }
            expected[index, default: []].append(String(fields[1]))
        }

        let paragraphs = blankLineSeparated(abstracts)
        XCTAssertFalse(paragraphs.isEmpty, "no abstracts in \(abstractsURL.path)")
        let firstIndex = expected.keys.min() ?? 0
        XCTAssertEqual(Set(expected.keys), Set(paragraphs.indices.map { $0 + firstIndex }),
                       "abstract indices in the .tsv do not match the abstracts in the .txt")
        for (offset, paragraph) in paragraphs.enumerated() {
            XCTAssertEqual(sentences(paragraph), expected[offset + firstIndex] ?? [],
                           "abstract \(offset + firstIndex)")
        }
    }

    /// The lines of `text`, without their `\n` or `\r\n`.
    private func lines(_ text: String) -> [Substring] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
            Substring($0.last == "\r" ? $0.dropLast() : $0)
        }
    }

    /// The text split at blank lines (two line breaks with only whitespace between).
    private func blankLineSeparated(_ text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in lines(text) {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: "\n")) }
        return paragraphs
    }

    // MARK: Throughput

    /// Release builds split more than 200k sentences per second of typical abstract text.
    /// Run with `swift test -c release -Xswiftc -enable-testing --filter testThroughput`.
    func testThroughputInReleaseBuilds() throws {
        #if DEBUG
        throw XCTSkip("throughput is only measured in release builds")
        #else
        let paragraph = """
            Background: Drug-induced liver injury (DILI) is rare, e.g. 1 in 10,000 users. \
            We report a 54-year-old woman treated with amoxicillin-clavulanate 875 mg b.i.d. \
            for 7 days. Liver enzymes rose to 12.5 times the upper limit (Fig. 1). \
            Was the drug responsible? Rechallenge was not performed! \
            Smith et al. Described similar cases in the U.S. in 2004. \
            The RUCAM score was 8 (probable).\n\n
            """
        let text = String(repeating: paragraph, count: 2_000)
        let expectedPerCopy = 7
        var sentencesSplit = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<5 { sentencesSplit += splitter.split(text).count }
        }
        XCTAssertEqual(sentencesSplit, 5 * 2_000 * expectedPerCopy)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = Double(sentencesSplit) / seconds
        print("SentenceSplitter: \(Int(rate)) sentences/s")
        XCTAssertGreaterThan(rate, 200_000)
        #endif
    }
}

private extension String {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
