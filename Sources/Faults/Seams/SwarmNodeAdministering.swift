import DockerEngine

/// Reads and sets a Swarm node's availability through a manager: what the drain fault uses; and
/// which Swarm node the engine itself is (what an agent checks before it isolates its node).
public protocol SwarmNodeAdministering: Sendable {
    /// The id of the Swarm node this engine is, or nil when it is in no Swarm.
    func swarmNodeID() async throws -> String?
    /// The node by id or host name, with its spec whole and its version.
    func swarmNode(_ idOrName: String) async throws -> SwarmNodeSpec
    /// Sets the availability on the spec `node` was read with (refused if it changed since).
    func setSwarmNodeAvailability(_ node: SwarmNodeSpec, to availability: String) async throws
}

extension DockerEngineClient: SwarmNodeAdministering {}
