/// What a revert found and did.
public enum RevertOutcome: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The fault was undone.
    case restored
    /// Nothing was left to undo (already reverted, or the container restarted and lost the fault).
    case alreadyClear(String)
    /// The container no longer exists.
    case targetGone
    /// The fault is one-shot (restart, kill without a window).
    case nothingToRevert
    /// A Swarm task's container stopped: Swarm starts a replacement task; the old container is
    /// left stopped (started again it would run beside the replacement, outside the service).
    case replacedBySwarm(service: String)

    public var description: String {
        switch self {
        case .restored: return "restored"
        case .alreadyClear(let why): return "already clear (\(why))"
        case .targetGone: return "target gone"
        case .nothingToRevert: return "nothing to revert"
        case .replacedBySwarm(let service): return "left to Swarm (service \(service) replaces the task)"
        }
    }
}
