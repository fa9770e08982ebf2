/// How one probe run ended.
public enum ProbeOutcome: String, Codable, Sendable, CaseIterable {
    /// The check passed.
    case ok
    /// The target answered, but not as expected (status, reply, value, an `error` event).
    case failed
    /// No answer within the probe's time-out.
    case timeout
    /// The exchange broke: connection refused or reset, protocol error.
    case error

    public var isOK: Bool { self == .ok }
}

/// The result of one check, before the runner adds timing.
public struct ProbeCheck: Sendable, Equatable {
    public let outcome: ProbeOutcome
    /// One line: what was seen (`HTTP 503 (expected 200)`, `connection refused`, `PONG`).
    public let reason: String
    /// Connection attempts made (reconnects count), for retrying probes.
    public let attempts: Int
    /// When the check's own calls ran, timed on the thread that made them: its latency is the
    /// service's, not the wait for a thread before or after. Nil when the probe does not time
    /// itself (the runner times the whole `check` then). Not part of equality.
    public var ran: Range<ContinuousClock.Instant>?

    public init(_ outcome: ProbeOutcome, _ reason: String, attempts: Int = 1) {
        self.outcome = outcome
        self.reason = reason
        self.attempts = attempts
    }

    public static func ok(_ reason: String, attempts: Int = 1) -> ProbeCheck { ProbeCheck(.ok, reason, attempts: attempts) }

    public static func == (lhs: ProbeCheck, rhs: ProbeCheck) -> Bool {
        lhs.outcome == rhs.outcome && lhs.reason == rhs.reason && lhs.attempts == rhs.attempts
    }

    /// The same check, timed from `start` to now.
    func timed(from start: ContinuousClock.Instant) -> ProbeCheck {
        var check = self
        check.ran = start..<ContinuousClock.now
        return check
    }
}
