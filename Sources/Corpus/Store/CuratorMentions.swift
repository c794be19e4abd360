import Core
import Foundation
import GRDB

/// Why a curator's drug mention could not be added.
public enum CuratorMentionError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSentence(Int64)
    case invalidSpan(sentenceID: Int64, span: Span, length: Int)
    case alreadyExists(sentenceID: Int64, span: Span, mentionID: Int64)
    case overlapsMention(sentenceID: Int64, span: Span, mentionID: Int64)

    public var description: String {
        switch self {
        case let .unknownSentence(id): "sentence \(id) does not exist"
        case let .invalidSpan(id, span, length): "sentence \(id): span \(span) is empty or outside the text (length \(length))"
        case let .alreadyExists(id, span, mention): "sentence \(id): \(span) is already drug mention \(mention)"
        case let .overlapsMention(id, span, mention): "sentence \(id): \(span) overlaps drug mention \(mention)"
        }
    }
}

extension CorpusStore {
    /// Adds a drug mention the lexicon missed (origin `curator`) in its own transaction and
    /// returns its id. The span must lie in the sentence and overlap no existing mention;
    /// the normalized name defaults to the covered text, lowercased.
    public func addCuratorMention(sentenceID: Int64, span: Span, normalized: String? = nil) throws -> Int64 {
        try pool.write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT text FROM sentence WHERE id = ?",
                                                 arguments: [sentenceID]) else {
                throw CuratorMentionError.unknownSentence(sentenceID)
            }
            let scalars = ScalarText(text)
            guard let covered = scalars.text(at: span) else {
                throw CuratorMentionError.invalidSpan(sentenceID: sentenceID, span: span, length: scalars.count)
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, start, \"end\" FROM drug_mention WHERE sentence_id = ?",
                                        arguments: [sentenceID]) {
                let existing = Span(row[1], row[2])
                if existing == span {
                    throw CuratorMentionError.alreadyExists(sentenceID: sentenceID, span: span, mentionID: row[0])
                }
                if existing.overlaps(span) {
                    throw CuratorMentionError.overlapsMention(sentenceID: sentenceID, span: span, mentionID: row[0])
                }
            }
            let name = normalized ?? covered.lowercased()
            try db.execute(sql: """
                INSERT INTO drug_mention(sentence_id, start, "end", text, normalized, origin, created_at)
                VALUES (?, ?, ?, ?, ?, 'curator', ?)
                """, arguments: [sentenceID, span.start, span.end, covered, name, Date()])
            return db.lastInsertedRowID
        }
    }
}
