import DockerEngine
import Faults
import Foundation
import Logging
import Synchronization

/// A Swarm manager's nodes in memory: node specs with versions, as `GET /nodes/{id}` and
/// `POST /nodes/{id}/update?version=V` treat them (an update on an old version is refused).
public final class FakeSwarmManager: SwarmNodeAdministering, Sendable {
    public struct Node: Sendable {
        public var id: String
        public var hostname: String
        public var version: Int
        public var spec: [String: String]
        public var labels: [String: String]
    }
    struct State {
        var nodes: [String: Node] = [:]
        var calls: [String] = []
        /// Updates to refuse with "update out of sequence" before one is taken.
        var outOfSequence = 0
        /// The node the engine itself is (`GET /info`'s Swarm.NodeID).
        var localNodeID: String?
    }
    let state = Mutex(State())

    public init() {}

    public var calls: [String] { state.withLock { $0.calls } }

    /// Makes the engine Swarm node `id` (nil: in no Swarm).
    public func setLocalNode(_ id: String?) { state.withLock { $0.localNodeID = id } }

    public func swarmNodeID() async throws -> String? { state.withLock { $0.localNodeID } }

    public func add(id: String, hostname: String, availability: String = "active", labels: [String: String] = [:]) {
        state.withLock {
            $0.nodes[id] = Node(id: id, hostname: hostname, version: 10,
                                spec: ["Availability": availability, "Role": "worker", "Name": "kept-\(id)"], labels: labels)
        }
    }

    /// Someone else changes the node (a new version).
    public func set(_ id: String, availability: String) {
        state.withLock {
            $0.nodes[id]?.spec["Availability"] = availability
            $0.nodes[id]?.version += 1
        }
    }

    public func refuseNextUpdates(_ count: Int) { state.withLock { $0.outOfSequence = count } }

    public func node(_ id: String) -> Node? { state.withLock { $0.nodes[id] } }

    public func swarmNode(_ idOrName: String) async throws -> SwarmNodeSpec {
        let node = state.withLock { state -> Node? in
            state.calls.append("inspect \(idOrName)")
            return state.nodes[idOrName] ?? state.nodes.values.first { $0.hostname == idOrName }
        }
        guard let node else {
            throw DockerEngineError(kind: .status(404), method: "GET", path: "/nodes/\(idOrName)", message: "node \(idOrName) not found")
        }
        var spec: [String: Any] = node.spec
        spec["Labels"] = node.labels
        let object: [String: Any] = ["ID": node.id, "Version": ["Index": node.version], "Spec": spec, "Description": ["Hostname": node.hostname]]
        return try SwarmNodeSpec(json: Array(try JSONSerialization.data(withJSONObject: object)))
    }

    public func setSwarmNodeAvailability(_ node: SwarmNodeSpec, to availability: String) async throws {
        let sent = try JSONSerialization.jsonObject(with: Data(try node.spec(withAvailability: availability))) as? [String: Any] ?? [:]
        let refusal = state.withLock { state -> String? in
            state.calls.append("update \(node.id) v\(node.version) \(availability)")
            guard var current = state.nodes[node.id] else { return "node \(node.id) not found" }
            if state.outOfSequence > 0 || current.version != node.version {
                state.outOfSequence = max(0, state.outOfSequence - 1)
                return "update out of sequence"
            }
            current.spec = sent.compactMapValues { $0 as? String }
            current.labels = sent["Labels"] as? [String: String] ?? [:]
            current.version += 1
            state.nodes[node.id] = current
            return nil
        }
        if let refusal {
            throw DockerEngineError(kind: .status(500), method: "POST", path: "/nodes/\(node.id)/update", message: refusal)
        }
    }

    /// Fault seams on `engine` with this manager's nodes.
    public func environment(_ engine: FakeEngine) -> FaultEnvironment {
        FaultEnvironment(containers: engine, lifecycle: engine, networks: engine, cgroups: engine, namespaces: engine.namespaces,
                         processes: engine.processes, files: engine.files, swarmNodes: self, logger: Logger(label: "fake"))
    }
}
