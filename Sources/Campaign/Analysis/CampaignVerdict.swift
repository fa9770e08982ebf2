/// The outcome of one hypothesis check (for one fault window, or for the steady state).
public struct CheckResult: Sendable, Equatable, Codable {
    /// `steady state`, `db recover_within 10s`.
    public let name: String
    /// `#2 pause on redis` for window checks.
    public let window: String?
    public let passed: Bool
    /// The figures behind the verdict, one line.
    public let detail: String

    public init(name: String, window: String?, passed: Bool, detail: String) {
        self.name = name
        self.window = window
        self.passed = passed
        self.detail = detail
    }
}

/// How a run ended.
public struct CampaignVerdict: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Every check held.
        case held
        /// A check failed (or the steady state did not hold: then nothing was injected).
        case violated
        /// Stopped by a stop condition, a signal or an infrastructure error; everything was reverted.
        case aborted
    }

    public let status: Status
    public let reason: String
    public let checks: [CheckResult]

    public init(status: Status, reason: String, checks: [CheckResult]) {
        self.status = status
        self.reason = reason
        self.checks = checks
    }
}
