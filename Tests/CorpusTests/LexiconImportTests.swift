import Core
import Foundation
import XCTest
@testable import Corpus

/// The NCI Thesaurus reader and the corpus lexicon (issue 7). The NCIt rows are written here:
/// code, concept name, parents, synonyms, definition, display name, status, semantic types.
final class LexiconImportTests: XCTestCase {
    let ncit = [
        "C100\tAcetaminophen\tC200\tAcetaminophen|Paracetamol|APAP|N-acetyl-p-aminophenol\tAn analgesic.\tAcetaminophen\t\tPharmacologic Substance",
        "C101\tValproic_Acid\tC200\tValproic Acid|VALPROATE|Depakene\tAn anticonvulsant.\t\t\tPharmacologic Substance|Organic Chemical",
        "C102\tValproic_Acid_Sodium\tC200\tSodium Valproate|valproate sodium\t\t\t\tClinical Drug",
        "C103\tHeadache\tC300\tHeadache|Cephalalgia\tA pain.\tHeadache\t\tSign or Symptom",
        "C104\tOld_Drug\tC200\tRetiredol\t\t\tObsolete_Concept\tPharmacologic Substance",
        "C105\tIron\tC200\tIron|Fe\t\tIron\t\tElement, Ion, or Isotope",
    ].joined(separator: "\n") + "\n"

    func testNCItKeepsDrugConceptsWithAllSynonymsMappedToThePreferredName() throws {
        let dir = try temporaryDirectory(self)
        let path = try write(ncit, to: "Thesaurus.txt", in: dir)
        let contents = try LexiconReader.read(path: path, format: .ncit)
        XCTAssertEqual(contents.concepts, 3, "acetaminophen, valproic acid, sodium valproate")
        XCTAssertEqual(contents.skippedConcepts, 3, "a symptom, a retired concept, an element")
        let lexicon = contents.lexicon
        XCTAssertEqual(lexicon.normalized(for: "paracetamol"), "Acetaminophen")
        XCTAssertEqual(lexicon.normalized(for: "APAP"), "Acetaminophen")
        XCTAssertEqual(lexicon.normalized(for: "depakene"), "Valproic Acid", "no display name: the first synonym")
        XCTAssertNil(lexicon.normalized(for: "headache"), "Sign or Symptom is not a drug type")
        XCTAssertNil(lexicon.normalized(for: "retiredol"), "obsolete concepts are dropped")
        XCTAssertNil(lexicon.normalized(for: "iron"))
    }

    func testMatchingCaseMultiWordLongestAndWholeWordsOnly() throws {
        let dir = try temporaryDirectory(self)
        let lexicon = try LexiconReader.read(path: try write(ncit, to: "t.txt", in: dir), format: .ncit).lexicon
        let text = "She took VALPROIC   ACID, then sodium valproate and valproate; apapx is not APAP."
        let found = lexicon.matches(in: text).map { ($0.text, $0.normalized) }
        XCTAssertEqual(found.map(\.0), ["VALPROIC   ACID", "sodium valproate", "valproate", "APAP"])
        XCTAssertEqual(found.map(\.1), ["Valproic Acid", "Sodium Valproate", "Valproic Acid", "Acetaminophen"],
                       "the longer 'sodium valproate' wins over 'valproate' inside it")
    }

    func testSemanticTypesAreConfigurableAndShortNamesLeftOut() throws {
        let dir = try temporaryDirectory(self)
        let path = try write(ncit, to: "t.txt", in: dir)
        let symptoms = try LexiconReader.read(path: path, format: .ncit, semanticTypes: ["sign or symptom"])
        XCTAssertEqual(symptoms.lexicon.normalized(for: "cephalalgia"), "Headache")
        XCTAssertNil(symptoms.lexicon.normalized(for: "paracetamol"))
        let elements = try LexiconReader.read(path: path, format: .ncit, semanticTypes: ["Element, Ion, or Isotope"])
        XCTAssertNil(elements.lexicon.normalized(for: "Fe"), "two letters are below the default minimum")
        XCTAssertEqual(elements.skippedShortNames, 1)
        let all = try LexiconReader.read(path: path, format: .ncit, semanticTypes: ["Element, Ion, or Isotope"], minimumLength: 1)
        XCTAssertEqual(all.lexicon.normalized(for: "fe"), "Iron")
    }

    func testMalformedNCItLineNamesFileAndLine() throws {
        let dir = try temporaryDirectory(self)
        let path = try write(ncit + "C999\tBroken\tonly three fields\n", to: "bad.txt", in: dir)
        XCTAssertThrowsError(try LexiconReader.read(path: path, format: .ncit)) { error in
            XCTAssertEqual((error as? ImportError)?.line, 7)
            XCTAssertTrue("\(error)".hasPrefix("\(path):7:"), "\(error)")
        }
    }

    func testLinesFormat() throws {
        let dir = try temporaryDirectory(self)
        let path = try write("\u{FEFF}warfarin\n\n# comment\n  Low  molecular weight heparin \n", to: "drugs.txt", in: dir)
        let contents = try LexiconReader.read(path: path, format: .lines)
        XCTAssertEqual(contents.entries.map(\.name), ["warfarin", "Low molecular weight heparin"])
        XCTAssertEqual(contents.lexicon.matches(in: "low molecular weight\nheparin").count, 1)
    }

    func testCorpusLexiconIsTheUnionOfImportsAndReimportChangesNothing() throws {
        let store = try temporaryStore(self)
        XCTAssertNil(try store.lexicon())
        let dir = try temporaryDirectory(self)
        let ncitFile = try LexiconReader.read(path: try write(ncit, to: "t.txt", in: dir), format: .ncit)
        let first = try store.importLexicon(ncitFile)
        XCTAssertFalse(first.alreadyImported)
        XCTAssertTrue(try store.importLexicon(ncitFile).alreadyImported)
        let extra = try LexiconReader.read(path: try write("Paracetamol\tTylenol\nwarfarin\n", to: "x.tsv", in: dir), format: .tsv)
        _ = try store.importLexicon(extra)
        let (lexicon, _) = try XCTUnwrap(try store.lexicon())
        XCTAssertEqual(lexicon.normalized(for: "paracetamol"), "Tylenol", "the later import wins for a shared name")
        XCTAssertEqual(lexicon.normalized(for: "warfarin"), "warfarin")
        XCTAssertEqual(lexicon.normalized(for: "depakene"), "Valproic Acid")
        let stats = try store.lexiconStats()
        XCTAssertEqual(stats.sources, 2)
        XCTAssertEqual(stats.names, lexicon.count)
        XCTAssertEqual(stats.concepts, lexicon.conceptCount)
        XCTAssertEqual(stats.synonyms, stats.names - stats.concepts)
    }
}
