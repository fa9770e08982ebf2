/// `partition`: off whole networks (disconnect, reconnected with the same aliases and
/// addresses), or cut off from given peers only (iptables in the container's namespace).
public struct PartitionParameters: FaultParameters {
    public static let kind = FaultKind.partition
    public static let purpose = "Disconnect from all (or the named) networks; with peers, drop traffic to and from those peers only (containers, all their addresses, or CIDRs)."
    public static let revert = "reconnect with the same aliases, addresses and links; with peers, the marked iptables rules deleted"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("networks", option: "network", .name, repeatable: true, help: "networks to disconnect (default all)", example: "backend"),
        FaultParameter("peers", option: "peer", .name, repeatable: true,
                       help: "cut off only these (targets, containers or CIDRs) instead of disconnecting", example: "db"),
        FaultParameter.direction(default: .both),
    ]
    public static let example = "partition db --for 10s --network backend"

    public var networks: [String]?
    public var peers: [String]?
    public var direction: TrafficDirection?

    public init(networks: [String]? = nil, peers: [String]? = nil, direction: TrafficDirection? = nil) {
        self.networks = networks
        self.peers = peers
        self.direction = direction
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        networks = input.texts("networks")
        peers = input.texts("peers")
        direction = input.text("direction").flatMap(TrafficDirection.init(rawValue:))
        if peers != nil && networks != nil {
            throw ParameterError(key: "peers", "give \(parameter: "peers") (cut off those only) or \(parameter: "networks") (disconnect), not both")
        }
        if direction != nil && peers == nil {
            throw ParameterError(key: "direction", "\(parameter: "direction") applies to a partition from \(parameter: "peers")")
        }
    }

    public var texts: [(key: String, texts: [String])] {
        ParameterTexts.list("networks", networks) + ParameterTexts.list("peers", peers) + ParameterTexts.optional("direction", direction?.rawValue)
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        if let peers, !peers.isEmpty { return PeerPartitionFault(peers: peers, direction: direction ?? .both) }
        return PartitionFault(networks: networks ?? [])
    }

    public var summary: String {
        if let peers, !peers.isEmpty { return "partition from \(peers.joined(separator: ","))" }
        return (networks ?? []).isEmpty ? "partition" : "partition \((networks ?? []).joined(separator: ","))"
    }
}
