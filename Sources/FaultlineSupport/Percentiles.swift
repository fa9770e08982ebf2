/// Order statistics over a set of samples (nearest-rank).
public struct Percentiles: Sendable {
    public let sorted: [Double]

    public init(_ samples: [Double]) { sorted = samples.sorted() }

    /// The p-th percentile, p in 0...100; nil when there are no samples.
    public func value(_ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    public var median: Double? { value(50) }
    public var count: Int { sorted.count }
}
