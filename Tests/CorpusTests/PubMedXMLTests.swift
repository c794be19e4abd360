import Core
import Foundation
import XCTest
@testable import Corpus

/// PubMed XML reading and the sentences it gives (issue 7). The records are written here.
final class PubMedXMLTests: XCTestCase {
    static let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE PubmedArticleSet>
        <PubmedArticleSet>
          <PubmedArticle>
            <MedlineCitation Status="MEDLINE" Owner="NLM">
              <PMID Version="1">90000001</PMID>
              <Article PubModel="Print">
                <ArticleTitle>Warfarin-associated   bleeding in an   elderly woman.</ArticleTitle>
                <Abstract>
                  <AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Anticoagulants carry risks &amp; benefits.</AbstractText>
                  <AbstractText Label="CASE REPORT" NlmCategory="METHODS">A 78-year-old woman on warfarin developed
                    a retroperitoneal <i>haematoma</i>. Her INR was 9.8 &#8211; far above range (&#946;-blockers were stopped).</AbstractText>
                </Abstract>
                <Language>eng</Language>
                <PublicationTypeList>
                  <PublicationType UI="D002363">Case Reports</PublicationType>
                  <PublicationType UI="D016428">Journal Article</PublicationType>
                </PublicationTypeList>
              </Article>
              <MeshHeadingList>
                <MeshHeading>
                  <DescriptorName UI="D014859" MajorTopicYN="N">Warfarin</DescriptorName>
                  <QualifierName UI="Q000009" MajorTopicYN="Y">adverse effects</QualifierName>
                </MeshHeading>
                <MeshHeading><DescriptorName UI="D006470" MajorTopicYN="N">Hemorrhage</DescriptorName></MeshHeading>
              </MeshHeadingList>
              <CommentsCorrectionsList>
                <CommentsCorrections RefType="Cites"><RefSource>Other J</RefSource><PMID Version="1">12345</PMID></CommentsCorrections>
              </CommentsCorrectionsList>
            </MedlineCitation>
          </PubmedArticle>
          <PubmedArticle>
            <MedlineCitation Status="MEDLINE" Owner="NLM">
              <PMID Version="1">90000002</PMID>
              <Article><ArticleTitle>Naïve café patients given ibuprofen: a note.</ArticleTitle>
                <Abstract><AbstractText>Ibuprofen was well tolerated. No events occurred.</AbstractText></Abstract>
              </Article>
            </MedlineCitation>
          </PubmedArticle>
          <PubmedArticle>
            <MedlineCitation><PMID Version="1">90000001</PMID>
              <Article><ArticleTitle>Warfarin-associated bleeding in an elderly woman.</ArticleTitle></Article>
            </MedlineCitation>
          </PubmedArticle>
        </PubmedArticleSet>
        """

    func testRecordsTitlesSectionsEntitiesTypesAndMesh() throws {
        let articles = try PubMedXML.parse(Data(Self.xml.utf8), file: "set.xml")
        XCTAssertEqual(articles.map(\.pmid), ["90000001", "90000002", "90000001"], "the cited PMID 12345 is not a record")
        let first = articles[0]
        XCTAssertEqual(first.title, "Warfarin-associated bleeding in an elderly woman.")
        XCTAssertEqual(first.abstract.map(\.label), ["BACKGROUND", "CASE REPORT"])
        XCTAssertEqual(first.abstract[0].text, "Anticoagulants carry risks & benefits.")
        XCTAssertTrue(first.abstract[1].text.contains("retroperitoneal haematoma. Her INR was 9.8 – far above range (β-blockers"),
                      first.abstract[1].text)
        XCTAssertEqual(first.publicationTypes, ["Case Reports", "Journal Article"])
        XCTAssertEqual(first.meshHeadings, ["Warfarin", "Warfarin/adverse effects", "Hemorrhage"])
        XCTAssertEqual(first.languages, ["eng"])
        XCTAssertEqual(articles[1].title, "Naïve café patients given ibuprofen: a note.")
        XCTAssertEqual(articles[1].abstract.map(\.label), [nil])
    }

    func testDocumentLayoutAndSentenceOffsetsAsInTheADECorpus() throws {
        let articles = try PubMedXML.parse(Data(Self.xml.utf8), file: "set.xml")
        var lexicon = DrugLexicon()
        for name in ["warfarin", "ibuprofen", "anticoagulants"] { lexicon.add(name) }
        let builder = PubMedCorpus(lexicon: lexicon, lexiconHash: "test")
        var seen = Set<String>()
        var summary = PubMedReadSummary()
        let batch = builder.batch(articles, path: "set.xml", seen: &seen, summary: &summary)
        XCTAssertEqual(summary.abstracts, 2)
        XCTAssertEqual(summary.duplicatePMIDs, 1)
        for sentence in batch.sentences {
            let article = try XCTUnwrap(articles.first { "pmid:\($0.pmid)" == sentence.documentKey })
            let doc = ScalarText(article.documentText)
            let offset = try XCTUnwrap(sentence.docOffset)
            XCTAssertEqual(doc[Span(offset, offset + sentence.text.unicodeScalars.count)], sentence.text,
                           "the document offset points at the sentence")
        }
        XCTAssertEqual(batch.sentences.first?.docOffset, "90000001".count + 2, "the title starts after PMID\\n\\n")
        XCTAssertTrue(articles[0].documentText.hasPrefix("90000001\n\nWarfarin-associated bleeding in an elderly woman.\n\nBACKGROUND: "))
        XCTAssertEqual(batch.sentences.map(\.text), [
            "Warfarin-associated bleeding in an elderly woman.",
            "BACKGROUND: Anticoagulants carry risks & benefits.",
            "CASE REPORT: A 78-year-old woman on warfarin developed a retroperitoneal haematoma.",
            "Naïve café patients given ibuprofen: a note.",
            "Ibuprofen was well tolerated.",
        ], "sentences without a drug are dropped")
        XCTAssertEqual(summary.sentences, 7)
        XCTAssertEqual(summary.sentencesWithDrug, 5)
        XCTAssertEqual(summary.topDrugs(2).map(\.drug), ["ibuprofen", "warfarin"])
        XCTAssertEqual(summary.distinctDrugs, 3)
    }

    func testIngestKeepsMetadataAndNeverDuplicatesAPMID() throws {
        let store = try temporaryStore(self)
        var lexicon = DrugLexicon()
        lexicon.add("warfarin")
        let builder = PubMedCorpus(lexicon: lexicon, lexiconHash: "test")
        let articles = try PubMedXML.parse(Data(Self.xml.utf8), file: "set.xml")
        var seen = try store.documentPMIDs()
        var summary = PubMedReadSummary()
        let result = try store.ingest(builder.batch(articles, path: "a.xml", seen: &seen, summary: &summary), into: .gold)
        XCTAssertEqual(result.documents, 1)
        XCTAssertEqual(result.sentences, 2)
        seen = try store.documentPMIDs()
        XCTAssertEqual(seen, ["90000001"])
        var again = PubMedReadSummary()
        let second = try store.ingest(builder.batch(articles, path: "b.xml", seen: &seen, summary: &again), into: .gold)
        XCTAssertEqual(second.sentences, 0)
        XCTAssertEqual(again.duplicatePMIDs, 2, "90000002 gave no sentence the first time, so it is not in the corpus")
        let meta = try XCTUnwrap(try store.pool.read { db in
            try String.fetchOne(db, sql: "SELECT meta FROM document WHERE key = 'pmid:90000001'")
        })
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(meta.utf8)) as? [String: Any])
        XCTAssertEqual(json["publication_types"] as? [String], ["Case Reports", "Journal Article"])
        XCTAssertEqual(json["text"] as? String, articles[0].documentText)
    }

    func testMalformedXMLNamesFileAndLine() {
        let broken = "<PubmedArticleSet>\n<PubmedArticle>\n<MedlineCitation><PMID>1</PMID>\n</PubmedArticle>"
        XCTAssertThrowsError(try PubMedXML.parse(Data(broken.utf8), file: "broken.xml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("broken.xml:"), "\(error)")
            XCTAssertGreaterThan((error as? ImportError)?.line ?? 0, 1)
        }
        XCTAssertThrowsError(try PubMedXML.parse(Data("<PubmedArticleSet>\n<PubmedArticle>".utf8), file: "cut.xml")) { error in
            XCTAssertTrue("\(error)".contains("ends"), "\(error)")
        }
        let noPMID = "<PubmedArticleSet><PubmedArticle><MedlineCitation><Article><ArticleTitle>x</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
        XCTAssertThrowsError(try PubMedXML.parse(Data(noPMID.utf8), file: "nopmid.xml")) { error in
            XCTAssertTrue("\(error)".contains("PMID"), "\(error)")
        }
    }
}
