import Core
import Foundation
import GRDB

extension CorpusStore {
    /// Writes a parsed import into the corpus in one transaction.
    ///
    /// Documents, sentences and drug mentions are shared by all layers and keyed by
    /// content (document key; document + text; sentence + span), so re-importing adds
    /// nothing. ADE spans go to the layer `ref` names: `gold`, a new teacher run
    /// (`teacher`) or model version (`student`), an existing one (`teacher:3`), or
    /// `curated`, where each drug becomes a curator decision by `author`.
    public func ingest(_ batch: ImportBatch, into ref: LayerRef, author: String? = nil) throws -> ImportSummary {
        try pool.write { db in try Self.ingest(batch, into: ref, author: author, db) }
    }

    static func ingest(_ batch: ImportBatch, into ref: LayerRef, author: String?, _ db: Database) throws -> ImportSummary {
        let requested = ref.description
        if let previous = try String.fetchOne(db, sql: """
            SELECT counts FROM import_log WHERE sha256 = ? AND format = ? AND layer = ? ORDER BY id DESC LIMIT 1
            """, arguments: [batch.sha256, batch.format, requested]) {
            // Report the layer the first import wrote (`teacher:3`, not `teacher`).
            let layer = (try? JSONText.decode(ImportSummary.self, previous))?.layer ?? requested
            return ImportSummary.unchanged(layer: layer)
        }

        var summary = ImportSummary()
        let author = author ?? "import:\((batch.path as NSString).lastPathComponent)"
        let layer = try targetLayer(ref, batch: batch, db)
        summary.layer = batch.isLabeled ? layer.description : "no layer (unlabeled text)"
        var writer = try Writer(db: db)
        writer.documentMeta = batch.documentMeta
        for sentence in batch.sentences {
            let documentID = try writer.document(for: sentence, summary: &summary)
            let (sentenceID, isNew) = try writer.sentence(sentence, in: documentID)
            if isNew { summary.sentences += 1 } else { summary.sentencesAlreadyPresent += 1 }
            for drug in sentence.drugs {
                let (mentionID, mentionIsNew) = try writer.mention(drug, in: sentenceID)
                if mentionIsNew { summary.drugMentions += 1 }
                if layer.kind == .curated {
                    let state: ReviewState = drug.ades.isEmpty ? .noADE : .accepted
                    _ = try decide(ItemKey(sentenceID: sentenceID, drugMentionID: mentionID),
                                   state: state, spans: drug.ades.map(\.span), author: author,
                                   note: nil, elapsedMilliseconds: nil, db)
                    summary.ades += drug.ades.count
                    continue
                }
                if batch.isLabeled { try writer.cover(mentionID, layer: layer.id) }
                for ade in drug.ades where try writer.ade(ade, layer: layer.id, sentence: sentenceID,
                                                          mention: mentionID, author: author) {
                    summary.ades += 1
                }
            }
        }
        try db.execute(sql: """
            INSERT INTO import_log(format, path, sha256, layer, created_at, counts) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [batch.format, batch.path, batch.sha256, requested, Date(), try JSONText.encode(summary)])
        return summary
    }

    private static func targetLayer(_ ref: LayerRef, batch: ImportBatch, _ db: Database) throws -> LayerInfo {
        switch (ref.kind, ref.version) {
        case (.teacher, nil):
            return try createTeacherRun(TeacherRunInfo(
                model: "import", endpoint: nil,
                params: ["source": batch.path, "format": batch.format, "sha256": batch.sha256],
                note: "imported from \(batch.path)"), db)
        case (.student, nil):
            return try createModelVersion(ModelVersionInfo(
                path: nil, source: "import",
                params: ["source": batch.path, "format": batch.format, "sha256": batch.sha256],
                note: "predictions imported from \(batch.path)"), db)
        default:
            return try layer(ref, db)
        }
    }

    /// Cached statements and per-import caches for the hot insert path.
    private struct Writer {
        let db: Database
        let now = Date()
        var documents: [String: Int64] = [:]
        var documentMeta: [String: String] = [:]
        var nextPosition: [Int64: Int] = [:]
        let insertDocument: Statement
        let insertSentence: Statement
        let insertMention: Statement
        let insertADE: Statement
        let insertItem: Statement

        init(db: Database) throws {
            self.db = db
            insertDocument = try db.cachedStatement(sql: """
                INSERT INTO document(key, pmid, file, position, created_at, meta) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO NOTHING
                """)
            insertSentence = try db.cachedStatement(sql: """
                INSERT INTO sentence(document_id, position, doc_offset, text) VALUES (?, ?, ?, ?)
                ON CONFLICT(document_id, text) DO NOTHING
                """)
            insertMention = try db.cachedStatement(sql: """
                INSERT INTO drug_mention(sentence_id, start, "end", text, normalized, origin, created_at, concept)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sentence_id, start, "end") DO NOTHING
                """)
            insertADE = try db.cachedStatement(sql: """
                INSERT INTO ade(layer_id, sentence_id, drug_mention_id, start, "end", text, author, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(layer_id, drug_mention_id, start, "end") DO NOTHING
                """)
            insertItem = try db.cachedStatement(sql: """
                INSERT INTO layer_item(layer_id, drug_mention_id) VALUES (?, ?) ON CONFLICT DO NOTHING
                """)
        }

        /// Records that the layer has answered this item (with or without ADEs).
        func cover(_ mention: Int64, layer: Int64) throws {
            try insertItem.execute(arguments: [layer, mention])
        }

        mutating func document(for s: ImportBatch.Sentence, summary: inout ImportSummary) throws -> Int64 {
            if let id = documents[s.documentKey] { return id }
            let meta = documentMeta[s.documentKey]
            try insertDocument.execute(arguments: [s.documentKey, s.pmid, s.file, s.documentPosition, now, meta])
            let id: Int64
            if db.changesCount > 0 {
                id = db.lastInsertedRowID
                summary.documents += 1
            } else {
                id = try Int64.fetchOne(db, sql: "SELECT id FROM document WHERE key = ?", arguments: [s.documentKey])!
                if let meta {
                    try db.execute(sql: "UPDATE document SET meta = ? WHERE id = ? AND meta IS NULL", arguments: [meta, id])
                }
            }
            documents[s.documentKey] = id
            return id
        }

        mutating func sentence(_ s: ImportBatch.Sentence, in document: Int64) throws -> (Int64, Bool) {
            let position: Int
            if let next = nextPosition[document] {
                position = next
            } else {
                position = try Int.fetchOne(db, sql: "SELECT coalesce(max(position) + 1, 0) FROM sentence WHERE document_id = ?",
                                            arguments: [document])!
            }
            try insertSentence.execute(arguments: [document, position, s.docOffset, s.text])
            if db.changesCount > 0 {
                nextPosition[document] = position + 1
                return (db.lastInsertedRowID, true)
            }
            nextPosition[document] = position
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM sentence WHERE document_id = ? AND text = ?",
                                        arguments: [document, s.text])!
            return (id, false)
        }

        func mention(_ d: ImportBatch.Drug, in sentence: Int64) throws -> (Int64, Bool) {
            try insertMention.execute(arguments: [sentence, d.span.start, d.span.end, d.text, d.normalized, d.origin, now, d.concept])
            if db.changesCount > 0 { return (db.lastInsertedRowID, true) }
            let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM drug_mention WHERE sentence_id = ? AND start = ? AND "end" = ?
                """, arguments: [sentence, d.span.start, d.span.end])!
            // A mention found before without an identifier takes the one this source gives.
            if let concept = d.concept {
                try db.execute(sql: "UPDATE drug_mention SET concept = ? WHERE id = ? AND concept IS NULL",
                               arguments: [concept, id])
            }
            return (id, false)
        }

        /// Inserts one ADE span; false when the layer already had it.
        func ade(_ a: ImportBatch.ADE, layer: Int64, sentence: Int64, mention: Int64, author: String) throws -> Bool {
            try insertADE.execute(arguments: [layer, sentence, mention, a.span.start, a.span.end, a.text, author, now])
            return db.changesCount > 0
        }
    }
}

extension ImportSummary {
    static func unchanged(layer: String) -> ImportSummary {
        var s = ImportSummary()
        s.layer = layer
        s.alreadyImported = true
        return s
    }
}
