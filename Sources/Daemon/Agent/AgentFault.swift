import Faults
import FaultlineSupport
import Foundation

/// A fault as an agent answers about it (`/v1/faults`): what it is, on which container, and how
/// it stands. Times are the agent's own clock; `window_ms` and `deadline_ms` are durations, so a
/// coordinator needs no agreement between clocks to know when the fault ends.
public struct AgentFault: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Injected; held until its window ends.
        case active
        /// Its revert is under way.
        case reverting
        /// Reverted (or a one-shot fault done).
        case reverted
        /// The revert failed: the ledger keeps it open, the warden and `faultline recover` retry.
        case revertFailed = "revert-failed"
    }

    public let id: String
    public let kind: FaultKind
    public let summary: String
    public let container: String
    public let containerID: String
    public var state: State
    public let injectedAt: Date
    public let injectMS: Double
    public let windowMS: Double?
    public let deadlineMS: Double?
    public var revertedAt: Date?
    public var revertMS: Double?
    /// What ended it: `window ended`, `asked by the coordinator`, `the agent is stopping`, `one-shot`.
    public var endedBy: String?
    public var outcome: String?
    /// What the packet engine did in the window (packet faults).
    public var packets: PacketCounts?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case id, kind, summary, container, containerID = "container_id", state, injectedAt = "injected_at", injectMS = "inject_ms"
        case windowMS = "window_ms", deadlineMS = "deadline_ms", revertedAt = "reverted_at", revertMS = "revert_ms"
        case endedBy = "ended_by", outcome, packets, error
    }

    init(active: ActiveFault, containerName: String, window: Duration?, deadline: Duration?) {
        id = active.id
        kind = active.kind
        summary = active.summary
        container = containerName
        containerID = active.target.id
        state = .active
        injectedAt = active.injectedAt
        injectMS = active.injectDuration.milliseconds
        windowMS = window?.milliseconds
        deadlineMS = deadline?.milliseconds
    }

    mutating func finish(with report: RevertReport, reason: String) {
        revertedAt = report.revertedAt
        revertMS = report.duration.milliseconds
        endedBy = reason
        switch report.result {
        case .success(let outcome):
            state = .reverted
            self.outcome = outcome.description
            packets = outcome.packetCounts
        case .failure(let failure):
            state = .revertFailed
            error = failure.message
        }
    }
}
