import DockerEngine

/// Reverts a partition: reconnects the container to each network it was disconnected from, with
/// the same aliases, static addresses, links and driver options. Networks it is already on are skipped.
public struct ReconnectStep: Sendable, Equatable, Codable {
    /// One network attachment to restore.
    public struct Attachment: Sendable, Equatable, Codable {
        public let networkID: String
        public let networkName: String
        public let endpoint: EndpointSettings

        public init(networkID: String, networkName: String, endpoint: EndpointSettings) {
            self.networkID = networkID
            self.networkName = networkName
            self.endpoint = endpoint
        }
    }

    public let containerID: String
    public let attachments: [Attachment]

    public init(containerID: String, attachments: [Attachment]) {
        self.containerID = containerID
        self.attachments = attachments
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        let details: ContainerDetails
        do {
            details = try await environment.containers.inspectContainer(containerID)
        } catch where EngineErrorMatching.isGone(error) {
            return .targetGone
        }
        let attached = Set((details.networkSettings.networks ?? [:]).values.compactMap(\.networkID))
        var reconnected = 0
        for attachment in attachments where !attached.contains(attachment.networkID) {
            do {
                try await environment.networks.connectNetwork(attachment.networkID, container: containerID, endpoint: attachment.endpoint)
                reconnected += 1
            } catch where EngineErrorMatching.isRefusal(error, saying: "already exists") {
                continue
            }
        }
        return reconnected > 0 ? .restored : .alreadyClear("already connected to every network")
    }
}
