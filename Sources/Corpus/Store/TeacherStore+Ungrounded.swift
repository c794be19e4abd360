import GRDB

extension CorpusStore {
    /// The sentences on which a teacher run left at least one ungrounded proposal.
    public func sentencesWithUngrounded(teacherRun: Int64) throws -> Set<Int64> {
        try pool.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT DISTINCT sentence_id FROM teacher_ungrounded WHERE teacher_run_id = ?",
                                   arguments: [teacherRun]))
        }
    }
}
