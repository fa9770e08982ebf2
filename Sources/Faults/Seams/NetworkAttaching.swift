import DockerEngine

/// Attaches and detaches containers from networks: what the partition fault uses.
public protocol NetworkAttaching: Sendable {
    func connectNetwork(_ network: String, container: String, endpoint: EndpointSettings) async throws
    func disconnectNetwork(_ network: String, container: String, force: Bool) async throws
}
