/// Row-wise softmax where only the first `valid` columns of each row take part (the
/// attention mask for right-padded keys); the masked columns become exactly 0.
public enum Softmax {
    /// In place over `rows` rows of stride `stride`, each with `valid` live columns of `cols`.
    public static func forward(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int, valid: Int) {
        let width = FastMath.Vector.scalarCount
        for r in 0..<rows {
            let row = x + r * stride
            var maximum = -Float.infinity
            for j in 0..<valid { maximum = max(maximum, row[j]) }
            var sum: Float = 0
            var j = 0
            while j + width <= valid {
                let e = FastMath.exp(row.loadVector(j) - maximum)
                row.storeVector(e, j)
                sum += e.sum()
                j += width
            }
            while j < valid { row[j] = FastMath.exp(row[j] - maximum); sum += row[j]; j += 1 }
            let inv = 1 / sum
            for j in 0..<valid { row[j] *= inv }
            for j in valid..<cols { row[j] = 0 }
        }
    }

    /// Softmax of each row of a (rows, cols) tensor, with the first `valid` columns live.
    public static func forward(_ t: Tensor, valid: Int? = nil) -> Tensor {
        let cols = t.shape.last ?? 0
        var out = t
        out.data.withUnsafeMutableBufferPointer {
            forward($0.baseAddress!, rows: t.count / max(cols, 1), cols: cols, stride: cols, valid: valid ?? cols)
        }
        return out
    }
}
