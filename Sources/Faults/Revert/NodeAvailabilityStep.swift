import DockerEngine

/// Reverts a drain: sets the Swarm node's availability back to what it was, through the manager
/// the ledger names as its engine. Only the availability changes; the rest of the spec is sent
/// back as the manager gives it now. A node whose availability someone else changed meanwhile
/// (it is neither the fault's nor the original) is left as it is, and the outcome says so.
public struct NodeAvailabilityStep: Sendable, Equatable, Codable {
    public let nodeID: String
    public let hostname: String
    /// The availability before the fault (`active`, `pause`).
    public let restore: String
    /// The availability the fault set (`drain`, `pause`).
    public let faulted: String

    public init(nodeID: String, hostname: String, restore: String, faulted: String) {
        self.nodeID = nodeID
        self.hostname = hostname
        self.restore = restore
        self.faulted = faulted
    }

    /// Tries again when the spec changed between the read and the update (the manager refuses an
    /// update on an old version: "update out of sequence").
    static let attempts = 3

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        guard let manager = environment.swarmNodes else {
            throw FaultError.unsupported(kind: .drain, reason: "no Swarm manager to set node \(hostname) back to \(restore)")
        }
        for attempt in 1...Self.attempts {
            let node: SwarmNodeSpec
            do { node = try await manager.swarmNode(nodeID) } catch where EngineErrorMatching.isGone(error) {
                return .targetGone
            }
            if node.availability == restore { return .alreadyClear("availability already \(restore)") }
            guard node.availability == faulted else {
                return .alreadyClear("availability is now \(node.availability), set by someone else; left as it is")
            }
            do {
                try await manager.setSwarmNodeAvailability(node, to: restore)
                return .restored
            } catch {
                guard attempt < Self.attempts, Self.isOutOfSequence(error) else { throw error }
            }
        }
        return .restored
    }

    /// The manager refused an update made on an older version of the spec.
    static func isOutOfSequence(_ error: any Error) -> Bool {
        (error as? DockerEngineError)?.message.localizedLowercase.contains("out of sequence") == true
    }
}
