import Corpus
import Foundation

/// Builds a corpus from a PubMed query: esearch, efetch in batches, sentences with a drug
/// kept, each batch committed with the download's progress so a killed run resumes at the
/// next batch and never imports a PMID twice.
public struct PubMedDownload {
    public var client: EUtilitiesClient
    public var store: CorpusStore
    public var corpus: PubMedCorpus
    public var batchSize: Int

    public init(client: EUtilitiesClient, store: CorpusStore, corpus: PubMedCorpus, batchSize: Int = 200) {
        self.client = client
        self.store = store
        self.corpus = corpus
        self.batchSize = max(1, batchSize)
    }

    /// What a run did.
    public struct Outcome: Sendable {
        public var state: PubMedImportState
        public var resumed: Bool
        public var read: PubMedReadSummary
        public var added: ImportSummary
    }

    /// Runs (or resumes) the download of `query`, up to `maxRecords`; `progress` hears after
    /// each batch.
    public func run(query: String, maxRecords: Int?,
                    progress: (PubMedImportState, PubMedReadSummary) -> Void = { _, _ in }) throws -> Outcome {
        var state: PubMedImportState
        let resumed: Bool
        if let unfinished = try store.unfinishedPubMedImport(query: query) {
            // The history server forgets a WebEnv after a while: search again, go on from nextStart.
            let search = try client.search(query)
            try store.renewPubMedImport(unfinished.id, hits: search.count, webEnv: search.webEnv, queryKey: search.queryKey)
            state = unfinished
            state.hits = search.count
            state.webEnv = search.webEnv
            state.queryKey = search.queryKey
            resumed = true
        } else {
            let search = try client.search(query)
            state = try store.startPubMedImport(query: query, maxRecords: maxRecords, hits: search.count,
                                                webEnv: search.webEnv, queryKey: search.queryKey)
            resumed = false
        }
        var seen = try store.documentPMIDs()
        var read = PubMedReadSummary()
        var added = ImportSummary()
        let target = state.target
        if state.nextStart >= target {
            try store.finishPubMedImport(state.id)
            state.finished = true
        }
        while state.nextStart < target {
            let count = min(batchSize, target - state.nextStart)
            let search = ESearchResult(count: state.hits, webEnv: state.webEnv, queryKey: state.queryKey)
            let data = try client.fetch(search, start: state.nextStart, count: count)
            let label = "efetch \(query) [\(state.nextStart)..<\(state.nextStart + count)]"
            let articles = try PubMedXML.parse(data, file: label)
            let batch = corpus.batch(articles, path: label, seen: &seen, summary: &read)
            let next = state.nextStart + count
            let summary = try store.commitPubMedBatch(state.id, batch, nextStart: next, finished: next >= target)
            added.documents += summary.documents
            added.sentences += summary.sentences
            added.drugMentions += summary.drugMentions
            state.nextStart = next
            state.finished = next >= target
            progress(state, read)
        }
        return Outcome(state: state, resumed: resumed, read: read, added: added)
    }
}
