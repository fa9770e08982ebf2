/// A fault that exists only inside the faultline process that injected it (the toxics of a
/// campaign's proxy): that process reverts it itself, and when the process dies the fault dies
/// with it, so a later `recover` has nothing to undo and only closes the ledger entry.
public struct InProcessStep: Sendable, Equatable, Codable {
    /// What the fault was: `toxics latency on proxy backend-link`.
    public let what: String
    /// The process that held it.
    public let pid: Int32

    public init(what: String, pid: Int32) {
        self.what = what
        self.pid = pid
    }
}
