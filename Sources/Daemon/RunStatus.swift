import Campaign
import FaultlineSupport

/// Where a daemon run stands.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// Accepted; waits for a conflicting run to end.
    case queued
    case running
    /// Ended with a verdict.
    case held, violated, aborted
    /// The daemon stopped (crash, kill) while it ran; start-up reverted what it left.
    case interrupted
    /// Could not be carried out (a target vanished, a proxy port was taken…).
    case failed

    public var isFinished: Bool { self != .queued && self != .running }

    init(_ verdict: CampaignVerdict.Status) {
        switch verdict {
        case .held: self = .held
        case .violated: self = .violated
        case .aborted: self = .aborted
        }
    }

    /// The exit code `faultline run` gives for the same outcome (for `submit --wait`).
    public var exitCode: FaultlineExitCode {
        switch self {
        case .held, .queued, .running: return .ok
        case .violated: return .failed
        case .aborted, .interrupted, .failed: return .infrastructure
        }
    }
}
