/// SplitMix64: a small, fast, reproducible generator. The same seed gives the same plan on every
/// machine and Swift version (the standard library's generator is neither seedable nor stable).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform duration in `range` (millisecond resolution).
    public mutating func duration(in range: ClosedRange<Duration>) -> Duration {
        let low = range.lowerBound.nanoseconds / 1_000_000, high = range.upperBound.nanoseconds / 1_000_000
        guard high > low else { return range.lowerBound }
        return .milliseconds(Int64.random(in: low...high, using: &self))
    }
}
