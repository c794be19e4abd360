import Corpus
import XCTest
@testable import Teacher

/// The prompt is the paper's Figure 3: instruction, seeded examples, then the message.
final class PromptBuilderTests: XCTestCase {
    func testFiveShotPromptContent() throws {
        let store = try fixtureStore(self)
        let pool = try PromptBuilder.examplePool(store)
        XCTAssertEqual(pool.count, 6, "gold sentences with an ADE; the negative one is not an example")
        let asked = try XCTUnwrap(pool.first { $0.text.hasPrefix("Lithium") })
        let builder = PromptBuilder(shots: 5, seed: 1, pool: pool)
        let messages = builder.messages(for: asked.sentenceID, text: asked.text)
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(messages[0].role, "user")
        let lines = messages[0].content.components(separatedBy: "\n")
        XCTAssertEqual(lines.first, "Extract the adverse events each drug causes in the Message. If no ADE is found, return None.")
        XCTAssertEqual(lines.suffix(2), ["Message: \(asked.text)", "Annotations:"])
        for n in 1...5 { XCTAssertTrue(lines.contains("Example \(n):"), "Example \(n)") }
        XCTAssertFalse(lines.contains("Example 6:"))
        XCTAssertEqual(lines.filter { $0.hasPrefix("Message: ") }.count, 6)
        XCTAssertEqual(lines.filter { $0 == "Message: \(asked.text)" }.count, 1, "the asked sentence is never an example")
        // Every other pooled sentence has exactly 5 candidates left: all five appear, with their answers.
        XCTAssertTrue(lines.contains("Annotations: Amiodarone: pulmonary fibrosis"))
        XCTAssertTrue(lines.contains("Annotations: Vancomycin: red man syndrome"))
        XCTAssertFalse(lines.contains("Message: Metformin was continued without incident."))
    }

    func testExamplesAreSeededPerSentence() throws {
        let pool = (1...40).map { PromptExample(sentenceID: Int64($0), text: "Drug\($0) caused rash\($0).",
                                                annotations: [DrugAnswer(drug: "Drug\($0)", ades: ["rash\($0)"])]) }
        let a = PromptBuilder(shots: 5, seed: 7, pool: pool)
        let b = PromptBuilder(shots: 5, seed: 7, pool: pool.reversed())
        let c = PromptBuilder(shots: 5, seed: 8, pool: pool)
        XCTAssertEqual(a.messages(for: 3, text: "x"), b.messages(for: 3, text: "x"), "same seed, same examples")
        XCTAssertNotEqual(a.examples(for: 3, text: "x").map(\.sentenceID), c.examples(for: 3, text: "x").map(\.sentenceID))
        XCTAssertNotEqual(a.examples(for: 3, text: "x").map(\.sentenceID), a.examples(for: 4, text: "x").map(\.sentenceID))
        XCTAssertFalse(a.examples(for: 3, text: "x").contains { $0.sentenceID == 3 })
        XCTAssertEqual(Set(a.examples(for: 3, text: "x").map(\.sentenceID)).count, 5, "no example twice")
    }

    func testZeroShotAndKShot() {
        let pool = (1...10).map { PromptExample(sentenceID: Int64($0), text: "S\($0).", annotations: [DrugAnswer(drug: "d", ades: ["a"])]) }
        let zero = PromptBuilder(shots: 0, seed: 1, pool: pool).messages(for: 99, text: "Asked.")[0].content
        XCTAssertEqual(zero, "Extract the adverse events each drug causes in the Message. If no ADE is found, return None.\nMessage: Asked.\nAnnotations:")
        let two = PromptBuilder(shots: 2, seed: 1, pool: pool).messages(for: 99, text: "Asked.")[0].content
        XCTAssertEqual(two.components(separatedBy: "\n").filter { $0.hasPrefix("Example ") }, ["Example 1:", "Example 2:"])
    }

    func testTemplateHashFollowsTheWording() {
        var other = PromptTemplate.paper
        XCTAssertEqual(other.hash, PromptTemplate.paper.hash)
        XCTAssertEqual(other.hash.count, 64)
        other.instruction += " Be brief."
        XCTAssertNotEqual(other.hash, PromptTemplate.paper.hash)
    }

    func testCacheKeyCoversModelMessagesAndParametersButNotTheSentenceField() {
        let messages = [ChatMessage(role: "user", content: "hello")]
        let base = TeacherRequest(model: "m", messages: messages, temperature: 0, maxTokens: 10, sentence: "s")
        let key = CacheKey.of(base, templateHash: "t")
        var other = base
        other.model = "m2"
        XCTAssertNotEqual(CacheKey.of(other, templateHash: "t"), key)
        other = base
        other.temperature = 0.5
        XCTAssertNotEqual(CacheKey.of(other, templateHash: "t"), key)
        XCTAssertNotEqual(CacheKey.of(base, templateHash: "t2"), key)
        other = base
        other.messages = [ChatMessage(role: "user", content: "hello!")]
        XCTAssertNotEqual(CacheKey.of(other, templateHash: "t"), key)
        XCTAssertEqual(CacheKey.of(base, templateHash: "t"), key)
    }
}
