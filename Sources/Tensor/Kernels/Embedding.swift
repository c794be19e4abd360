/// Embedding lookup: row `ids[i]` of a (vocabulary, dim) table for every position.
public enum Embedding {
    /// `out (n, dim) = table[ids]`, or `+=` when `accumulate`. Ids must lie in the table
    /// (the caller validates them: a tokenizer's ids always do).
    public static func forward(table: UnsafePointer<Float>, dim: Int, ids: UnsafePointer<Int32>, count: Int,
                               accumulate: Bool = false, into out: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let source = table + Int(ids[i]) * dim, destination = out + i * dim
            if accumulate {
                for j in 0..<dim { destination[j] += source[j] }
            } else {
                destination.update(from: source, count: dim)
            }
        }
    }

    /// The rows of `table` (vocabulary, dim) for `ids`, as an (ids.count, dim) tensor.
    public static func forward(table: Tensor, ids: [Int32]) -> Tensor {
        let dim = table.shape[1]
        precondition(ids.allSatisfy { $0 >= 0 && Int($0) < table.shape[0] }, "Embedding: id outside the table")
        var out = Tensor(zeros: [ids.count, dim])
        table.data.withUnsafeBufferPointer { t in
            ids.withUnsafeBufferPointer { i in
                out.data.withUnsafeMutableBufferPointer { o in
                    forward(table: t.baseAddress!, dim: dim, ids: i.baseAddress!, count: ids.count, into: o.baseAddress!)
                }
            }
        }
        return out
    }
}
