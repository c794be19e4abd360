/// Row-wise softmax where only the first `valid` columns of each row take part (the
/// attention mask for right-padded keys); the masked columns become exactly 0.
public enum Softmax {
    /// In place over `rows` rows of stride `stride`, each with `valid` live columns of `cols`.
    public static func forward(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int, valid: Int) {
        let width = FastMath.Vector.scalarCount
        for r in 0..<rows {
            let row = x + r * stride
            var j = 0
            var maxima = FastMath.Vector(repeating: -.infinity)
            while j + width <= valid {
                let v = row.loadVector(j)
                maxima = maxima.replacing(with: v, where: v .> maxima)
                j += width
            }
            var maximum = maxima.max()
            while j < valid { maximum = max(maximum, row[j]); j += 1 }
            var sums = FastMath.Vector.zero
            j = 0
            while j + width <= valid {
                let e = FastMath.exp(row.loadVector(j) - maximum)
                row.storeVector(e, j)
                sums += e
                j += width
            }
            var sum = sums.sum()
            while j < valid { row[j] = FastMath.exp(row[j] - maximum); sum += row[j]; j += 1 }
            let inv = 1 / sum
            j = 0
            while j + width <= valid { row.storeVector(row.loadVector(j) * inv, j); j += width }
            while j < valid { row[j] *= inv; j += 1 }
            for k in valid..<cols { row[k] = 0 }
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
