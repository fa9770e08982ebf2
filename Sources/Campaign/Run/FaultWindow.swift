import Faults

/// One fault as it really happened, on the run's monotonic timeline (offsets from the probes' origin).
public struct FaultWindow: Sendable, Equatable, Codable {
    public let index: Int
    public let kind: FaultKind
    public let summary: String
    /// The target selector's name and the container's.
    public let selector: String
    public let container: String
    /// The fleet node the container runs on (nil without a fleet).
    public var node: String?
    /// When the inject call started and returned.
    public var injectAt: Duration
    public var injectedAt: Duration?
    /// When the revert started (the window's end) and returned.
    public var revertAt: Duration?
    public var revertedAt: Duration?
    public var outcome: String?
    /// What the packet engine did in the window (packet faults, latency on the engine).
    public var packets: PacketCounts?
    public var error: String?
    /// What happened inside the window: `restarted at 7.20s; fault applied again`.
    public var notes: [String]?
    /// How Swarm replaced the task the fault ended (kill, stop of a Swarm task).
    public var reschedule: Reschedule?

    public init(index: Int, kind: FaultKind, summary: String, selector: String, container: String, node: String? = nil, injectAt: Duration) {
        self.node = node
        self.index = index
        self.kind = kind
        self.summary = summary
        self.selector = selector
        self.container = container
        self.injectAt = injectAt
    }

    /// `#2 pause on redis`, `#2 pause on redis (node edge-2)`.
    public var title: String { "#\(index) \(summary) on \(container)" + (node.map { " (node \($0))" } ?? "") }
    public var injectedSuccessfully: Bool { injectedAt != nil && error == nil }
}
