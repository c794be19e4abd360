import Corpus

extension PromptBuilder {
    /// Few-shot candidates from the corpus: sentences with curated accepted ADEs first, then
    /// gold sentences with ADEs (a sentence appears once, curated winning).
    public static func examplePool(_ store: CorpusStore) throws -> [PromptExample] {
        var pool: [Int64: PromptExample] = [:]
        for view in try store.sentenceViews(layer: try store.layer(.gold), onlyWithADE: true) {
            if let example = PromptExample(view) { pool[view.id] = example }
        }
        for var view in try store.sentenceViews(layer: try store.layer(.curated), onlyWithADE: true) {
            view.drugs = view.drugs.filter { $0.review == .accepted }
            if let example = PromptExample(view) { pool[view.id] = example }
        }
        return Array(pool.values)
    }
}
