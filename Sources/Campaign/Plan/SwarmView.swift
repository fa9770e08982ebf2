import DockerEngine
import Faults

/// Asks a Swarm manager about services and nodes (the engine client; fakes in tests).
public protocol SwarmManaging: Sendable {
    func swarmServices() async throws(DockerEngineError) -> [SwarmService]
    func swarmNodes() async throws(DockerEngineError) -> [SwarmNode]
    /// Every task (nil) or one service's (by id): what a reschedule is measured on.
    func swarmTasks(service: String?) async throws(DockerEngineError) -> [SwarmTask]
    /// The Swarm node the engine itself is (nil: in no Swarm).
    func swarmNodeID() async throws(DockerEngineError) -> String?
}

extension DockerEngineClient: SwarmManaging {}

/// What a Swarm manager says at plan time: every service (its labels, running and desired task
/// counts) and every node (its labels). Target matching uses it to keep protected services' and
/// nodes' tasks out and to refuse a service that is already degraded.
public struct SwarmView: Sendable, Equatable {
    public let services: [String: SwarmService]
    public let nodes: [String: SwarmNode]
    /// The fleet node whose engine answered as the manager (nil: the run's one engine): a drain
    /// is sent to that node's agent.
    public var managerNode: String?
    /// Swarm node id → the fleet node whose engine it is: an isolate goes to that node's agent.
    public var fleetNodes: [String: String] = [:]
    /// The Swarm node the run's one engine is (no fleet): where a local isolate can act.
    public var localNodeID: String?

    public init(services: [SwarmService], nodes: [SwarmNode], managerNode: String? = nil) {
        self.managerNode = managerNode
        self.services = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.nodes = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The manager's view, or nil when the engine is not a manager (a worker, no swarm).
    public static func ask(_ manager: any SwarmManaging) async throws(DockerEngineError) -> SwarmView? {
        do {
            return SwarmView(services: try await manager.swarmServices(), nodes: try await manager.swarmNodes())
        } catch where error.isNotSwarmManager {
            return nil
        }
    }

    /// A node by host name or id.
    public func node(named name: String) -> SwarmNode? {
        nodes[name] ?? nodes.values.first { $0.hostname == name }
    }

    /// Why a task's container may not be targeted (its service or its node is protected), or nil.
    public func protection(of labels: [String: String]) -> String? {
        if let task = SwarmTaskLabels(labels), let service = services[task.service], TargetProtection.isProtected(service.labels) {
            return "service \(task.service) is protected"
        }
        if let nodeID = labels[SwarmTaskLabels.nodeID], let node = nodes[nodeID], TargetProtection.isProtected(node.labels) {
            return "node \(node.name) is protected"
        }
        return nil
    }
}
