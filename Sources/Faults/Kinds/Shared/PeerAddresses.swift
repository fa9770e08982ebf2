import DockerEngine

/// The addresses of a fault's peers, resolved when it is prepared: a container gives every address
/// it has on its networks, an address or CIDR stands for itself.
enum PeerAddresses {
    static func resolve(_ peers: [String], for target: ContainerDetails, kind: FaultKind, in environment: FaultEnvironment) async throws -> [String] {
        var addresses: [String] = []
        for peer in peers {
            if PeerPartitionFault.isAddress(peer) {
                addresses.append(peer)
                continue
            }
            let details: ContainerDetails
            do {
                details = try await environment.containers.inspectContainer(peer)
            } catch where EngineErrorMatching.isGone(error) {
                throw FaultError.notApplicable(kind: kind, target: target.name, reason: "peer '\(peer)' is neither a container nor an address/CIDR")
            }
            let found = (details.networkSettings.networks ?? [:]).values.compactMap { $0.ipAddress }.filter { !$0.isEmpty }
            guard !found.isEmpty else {
                throw FaultError.notApplicable(kind: kind, target: target.name, reason: "peer '\(peer)' has no network address (is it running?)")
            }
            addresses += found
        }
        return Array(Set(addresses)).sorted()
    }
}
