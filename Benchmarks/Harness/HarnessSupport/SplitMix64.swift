// The one seeded random generator. The library's tests compile this file too, through the
// symlink Tests/TestSupport/SplitMix64.swift.

/// SplitMix64 (Steele, Lea and Flood, 2014): seeded, so that sweeps, tests and benchmark runs are
/// reproducible from their seed; a handful of instructions per value, so that the benchmark's
/// writers can draw record sizes in their hot loop.
///
/// Not for anything that needs unpredictability. As a `RandomNumberGenerator` it also drives the
/// standard library's `Int.random(in:using:)`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The whole state: two generators with the same state return the same sequence.
    public var state: UInt64

    @inlinable
    public init(seed: UInt64) { state = seed }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (with the negligible modulo bias of a 64-bit draw).
    @inlinable
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    /// Uniform in `range`, as ``below(_:)``.
    @inlinable
    public mutating func inRange(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }
    /// True with a chance of `chance` percent.
    @inlinable
    public mutating func percent(_ chance: Int) -> Bool { below(100) < chance }
}
