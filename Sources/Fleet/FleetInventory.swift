import Campaign
import DockerEngine
import FaultlineSupport
import Logging

/// The containers of every node of a fleet, asked of every node's engine at once, each call with
/// its own time-out. A node that does not answer is named with the call that failed; the inventory
/// is whole or it is an error (a plan must never be made on part of the fleet).
public enum FleetInventory {
    public struct NodeContainers: Sendable {
        public let node: FleetDescription.Node
        public let engine: DockerEngineClient
        public let containers: [ContainerSummary]
    }

    /// Nodes that could not be asked: one line each, naming the node, its engine and the failure.
    public struct Unreachable: Error, CustomStringConvertible, ExitCodeClassified {
        public var exitCode: FaultlineExitCode { .infrastructure }
        public let failures: [(node: String, engine: String, reason: String)]
        public var description: String {
            "fleet: " + failures.map { "node '\($0.node)' (\($0.engine)): \($0.reason)" }.joined(separator: "; ")
        }
    }

    public static func list(_ fleet: FleetDescription, all: Bool = true, callTimeout: Duration, logger: Logger) async throws -> [NodeContainers] {
        let results = await withTaskGroup(of: (Int, Result<NodeContainers, any Error>).self) { group in
            for (index, node) in fleet.nodes.enumerated() {
                group.addTask {
                    do {
                        let engine = try await DockerEngineClient.connect(to: node.engine, logger: logger, callTimeout: callTimeout)
                        let containers = try await engine.listContainers(all: all)
                        return (index, .success(NodeContainers(node: node, engine: engine, containers: containers)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var collected: [(Int, Result<NodeContainers, any Error>)] = []
            for await result in group { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var failures: [(node: String, engine: String, reason: String)] = []
        var inventory: [NodeContainers] = []
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let node): inventory.append(node)
            case .failure(let error): failures.append((fleet.nodes[index].name, "\(fleet.nodes[index].engine)", "\(error)"))
            }
        }
        guard failures.isEmpty else { throw Unreachable(failures: failures) }
        return inventory
    }
}
