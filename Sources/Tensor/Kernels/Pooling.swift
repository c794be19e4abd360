/// Mean pooling over a set of rows, the drug vector of the tagger's heads.
public enum MeanPool {
    /// `out (cols) = mean of rows[members]` of `x (rows, cols)`.
    public static func forward(_ x: UnsafePointer<Float>, cols: Int, members: [Int], into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: cols)
        guard !members.isEmpty else { return }
        for m in members {
            let row = x + m * cols
            for j in 0..<cols { out[j] += row[j] }
        }
        let inv = 1 / Float(members.count)
        for j in 0..<cols { out[j] *= inv }
    }

    /// `dx[rows[members]] += dOut / members.count`.
    public static func backward(dOut: UnsafePointer<Float>, cols: Int, members: [Int], dInput: UnsafeMutablePointer<Float>) {
        guard !members.isEmpty else { return }
        let inv = 1 / Float(members.count)
        for m in members {
            let row = dInput + m * cols
            for j in 0..<cols { row[j] += dOut[j] * inv }
        }
    }
}
