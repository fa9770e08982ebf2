import Faults
import Foundation
import Probes

/// What a campaign run asks of a fleet: the containers of every node, and each fault sent to the
/// agent of the node its container runs on. The agent injects through its own ledger and reverts
/// by itself at the fault's deadline, so a coordinator that dies or loses the network leaves
/// nothing behind; the coordinator only asks, always with a deadline.
public protocol NodeFaults: Sendable {
    /// The fleet's node names, in the fleet file's order.
    var nodes: [String] { get }
    /// The containers of every node, asked at once: whole, or an error naming each node that failed.
    func inventory() async throws -> [TargetMatcher.Engine]
    /// Throws, naming the node and the call, when its agent does not answer (asked of every node
    /// the plan touches before the first fault, and while faults are held).
    func reach(_ node: String) async throws
    /// Asks the container's node to inject `fault` (held for `window`; nil: one-shot).
    func inject(_ fault: PlannedFault, window: Duration?) async throws -> NodeFault
    /// Asks the agent to end the fault now (idempotent); never throws.
    func end(_ fault: NodeFault) async -> NodeFaultEnd
    /// What a Swarm manager among the nodes says about services and nodes (nil: none is a manager).
    func swarmView() async throws -> SwarmView?
    /// The engine that answered `swarmView()` as a manager, if any.
    func swarmManager() async -> (any SwarmManaging)?
    /// Measures how far the node's clock is from this one (several exchanges with its agent).
    func clockOffset(of node: String) async throws -> ClockOffset
    /// Runs `probe` on the node's agent for at most `duration`; its samples as the agent took
    /// them (times on the node's clocks). Ends when the agent ends it, throws when the stream
    /// breaks; cancelling the consuming task hangs up, which stops the probe on the node.
    func probe(_ probe: ProbeDefinition, on node: String, for duration: Duration) -> AsyncThrowingStream<ProbeSample, any Error>
}

/// A fault a node's agent holds for a campaign window.
public struct NodeFault: Sendable, Equatable {
    public let node: String
    /// The agent's id of the fault (`/v1/faults/ID`).
    public let id: String
    public let summary: String
    /// How long after the agent received it the agent reverts by itself (nil: one-shot).
    public let deadline: Duration?

    public init(node: String, id: String, summary: String, deadline: Duration?) {
        self.node = node
        self.id = id
        self.summary = summary
        self.deadline = deadline
    }
}

/// How a node's fault ended, as its agent answered (or could not).
public enum NodeFaultEnd: Sendable, Equatable {
    /// Reverted (`restored`, `nothing to revert`…), also when the agent had already done it.
    case reverted(outcome: String, endedBy: String?, packets: PacketCounts? = nil)
    /// The agent tried and failed: its ledger keeps the fault open and its warden retries.
    case failed(String)
    /// The agent could not be asked: it reverts by itself at the fault's deadline.
    case unreachable(String)

    /// The agent's `ended_by` when the coordinator's own request ended the fault.
    public static let askedByCoordinator = "asked by the coordinator"
    /// The agent's `ended_by` when it ended the fault itself as its window ran out (racing the
    /// coordinator's request for the same end, which is expected).
    public static let windowEnded = "window ended"
    /// The agent's `ended_by` for a one-shot fault (nothing held).
    public static let oneShot = "one-shot"

    /// Whether `endedBy` is an expected end (the coordinator's request, the window, a one-shot), not
    /// one worth a note on the window (the agent stopping, another coordinator).
    public static func isExpected(_ endedBy: String?) -> Bool {
        guard let endedBy else { return true }
        return [askedByCoordinator, windowEnded, oneShot].contains(endedBy)
    }
}
