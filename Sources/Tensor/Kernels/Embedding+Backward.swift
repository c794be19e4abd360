extension Embedding {
    /// Gradient of a lookup: `dTable[ids[i]] += dOut[i]` for every position (rows repeat when ids do).
    public static func backward(dOut: UnsafePointer<Float>, dim: Int, ids: UnsafePointer<Int32>, count: Int,
                                dTable: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let destination = dTable + Int(ids[i]) * dim, source = dOut + i * dim
            for j in 0..<dim { destination[j] += source[j] }
        }
    }
}
