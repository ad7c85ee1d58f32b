// The one seeded random generator of the tests.

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast and seedable, so that a failing run's
/// choices can be replayed from its seed.
///
/// Not for anything that needs unpredictability: it picks operations, sizes and interleaving
/// choices. As a `RandomNumberGenerator` it also drives the standard library's
/// `Int.random(in:using:)`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The whole state: two generators with the same state return the same sequence.
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (with the negligible modulo bias of a 64-bit draw).
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    /// Uniform in range, as ``below(_:)``.
    public mutating func inRange(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }
    /// True with a chance of `chance` percent.
    public mutating func percent(_ chance: Int) -> Bool { below(100) < chance }
}
