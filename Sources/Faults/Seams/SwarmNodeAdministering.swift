import DockerEngine

/// Reads and sets a Swarm node's availability through a manager: what the drain fault uses.
public protocol SwarmNodeAdministering: Sendable {
    /// The node by id or host name, with its spec whole and its version.
    func swarmNode(_ idOrName: String) async throws -> SwarmNodeSpec
    /// Sets the availability on the spec `node` was read with (refused if it changed since).
    func setSwarmNodeAvailability(_ node: SwarmNodeSpec, to availability: String) async throws
}

extension DockerEngineClient: SwarmNodeAdministering {}
