import Core
import Foundation
import GRDB

/// What a curator may do: decide items, or also rule on disputes.
public enum CuratorRole: String, Sendable, CaseIterable, Codable {
    case curator, adjudicator
}

/// One curator as `vigil curators` lists them.
public struct CuratorSummary: Sendable, Encodable, Equatable {
    public var name: String
    public var role: CuratorRole
    /// Items whose own answer is decided (accepted or no ADE).
    public var decided: Int
    /// Items whose own answer is skipped or flagged.
    public var parked: Int
    /// Items assigned, and of those not yet decided.
    public var assigned: Int
    public var assignedPending: Int
    /// Adjudications in force.
    public var adjudications: Int
    /// Time on item summed over their decisions (the workbench measures it).
    public var timeOnItemMilliseconds: Int

    enum CodingKeys: String, CodingKey {
        case name, role, decided, parked, assigned, adjudications
        case assignedPending = "assigned_pending", timeOnItemMilliseconds = "time_on_item_ms"
    }
}

/// A disputed item waiting for an adjudicator, with every curator's answer.
public struct Dispute: Sendable, Equatable {
    public var item: ItemKey
    public var drug: String
    public var answers: [CuratorAnswer]
    /// 0 (all agree) to 1 (nothing shared); see `Resolution.disagreement`.
    public var disagreement: Double
    /// Whether an adjudication is already in force (listed only when asked for).
    public var adjudicated: Bool
}

/// What `vigil assign` did.
public struct AssignmentSummary: Sendable, Equatable {
    /// Items newly assigned, and of those the ones given to two curators.
    public var items: Int
    public var shared: Int
    /// New assignments per curator.
    public var counts: [String: Int]
}

/// Per-curator assignment counts (`vigil assign --show`).
public struct AssignmentCount: Sendable, Equatable, Encodable {
    public var curator: String
    public var assigned: Int
    public var decided: Int
    public var shared: Int
}

extension CorpusStore {
    // MARK: Curators

    /// Every curator with their counts, by name. Imports (`import:FILE`) are listed too:
    /// they are the authors of imported answers.
    public func curators() throws -> [CuratorSummary] {
        try pool.read { db in
            var byName: [String: CuratorSummary] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, role FROM curator ORDER BY name") {
                let name: String = row[0]
                byName[name] = CuratorSummary(name: name, role: CuratorRole(rawValue: row[1]) ?? .curator, decided: 0,
                                              parked: 0, assigned: 0, assignedPending: 0, adjudications: 0,
                                              timeOnItemMilliseconds: 0)
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT curator, scope, state, count(*) FROM review_answer GROUP BY curator, scope, state
                """) {
                let name: String = row[0], scope: String = row[1], n: Int = row[3]
                let state = ReviewState(rawValue: row[2]) ?? .pending
                guard byName[name] != nil else { continue }
                if scope == ReviewScope.adjudication.rawValue {
                    if state.isDecided { byName[name]!.adjudications += n }
                } else if state.isDecided {
                    byName[name]!.decided += n
                } else if state != .pending {
                    byName[name]!.parked += n
                }
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT x.curator, count(*), sum(CASE WHEN a.state IN ('accepted', 'no-ade') THEN 0 ELSE 1 END)
                FROM assignment x LEFT JOIN review_answer a
                  ON a.drug_mention_id = x.drug_mention_id AND a.curator = x.curator AND a.scope = 'answer'
                GROUP BY x.curator
                """) {
                let name: String = row[0]
                byName[name]?.assigned = row[1]
                byName[name]?.assignedPending = row[2]
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT author, sum(elapsed_ms) FROM review_event WHERE action = 'decide' AND elapsed_ms IS NOT NULL
                GROUP BY author
                """) {
                byName[row[0] as String]?.timeOnItemMilliseconds = row[1] ?? 0
            }
            return byName.values.sorted { $0.name < $1.name }
        }
    }

    /// The role of a curator, nil when nobody has that name.
    public func curatorRole(_ name: String) throws -> CuratorRole? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT role FROM curator WHERE name = ?", arguments: [name])
                .flatMap(CuratorRole.init(rawValue:))
        }
    }

    /// Registers a curator; returns false when the name was already there (nothing changes).
    @discardableResult
    public func addCurator(_ name: String, role: CuratorRole = .curator) throws -> Bool {
        try Self.validateCuratorName(name)
        return try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO curator(name, role, created_at) VALUES (?, ?, ?)",
                           arguments: [name, role.rawValue, Date()])
            return db.changesCount > 0
        }
    }

    /// Changes a curator's role.
    public func setRole(_ name: String, _ role: CuratorRole) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE curator SET role = ? WHERE name = ?", arguments: [role.rawValue, name])
            guard db.changesCount > 0 else { throw CorpusError.unknownCurator(name) }
        }
    }

    static func validateCuratorName(_ name: String) throws {
        guard !name.isEmpty, !name.contains(","), name.trimmingCharacters(in: .whitespacesAndNewlines) == name,
              !Resolution.isImport(name) else {
            throw CorpusError.invalidReview(
                "'\(name)' cannot be a curator's name: it must be non-empty, without commas or surrounding spaces, and not start with '\(Resolution.importPrefix)'")
        }
    }

    // MARK: Assignment

    /// True once any item has been assigned: from then on curators see their own queue.
    public func hasAssignments() throws -> Bool {
        try pool.read { db in try Self.hasAssignments(db) }
    }

    static func hasAssignments(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM assignment)") ?? false
    }

    /// Shares out the pending items nobody has been given yet (in reading order, within
    /// `sentences`) to `curators`, with a seeded `overlap` share going to two of them.
    /// Curators must be registered. Nothing is written when anything is wrong.
    @discardableResult
    public func assign(curators: [String], overlap: Double, seed: UInt64,
                       sentences: SentenceSelection = .all) throws -> AssignmentSummary {
        try pool.write { db in
            for name in curators where try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM curator WHERE name = ?)",
                                                           arguments: [name])! {
                throw CorpusError.unknownCurator(name)
            }
            let items = try Self.unassignedPending(sentences, db)
            guard !items.isEmpty else {
                throw CorpusError.invalidReview(
                    "no pending item is left to assign\(sentences == .all ? "" : " in \(sentences)"): every one is assigned or decided (see `vigil assign --show`)")
            }
            var load: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT curator, count(*) FROM assignment GROUP BY curator") {
                load[row[0]] = row[1]
            }
            let plan = try AssignmentPlan(items: items.map(\.drugMentionID), curators: curators, overlap: overlap,
                                          seed: seed, load: load)
            let sentenceOf = Dictionary(uniqueKeysWithValues: items.map { ($0.drugMentionID, $0.sentenceID) })
            let insert = try db.makeStatement(sql: """
                INSERT INTO assignment(drug_mention_id, curator, sentence_id, created_at) VALUES (?, ?, ?, ?)
                """)
            let now = Date()
            for entry in plan.entries {
                for name in entry.curators {
                    try insert.execute(arguments: [entry.item, name, sentenceOf[entry.item]!, now])
                }
            }
            return AssignmentSummary(items: plan.entries.count, shared: plan.entries.filter { $0.curators.count > 1 }.count,
                                     counts: plan.counts)
        }
    }

    /// Items with no assignment that no person has decided, in reading order.
    static func unassignedPending(_ sentences: SentenceSelection, _ db: Database) throws -> [ItemKey] {
        let (filter, arguments) = try sentences.sqlFilter(column: "m.sentence_id", db)
        return try Row.fetchAll(db, sql: """
            SELECT m.sentence_id, m.id FROM drug_mention m JOIN sentence s ON s.id = m.sentence_id
            WHERE NOT EXISTS (SELECT 1 FROM assignment x WHERE x.drug_mention_id = m.id)
              AND NOT EXISTS (SELECT 1 FROM review_answer a WHERE a.drug_mention_id = m.id AND a.scope = 'answer'
                              AND a.state IN ('accepted', 'no-ade') AND a.curator NOT LIKE 'import:%')
            \(filter)
            ORDER BY s.document_id, s.position, s.id, m.start, m."end"
            """, arguments: arguments).map { ItemKey(sentenceID: $0[0], drugMentionID: $0[1]) }
    }

    /// Assigned, decided and shared items per curator.
    public func assignmentCounts() throws -> [AssignmentCount] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT x.curator, count(*),
                       sum(CASE WHEN a.state IN ('accepted', 'no-ade') THEN 1 ELSE 0 END),
                       sum(CASE WHEN (SELECT count(*) FROM assignment y WHERE y.drug_mention_id = x.drug_mention_id) > 1
                           THEN 1 ELSE 0 END)
                FROM assignment x LEFT JOIN review_answer a
                  ON a.drug_mention_id = x.drug_mention_id AND a.curator = x.curator AND a.scope = 'answer'
                GROUP BY x.curator ORDER BY x.curator
                """).map { AssignmentCount(curator: $0[0], assigned: $0[1], decided: $0[2], shared: $0[3]) }
        }
    }

    // MARK: Dynamic assignment

    /// Turns on dynamic assignment: instead of sharing everything out at once, each curator
    /// is handed the next unassigned items when they open their queue (`claim`), with the
    /// same seeded overlap share going to a second curator.
    public func setDynamicAssignment(curators: [String], overlap: Double, seed: UInt64,
                                     sentences: SentenceSelection = .all) throws {
        _ = try AssignmentPlan(items: [], curators: curators, overlap: overlap, seed: seed)
        try pool.write { db in
            for name in curators where try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM curator WHERE name = ?)",
                                                           arguments: [name])! {
                throw CorpusError.unknownCurator(name)
            }
            _ = try sentences.sqlFilter(column: "sentence_id", db)
            try db.execute(sql: """
                INSERT INTO assignment_policy(id, curators, overlap, seed, split, created_at) VALUES (1, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET curators = excluded.curators, overlap = excluded.overlap,
                    seed = excluded.seed, split = excluded.split, created_at = excluded.created_at
                """, arguments: [curators.joined(separator: ","), overlap, Int64(bitPattern: seed),
                                 sentences == .all ? nil : sentences.description, Date()])
        }
    }

    /// The dynamic assignment's settings, nil when it is off.
    public func dynamicAssignment() throws -> (curators: [String], overlap: Double, seed: UInt64, sentences: SentenceSelection)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT curators, overlap, seed, split FROM assignment_policy") else {
                return nil
            }
            let split: String? = row[3]
            return ((row[0] as String).split(separator: ",").map(String.init), row[1],
                    UInt64(bitPattern: row[2]), try split.map { try SentenceSelection(parsing: $0) } ?? .all)
        }
    }

    /// Hands `curator` up to `count` more items under dynamic assignment, so that they hold
    /// `count` undecided ones: the first items in reading order that still need a curator
    /// (one, or two for the seeded overlap share) and are not theirs already. Runs in one
    /// write transaction, so two curators opening their queues at once never take the same
    /// single-curator item. Returns the items claimed; empty when dynamic assignment is off.
    @discardableResult
    public func claim(curator: String, count: Int = 20) throws -> [ItemKey] {
        guard let policy = try dynamicAssignment() else { return [] }
        guard policy.curators.contains(curator) else { throw CorpusError.unknownCurator(curator) }
        return try pool.write { db in
            let open = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM assignment x WHERE x.curator = ? AND NOT EXISTS (
                    SELECT 1 FROM review_answer a WHERE a.drug_mention_id = x.drug_mention_id AND a.curator = x.curator
                    AND a.scope = 'answer' AND a.state IN ('accepted', 'no-ade'))
                """, arguments: [curator]) ?? 0
            var wanted = count - open
            guard wanted > 0 else { return [] }
            let (filter, arguments) = try policy.sentences.sqlFilter(column: "m.sentence_id", db)
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT m.sentence_id, m.id, (SELECT count(*) FROM assignment x WHERE x.drug_mention_id = m.id)
                FROM drug_mention m JOIN sentence s ON s.id = m.sentence_id
                WHERE NOT EXISTS (SELECT 1 FROM assignment x WHERE x.drug_mention_id = m.id AND x.curator = ?)
                  AND NOT EXISTS (SELECT 1 FROM review_answer a WHERE a.drug_mention_id = m.id AND a.scope = 'answer'
                                  AND a.state IN ('accepted', 'no-ade') AND a.curator NOT LIKE 'import:%'
                                  AND (SELECT count(*) FROM assignment x WHERE x.drug_mention_id = m.id) < 2)
                \(filter)
                ORDER BY s.document_id, s.position, s.id, m.start, m."end"
                """, arguments: [curator] + arguments)
            var claimed: [ItemKey] = []
            let now = Date()
            while wanted > 0, let row = try cursor.next() {
                let item = ItemKey(sentenceID: row[0], drugMentionID: row[1])
                let holders: Int = row[2]
                guard holders < Self.dynamicTarget(item.drugMentionID, policy.overlap, policy.seed) else { continue }
                try db.execute(sql: "INSERT INTO assignment(drug_mention_id, curator, sentence_id, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [item.drugMentionID, curator, item.sentenceID, now])
                claimed.append(item)
                wanted -= 1
            }
            return claimed
        }
    }

    /// How many curators an item gets under dynamic assignment: two for a seeded share
    /// `overlap` of the items (decided by the item alone, so the order of claims does not matter).
    static func dynamicTarget(_ item: Int64, _ overlap: Double, _ seed: UInt64) -> Int {
        var random = SplitMix64(seed: seed ^ UInt64(bitPattern: item) &* 0x9E37_79B9_7F4A_7C15)
        return Double(random.next() >> 11) / Double(1 << 53) < overlap ? 2 : 1
    }

    // MARK: Answers, agreement, disputes

    /// The curators' own decided answers on an item (imports left out), oldest change first.
    public func curatorAnswers(_ item: ItemKey) throws -> [CuratorAnswer] {
        try pool.read { db in
            try Self.answers(item, db).filter { $0.scope == .answer && !Resolution.isImport($0.answer.curator) }
                .map(\.answer)
        }
    }

    /// One curator's decided answers, per item (for `vigil export --curator`).
    public func answers(of curator: String) throws -> [ItemKey: CuratorAnswer] {
        try pool.read { db in
            var result: [ItemKey: CuratorAnswer] = [:]
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT a.sentence_id, a.drug_mention_id, a.state, a.spans FROM review_answer a
                WHERE a.curator = ? AND a.scope = 'answer' AND a.state IN ('accepted', 'no-ade')
                """, arguments: [curator])
            while let row = try cursor.next() {
                result[ItemKey(sentenceID: row[0], drugMentionID: row[1])] =
                    CuratorAnswer(curator: curator, state: ReviewState(rawValue: row[2]) ?? .pending, spans: Self.decode(row[3]))
            }
            return result
        }
    }

    /// Every item a person has decided, with all curators' decided answers and what gold
    /// and the latest teacher run say about it: the input of `Agreement`.
    public func agreementItems(sentences: SentenceSelection = .all) throws -> [AgreementItem] {
        try pool.read { db in
            let (filter, arguments) = try sentences.sqlFilter(column: "a.sentence_id", db)
            // Rows come in primary-key order, so each item's answers arrive together; curators
            // come as row ids, named once.
            var curatorNames: [Int64: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT rowid, name FROM curator") { curatorNames[row[0]] = row[1] }
            var grouped: [(mention: Int64, sentence: Int64, answers: [String: CuratorAnswer])] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT a.sentence_id, a.drug_mention_id, c.rowid, a.state = 'accepted', a.spans
                FROM review_answer a JOIN curator c ON c.name = a.curator
                WHERE a.scope = 'answer' AND a.state IN ('accepted', 'no-ade') AND a.curator NOT LIKE 'import:%'
                \(filter)
                ORDER BY a.drug_mention_id
                """, arguments: arguments)
            while let row = try cursor.next() {
                let mention: Int64 = row[1]
                guard let curator = curatorNames[row[2]] else { continue }
                let accepted: Bool = row[3]
                let answer = CuratorAnswer(curator: curator, state: accepted ? .accepted : .noADE,
                                           spans: Self.decode(row[4]))
                if grouped.last?.mention == mention {
                    grouped[grouped.count - 1].answers[curator] = answer
                } else {
                    grouped.append((mention, row[0], [curator: answer]))
                }
            }
            let answered = Set(grouped.map(\.mention))
            // What gold and the latest teacher run say about those items: covered, and spans.
            var references: [LayerKind: (covered: Set<Int64>, spans: [Int64: [Span]])] = [:]
            for kind in [LayerKind.gold, .teacher] {
                guard let layer = try? Self.layer(LayerRef(kind), db) else { continue }
                var covered: Set<Int64> = []
                for mention in try Int64.fetchAll(db, sql: "SELECT drug_mention_id FROM layer_item WHERE layer_id = ?",
                                                  arguments: [layer.id]) where answered.contains(mention) {
                    covered.insert(mention)
                }
                var spans: [Int64: [Span]] = [:]
                let rows = try Row.fetchCursor(db, sql: "SELECT drug_mention_id, start, \"end\" FROM ade WHERE layer_id = ?",
                                               arguments: [layer.id])
                while let row = try rows.next() {
                    let mention: Int64 = row[0]
                    if covered.contains(mention) { spans[mention, default: []].append(Span(row[1], row[2])) }
                }
                references[kind] = (covered, spans)
            }
            var names: [Int64: String] = [:]
            let mentions = try Row.fetchCursor(db, sql: "SELECT id, normalized FROM drug_mention")
            while let row = try mentions.next() {
                let id: Int64 = row[0]
                if answered.contains(id) { names[id] = row[1] }
            }
            func reference(_ kind: LayerKind, _ mention: Int64) -> [Span]? {
                guard let r = references[kind], r.covered.contains(mention) else { return nil }
                return r.spans[mention] ?? []
            }
            return grouped.map { entry in
                AgreementItem(sentenceID: entry.sentence, drugMentionID: entry.mention, drug: names[entry.mention] ?? "",
                              answers: entry.answers, gold: reference(.gold, entry.mention),
                              teacher: reference(.teacher, entry.mention))
            }.sorted { ($0.sentenceID, $0.drugMentionID) < ($1.sentenceID, $1.drugMentionID) }
        }
    }

    /// The disputed items, most disputed first (then in item order); with
    /// `includeAdjudicated`, also those an adjudicator has already ruled on.
    public func disputes(includeAdjudicated: Bool = false) throws -> [Dispute] {
        try pool.read { db in
            var result: [Dispute] = []
            let resolutions = includeAdjudicated ? "('disputed', 'adjudicated')" : "('disputed')"
            for row in try Row.fetchAll(db, sql: """
                SELECT i.sentence_id, i.drug_mention_id, m.normalized, i.resolution FROM review_item i
                JOIN drug_mention m ON m.id = i.drug_mention_id WHERE i.resolution IN \(resolutions)
                """) {
                let item = ItemKey(sentenceID: row[0], drugMentionID: row[1])
                let answers = try Self.answers(item, db).filter { $0.scope == .answer && !Resolution.isImport($0.answer.curator) }
                    .map(\.answer).filter { $0.state.isDecided }
                if row[3] as String == ResolutionKind.adjudicated.rawValue,
                   Resolution.resolve(answers: answers).kind != .disputed { continue }
                result.append(Dispute(item: item, drug: row[2], answers: answers,
                                      disagreement: Resolution.disagreement(answers),
                                      adjudicated: row[3] as String == ResolutionKind.adjudicated.rawValue))
            }
            return result.sorted {
                ($0.disagreement, -$0.item.sentenceID, -$0.item.drugMentionID)
                    > ($1.disagreement, -$1.item.sentenceID, -$1.item.drugMentionID)
            }
        }
    }

    /// Items per resolution kind (`vigil stats`).
    public func resolutionCounts() throws -> [ResolutionKind: Int] {
        try pool.read { db in
            var counts: [ResolutionKind: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT resolution, count(*) FROM review_item GROUP BY resolution") {
                if let kind = ResolutionKind(rawValue: row[0]) { counts[kind] = row[1] }
            }
            return counts
        }
    }
}
