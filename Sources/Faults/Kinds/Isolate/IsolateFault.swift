import DockerEngine

/// Cuts the node this process runs on off from `peers` (addresses or CIDRs, both ways): rules in
/// the node's own network namespace (that of PID 1) for what it receives and sends, and for what
/// its containers send and receive through it. Each rule carries the fault's mark; the revert
/// deletes exactly those.
public struct IsolateFault: Sendable {
    public let kind = FaultKind.isolate
    public let peers: [String]
    public let summary: String

    /// The host's network namespace: PID 1's, in the PID namespace this process sees.
    static let hostProcess = 1

    public init(peers: [String], summary: String) {
        self.peers = peers
        self.summary = summary
    }

    /// Plans the rules for the node `node` (its name, for the ledger and messages).
    public func prepare(node: String) throws -> PreparedFault {
        guard !peers.isEmpty else {
            throw FaultError.notApplicable(kind: kind, target: node, reason: "no node to cut it off from (the Swarm has no other node with an address)")
        }
        if let bad = peers.first(where: { !PeerPartitionFault.isAddress($0) }) {
            throw FaultError.notApplicable(kind: kind, target: node, reason: "'\(bad)' is no IPv4 address or CIDR (node names are turned into addresses at plan time)")
        }
        let mark = NamespaceTarget.mark()
        var rules: [FirewallRule] = []
        for peer in Array(Set(peers)).sorted() {
            rules.append(FirewallRule(chain: "INPUT", match: ["-s", peer], mark: mark))
            rules.append(FirewallRule(chain: "OUTPUT", match: ["-d", peer], mark: mark))
            // What the node's containers exchange with the peer through it (published ports, egress).
            rules.append(FirewallRule(chain: "FORWARD", match: ["-s", peer], mark: mark))
            rules.append(FirewallRule(chain: "FORWARD", match: ["-d", peer], mark: mark))
        }
        let step = HostNetworkRulesStep(node: node, rules: rules)
        return PreparedFault(revert: .hostNetwork(step)) { environment in
            try await step.inject(in: environment)
        }
    }
}
