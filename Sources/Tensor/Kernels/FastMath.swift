/// Vectorised `exp` and `erf` for the element-wise kernels (16 lanes at a time).
///
/// Glibc's scalar `erff`/`expf` cost several nanoseconds each, which would rival the matrix
/// products in GELU and softmax; these are accurate to a few units in 1e-7.
public enum FastMath {
    public typealias Vector = SIMD16<Float>

    /// e^x for each lane: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 Taylor polynomial,
    /// 2^n by building the float's exponent bits. Lanes below -87 flush towards 0.
    @inlinable
    public static func exp(_ x: Vector) -> Vector {
        // Compare-and-blend clamps (`clamped(lowerBound:upperBound:)` runs lane by lane).
        let low = Vector(repeating: -87.0), high = Vector(repeating: 88.0)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits,
        // which avoids the slow generic SIMD rounding and float-to-int conversions.
        let shifted = clamped * 1.442_695_04 + 12_582_912.0
        let n = shifted - 12_582_912.0
        let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
        var p = Vector(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Vector.self)
    }

    /// erf(x) for each lane, by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
    @inlinable
    public static func erf(_ x: Vector) -> Vector {
        let a = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.327_591_1 * a)
        var poly = Vector(repeating: 1.061_405_429)
        poly = poly * t - 1.453_152_027
        poly = poly * t + 1.421_413_741
        poly = poly * t - 0.284_496_736
        poly = poly * t + 0.254_829_592
        poly = poly * t
        let y = 1 - poly * exp(-a * a)
        return y.replacing(with: -y, where: x .< 0)
    }

    /// Scalar e^x with the same algorithm (for tails shorter than a vector).
    @inlinable
    public static func exp(_ x: Float) -> Float { exp(Vector(repeating: x))[0] }

    /// Scalar erf(x) with the same algorithm.
    @inlinable
    public static func erf(_ x: Float) -> Float { erf(Vector(repeating: x))[0] }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inlinable func loadVector(_ i: Int) -> FastMath.Vector {
        UnsafeRawPointer(self + i).loadUnaligned(as: FastMath.Vector.self)
    }
    @inlinable func storeVector(_ v: FastMath.Vector, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: FastMath.Vector.self)
    }
}

extension UnsafePointer where Pointee == Float {
    @inlinable func loadVector(_ i: Int) -> FastMath.Vector {
        UnsafeRawPointer(self + i).loadUnaligned(as: FastMath.Vector.self)
    }
}
