import DockerEngine

/// Sets a Swarm node's availability through a manager; the revert sets it back. Prepared from the
/// node as the manager describes it now, so the revert restores what was there, not a default.
public struct DrainFault: Sendable {
    public let kind = FaultKind.drain
    /// `drain` or `pause`.
    public let availability: String
    public let summary: String

    /// Reads the node (`idOrName`: its id or host name) and plans the change and its revert.
    public func prepare(node idOrName: String, in environment: FaultEnvironment) async throws -> (node: SwarmNodeSpec, fault: PreparedFault) {
        guard let manager = environment.swarmNodes else {
            throw FaultError.unsupported(kind: kind, reason: "no Swarm manager to ask: drain goes through a manager's engine")
        }
        let node: SwarmNodeSpec
        do { node = try await manager.swarmNode(idOrName) } catch where EngineErrorMatching.isGone(error) {
            throw FaultError.notApplicable(kind: kind, target: idOrName, reason: "the Swarm manager has no such node")
        }
        let name = node.name
        if TargetProtection.isProtected(node.labels) {
            throw FaultError.notApplicable(kind: kind, target: name, reason: "the node is protected (label \(TargetProtection.label))")
        }
        guard node.availability != availability else {
            throw FaultError.notApplicable(kind: kind, target: name, reason: "its availability is already \(availability)")
        }
        let step = NodeAvailabilityStep(nodeID: node.id, hostname: node.hostname, restore: node.availability, faulted: availability)
        let availability = self.availability
        return (node, PreparedFault(revert: .nodeAvailability(step)) { environment in
            guard let manager = environment.swarmNodes else { throw FaultError.unsupported(kind: .drain, reason: "no Swarm manager to ask") }
            try await manager.setSwarmNodeAvailability(node, to: availability)
        })
    }
}
