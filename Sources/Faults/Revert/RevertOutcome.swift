/// What a revert found and did.
public enum RevertOutcome: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The fault was undone.
    case restored
    /// The fault was undone, and what it caused meanwhile was seen (the OOM killer acting).
    case restoredNoting(String)
    /// The fault was undone, and the packet engine said what it did in the window.
    case restoredCounting(PacketCounts)
    /// Nothing was left to undo (already reverted, or the container restarted and lost the fault).
    case alreadyClear(String)
    /// The container no longer exists.
    case targetGone
    /// The fault is one-shot (restart, kill without a window).
    case nothingToRevert
    /// A Swarm task's container stopped: Swarm starts a replacement task; the old container is
    /// left stopped (started again it would run beside the replacement, outside the service).
    case replacedBySwarm(service: String)

    /// Whether the fault was undone now (with or without a note).
    public var isRestored: Bool {
        switch self {
        case .restored, .restoredNoting, .restoredCounting: return true
        default: return false
        }
    }

    /// Whether it says more than `restored`: what a helper saw or counted.
    var carriesNote: Bool {
        switch self {
        case .restoredNoting, .restoredCounting: return true
        default: return false
        }
    }

    /// What the packet engine did in the window, when this revert stopped one.
    public var packetCounts: PacketCounts? {
        if case .restoredCounting(let counts) = self { return counts }
        return nil
    }

    public var description: String {
        switch self {
        case .restored: return "restored"
        case .restoredNoting(let note): return "restored; \(note)"
        case .restoredCounting(let counts): return "restored; \(counts)"
        case .alreadyClear(let why): return "already clear (\(why))"
        case .targetGone: return "target gone"
        case .nothingToRevert: return "nothing to revert"
        case .replacedBySwarm(let service): return "left to Swarm (service \(service) replaces the task)"
        }
    }
}
