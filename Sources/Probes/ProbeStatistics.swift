import Histogram

/// Running figures for one probe, in bounded memory however long it runs: counts by outcome,
/// a latency histogram (HDR, microseconds, 3 significant digits), and failure streaks.
public struct ProbeStatistics: Sendable {
    public private(set) var count = 0
    public private(set) var byOutcome: [ProbeOutcome: Int] = [:]
    private var latencies = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    /// Longest run of consecutive non-ok samples, and how long it lasted (first failure start → first ok start).
    public private(set) var longestFailureStreak = 0
    public private(set) var longestFailureDuration: Duration = .zero
    private var currentStreak = 0
    private var streakStart: Duration?
    private var lastFailureEnd: Duration = .zero

    public init() {}

    public mutating func record(_ sample: ProbeSample) {
        count += 1
        byOutcome[sample.outcome, default: 0] += 1
        _ = latencies.record(UInt64(max(1, sample.latency.nanoseconds / 1_000)))
        if sample.outcome.isOK {
            if let start = streakStart { closeStreak(duration: sample.offset - start) }
        } else {
            if streakStart == nil { streakStart = sample.offset }
            currentStreak += 1
            lastFailureEnd = sample.offset + sample.latency
            if currentStreak > longestFailureStreak { longestFailureStreak = currentStreak }
        }
    }

    /// Closes a streak still open at the end (lasting until its last failure ended).
    public mutating func finish() {
        if let start = streakStart { closeStreak(duration: lastFailureEnd - start) }
    }

    private mutating func closeStreak(duration: Duration) {
        longestFailureDuration = max(longestFailureDuration, duration)
        currentStreak = 0
        streakStart = nil
    }

    public var failures: Int { count - (byOutcome[.ok] ?? 0) }
    public var errorRate: Double { count == 0 ? 0 : Double(failures) / Double(count) }

    /// Latency at a percentile (0–100).
    public func latency(percentile: Double) -> Duration {
        count == 0 ? .zero : .microseconds(Int64(latencies.valueAtPercentile(percentile)))
    }

    public var maxLatency: Duration { count == 0 ? .zero : .microseconds(Int64(latencies.max)) }
}
