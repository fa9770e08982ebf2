import Foundation

/// One run of one probe: when it started, how long it took, and how it ended.
public struct ProbeSample: Codable, Sendable, Equatable {
    public let probe: String
    /// 1, 2, 3… per probe.
    public let sequence: Int
    /// Wall-clock start.
    public let startedAt: Date
    /// Monotonic start, as an offset from the runner's start (immune to clock steps).
    public let offset: Duration
    public let latency: Duration
    public let outcome: ProbeOutcome
    public let reason: String
    public let attempts: Int

    public init(probe: String, sequence: Int, startedAt: Date, offset: Duration, latency: Duration,
                outcome: ProbeOutcome, reason: String, attempts: Int) {
        self.probe = probe
        self.sequence = sequence
        self.startedAt = startedAt
        self.offset = offset
        self.latency = latency
        self.outcome = outcome
        self.reason = reason
        self.attempts = attempts
    }
}

extension ProbeSample {
    /// When the check ended, on the run's timeline.
    public var endOffset: Duration { offset + latency }

    /// Whether the check was in flight at some moment of [start, end) (or started exactly at `start`
    /// when the interval is empty): it saw whatever happened then.
    public func overlaps(from start: Duration, to end: Duration) -> Bool {
        (offset < end && endOffset > start) || offset == start
    }
}
