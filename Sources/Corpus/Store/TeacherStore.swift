import Core
import Foundation
import GRDB

/// A teacher proposal that could not be placed on its sentence: kept, never dropped.
public struct UngroundedProposal: Hashable, Sendable {
    /// Why a proposal is ungrounded.
    public enum Reason: String, Hashable, Sendable, CaseIterable {
        /// The ADE string does not occur in the sentence (a hallucination).
        case adeNotInSentence = "ade-not-in-sentence"
        /// The answer names a drug that is not one of the sentence's drug mentions.
        case drugNotInSentence = "drug-not-in-sentence"
    }
    /// The drug as the model wrote it.
    public var drug: String
    /// The drug mention the drug was mapped to, when it was.
    public var drugMentionID: Int64?
    /// The ADE string as the model wrote it.
    public var text: String
    public var reason: Reason

    public init(drug: String, drugMentionID: Int64?, text: String, reason: Reason) {
        self.drug = drug
        self.drugMentionID = drugMentionID
        self.text = text
        self.reason = reason
    }
}

/// One request to the teacher and its raw answer: the audit record and the cache entry.
public struct TeacherExchange: Hashable, Sendable {
    /// The hash of everything that determines the answer (never the API key).
    public var cacheKey: String
    public var model: String
    /// The messages as sent, readable (`role:` headers, then the content).
    public var prompt: String
    /// The request body as sent (JSON, without credentials).
    public var request: String
    /// The raw assistant text.
    public var response: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// True when the run that answered the sentence took this from the cache.
    public var fromCache: Bool

    public init(cacheKey: String, model: String, prompt: String, request: String, response: String,
                promptTokens: Int = 0, completionTokens: Int = 0, fromCache: Bool = false) {
        self.cacheKey = cacheKey
        self.model = model
        self.prompt = prompt
        self.request = request
        self.response = response
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.fromCache = fromCache
    }
}

/// One ADE span the teacher proposed for one drug mention.
public struct TeacherADE: Hashable, Sendable {
    public var drugMentionID: Int64
    public var span: Span
    public var text: String
    public init(drugMentionID: Int64, span: Span, text: String) {
        self.drugMentionID = drugMentionID
        self.span = span
        self.text = text
    }
}

/// Everything one sentence's answer writes, in one transaction.
public struct TeacherSentenceAnswer: Sendable {
    public var sentenceID: Int64
    public var exchange: TeacherExchange
    /// The drug mentions this answer covers ("no ADE" included).
    public var answeredMentions: [Int64]
    public var ades: [TeacherADE]
    public var ungrounded: [UngroundedProposal]
    /// The price of the request (0 when it came from the cache).
    public var cost: Double

    public init(sentenceID: Int64, exchange: TeacherExchange, answeredMentions: [Int64], ades: [TeacherADE],
                ungrounded: [UngroundedProposal], cost: Double = 0) {
        self.sentenceID = sentenceID
        self.exchange = exchange
        self.answeredMentions = answeredMentions
        self.ades = ades
        self.ungrounded = ungrounded
        self.cost = cost
    }
}

/// A teacher run's counters.
public struct TeacherRunStats: Hashable, Sendable, Codable {
    /// Sentences the run has answered.
    public var answered = 0
    /// Answers that needed a network request.
    public var requests = 0
    /// Answers served from the cache.
    public var cacheHits = 0
    /// Sentences that failed after every retry (left unanswered; a resume asks again).
    public var errors = 0
    /// ADE strings that are not in their sentence.
    public var hallucinations = 0
    /// Answered drugs that are not drug mentions of their sentence.
    public var unknownDrugs = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var cost = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case answered, requests, errors, hallucinations, cost
        case cacheHits = "cache_hits", unknownDrugs = "unknown_drugs"
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
    }
}

extension CorpusStore {
    /// The normalized form of a drug name that drug mentions store (lower case, single spaces).
    public static func normalizedDrugName(_ text: String) -> String {
        FormatSupport.normalizedDrugName(text)
    }

    /// The cached exchange for a request hash, if any run has made that request.
    public func cachedTeacherExchange(key: String) throws -> TeacherExchange? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM teacher_exchange WHERE cache_key = ?", arguments: [key])
                .map { Self.exchange(from: $0, fromCache: true) }
        }
    }

    /// Writes one sentence's answer into a teacher run: the exchange (if new), the ADE rows,
    /// the answered items, the ungrounded proposals and the counters, in one transaction.
    /// Returns false, writing nothing, when the run has already answered the sentence.
    @discardableResult
    public func recordTeacherAnswer(_ answer: TeacherSentenceAnswer, layer: LayerInfo) throws -> Bool {
        guard layer.kind == .teacher, let run = layer.version else {
            throw TeacherStoreError.notATeacherRun(layer.description)
        }
        return try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM teacher_answer WHERE teacher_run_id = ? AND sentence_id = ?",
                                 arguments: [run, answer.sentenceID]) == true {
                return false
            }
            let e = answer.exchange
            try db.execute(sql: """
                INSERT INTO teacher_exchange(cache_key, model, prompt, request, response, prompt_tokens,
                                             completion_tokens, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(cache_key) DO NOTHING
                """, arguments: [e.cacheKey, e.model, e.prompt, e.request, e.response, e.promptTokens,
                                 e.completionTokens, Date()])
            guard let exchangeID = try Int64.fetchOne(db, sql: "SELECT id FROM teacher_exchange WHERE cache_key = ?",
                                                      arguments: [e.cacheKey]) else {
                throw TeacherStoreError.exchangeMissing(cacheKey: e.cacheKey)
            }
            let now = Date()
            try db.execute(sql: """
                INSERT INTO teacher_answer(teacher_run_id, sentence_id, exchange_id, from_cache, created_at)
                VALUES (?, ?, ?, ?, ?)
                """, arguments: [run, answer.sentenceID, exchangeID, e.fromCache, now])
            for mention in answer.answeredMentions {
                try db.execute(sql: "INSERT OR IGNORE INTO layer_item(layer_id, drug_mention_id) VALUES (?, ?)",
                               arguments: [layer.id, mention])
            }
            for ade in answer.ades {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO ade(layer_id, sentence_id, drug_mention_id, start, "end", text, author, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [layer.id, answer.sentenceID, ade.drugMentionID, ade.span.start, ade.span.end,
                                     ade.text, "teacher:\(run)", now])
            }
            for u in answer.ungrounded {
                try db.execute(sql: """
                    INSERT INTO teacher_ungrounded(teacher_run_id, sentence_id, drug, drug_mention_id, text, reason)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [run, answer.sentenceID, u.drug, u.drugMentionID, u.text, u.reason.rawValue])
            }
            let hallucinations = answer.ungrounded.filter { $0.reason == .adeNotInSentence }.count
            let unknownDrugs = Set(answer.ungrounded.filter { $0.reason == .drugNotInSentence }.map(\.drug)).count
            try db.execute(sql: """
                INSERT INTO teacher_run_stats(teacher_run_id, requests, cache_hits, hallucinations, unknown_drugs,
                                              prompt_tokens, completion_tokens, cost)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                ON CONFLICT(teacher_run_id) DO UPDATE SET
                    requests = requests + ?2, cache_hits = cache_hits + ?3, hallucinations = hallucinations + ?4,
                    unknown_drugs = unknown_drugs + ?5, prompt_tokens = prompt_tokens + ?6,
                    completion_tokens = completion_tokens + ?7, cost = cost + ?8
                """, arguments: [run, e.fromCache ? 0 : 1, e.fromCache ? 1 : 0, hallucinations, unknownDrugs,
                                 e.fromCache ? 0 : e.promptTokens, e.fromCache ? 0 : e.completionTokens,
                                 e.fromCache ? 0 : answer.cost])
            return true
        }
    }

    /// Counts sentences of a run that failed after every retry.
    public func recordTeacherErrors(run: Int64, count: Int = 1) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO teacher_run_stats(teacher_run_id, errors) VALUES (?1, ?2)
                ON CONFLICT(teacher_run_id) DO UPDATE SET errors = errors + ?2
                """, arguments: [run, count])
        }
    }

    /// The sentences a teacher run has answered.
    public func teacherAnsweredSentences(run: Int64) throws -> Set<Int64> {
        try pool.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT sentence_id FROM teacher_answer WHERE teacher_run_id = ?",
                                   arguments: [run]))
        }
    }

    /// A teacher run's counters (zeros for a run that has not answered anything yet).
    public func teacherRunStats(run: Int64) throws -> TeacherRunStats {
        try pool.read { db in
            var stats = TeacherRunStats()
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM teacher_run_stats WHERE teacher_run_id = ?",
                                          arguments: [run]) {
                stats.requests = row["requests"]
                stats.cacheHits = row["cache_hits"]
                stats.errors = row["errors"]
                stats.hallucinations = row["hallucinations"]
                stats.unknownDrugs = row["unknown_drugs"]
                stats.promptTokens = row["prompt_tokens"]
                stats.completionTokens = row["completion_tokens"]
                stats.cost = row["cost"]
            }
            stats.answered = try Int.fetchOne(db, sql: "SELECT count(*) FROM teacher_answer WHERE teacher_run_id = ?",
                                              arguments: [run]) ?? 0
            return stats
        }
    }

    /// The provenance of a teacher run, to resume it with the same settings.
    public func teacherRunInfo(run: Int64) throws -> TeacherRunInfo {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM teacher_run WHERE id = ?", arguments: [run]) else {
                throw CorpusError.unknownLayer("teacher:\(run)")
            }
            let params: String = row["params"]
            return TeacherRunInfo(model: row["model"], endpoint: row["endpoint"], templateHash: row["template_hash"],
                                  shots: row["shots"], seed: row["seed"],
                                  params: (try? JSONText.decode([String: String].self, params)) ?? [:],
                                  note: row["note"])
        }
    }

    /// The proposals of a teacher run (nil: the latest run) that could not be placed on a sentence.
    public func ungroundedProposals(sentenceID: Int64, teacherRun: Int64?) throws -> [UngroundedProposal] {
        try pool.read { db in
            guard let run = try Self.teacherRun(teacherRun, db) else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT drug, drug_mention_id, text, reason FROM teacher_ungrounded
                WHERE sentence_id = ? AND teacher_run_id = ? ORDER BY id
                """, arguments: [sentenceID, run]).map { row in
                UngroundedProposal(drug: row["drug"], drugMentionID: row["drug_mention_id"], text: row["text"],
                                   reason: UngroundedProposal.Reason(rawValue: row["reason"]) ?? .adeNotInSentence)
            }
        }
    }

    /// The request and raw response behind a sentence's answer in a teacher run (nil: the latest run).
    public func teacherExchange(sentenceID: Int64, teacherRun: Int64?) throws -> TeacherExchange? {
        try pool.read { db in
            guard let run = try Self.teacherRun(teacherRun, db) else { return nil }
            return try Row.fetchOne(db, sql: """
                SELECT e.*, a.from_cache AS answered_from_cache FROM teacher_answer a
                JOIN teacher_exchange e ON e.id = a.exchange_id
                WHERE a.teacher_run_id = ? AND a.sentence_id = ?
                """, arguments: [run, sentenceID]).map { Self.exchange(from: $0, fromCache: $0["answered_from_cache"]) }
        }
    }

    private static func teacherRun(_ run: Int64?, _ db: Database) throws -> Int64? {
        if let run { return run }
        return try Int64.fetchOne(db, sql: "SELECT max(id) FROM teacher_run")
    }

    private static func exchange(from row: Row, fromCache: Bool) -> TeacherExchange {
        TeacherExchange(cacheKey: row["cache_key"], model: row["model"], prompt: row["prompt"], request: row["request"],
                        response: row["response"], promptTokens: row["prompt_tokens"],
                        completionTokens: row["completion_tokens"], fromCache: fromCache)
    }
}

/// Errors of the teacher's part of the store.
public enum TeacherStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case notATeacherRun(String)
    case exchangeMissing(cacheKey: String)

    public var description: String {
        switch self {
        case let .notATeacherRun(layer): return "layer '\(layer)' is not a teacher run"
        case let .exchangeMissing(key): return "teacher exchange \(key) is missing after it was written"
        }
    }
}

extension SentenceView {
    /// A sentence view built by hand (tests, tools); `documentKey` names its document.
    public init(id: Int64, text: String, drugs: [Drug], documentKey: String = "") {
        self.init(id: id, documentKey: documentKey, pmid: nil, docOffset: nil, text: text, drugs: drugs)
    }
}

extension SentenceView.Drug {
    /// A drug mention with no ADE in the layer and no curated decision.
    public init(mentionID: Int64, span: Span, text: String, normalized: String) {
        self.init(mentionID: mentionID, span: span, text: text, normalized: normalized, ades: [], review: .pending)
    }
}
