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

    public var description: String {
        switch self {
        case .restored: return "restored"
        case .alreadyClear(let why): return "already clear (\(why))"
        case .targetGone: return "target gone"
        case .nothingToRevert: return "nothing to revert"
        }
    }
}
