import DockerEngine

/// Disconnects the container from some or all of its networks; the revert reconnects it with
/// the same aliases, static addresses, links and driver options.
public struct PartitionFault: FaultAction {
    public let kind = FaultKind.partition
    /// Network names or ids to cut; empty means every network the container is on.
    public let networks: [String]
    public var summary: String { networks.isEmpty ? "partition (all networks)" : "partition (\(networks.joined(separator: ", ")))" }

    public init(networks: [String] = []) { self.networks = networks }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let mode = target.hostConfig.networkMode ?? ""
        if mode == "host" || mode == "none" || mode.hasPrefix("container:") {
            throw FaultError.notApplicable(kind: kind, target: target.name,
                                           reason: "it uses network mode '\(mode)'; partition needs bridge or user-defined networks")
        }
        let attached = target.networkSettings.networks ?? [:]
        guard !attached.isEmpty else {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "it is not connected to any network")
        }
        var chosen: [(String, EndpointSettings)] = []
        if networks.isEmpty {
            chosen = attached.sorted { $0.key < $1.key }
        } else {
            for wanted in networks {
                guard let match = attached.first(where: { $0.key == wanted || ($0.value.networkID ?? "").hasPrefix(wanted) }) else {
                    throw FaultError.notApplicable(
                        kind: kind, target: target.name,
                        reason: "it is not on network '\(wanted)'; it is on: \(attached.keys.sorted().joined(separator: ", "))")
                }
                chosen.append(match)
            }
        }
        let attachments = chosen.map { name, endpoint in
            ReconnectStep.Attachment(networkID: endpoint.networkID ?? name, networkName: name,
                                     endpoint: Self.restorable(endpoint, network: name, containerID: target.id))
        }
        let id = target.id
        return PreparedFault(revert: .reconnect(ReconnectStep(containerID: id, attachments: attachments))) { environment in
            for attachment in attachments {
                try await environment.networks.disconnectNetwork(attachment.networkID, container: id, force: false)
            }
        }
    }

    /// The parts of an endpoint that a connect call accepts and that make it the same attachment:
    /// user-given aliases (not the short id the engine adds itself), static addresses, links, driver options.
    static func restorable(_ endpoint: EndpointSettings, network: String, containerID: String) -> EndpointSettings {
        let shortID = String(containerID.prefix(12))
        let aliases = (endpoint.aliases ?? []).filter { $0 != shortID }
        // The default bridge supports neither aliases nor static addresses.
        let isDefaultBridge = network == "bridge"
        return EndpointSettings(
            ipamConfig: isDefaultBridge || (endpoint.ipamConfig?.isEmpty ?? true) ? nil : endpoint.ipamConfig,
            links: (endpoint.links ?? []).isEmpty ? nil : endpoint.links,
            aliases: isDefaultBridge || aliases.isEmpty ? nil : aliases,
            networkID: endpoint.networkID,
            driverOpts: (endpoint.driverOpts ?? [:]).isEmpty ? nil : endpoint.driverOpts)
    }
}
