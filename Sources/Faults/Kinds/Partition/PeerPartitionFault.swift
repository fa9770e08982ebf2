import DockerEngine
import Foundation

/// Drops traffic between the container and named peers only (containers, by their addresses on
/// every network, or CIDRs), one way or both, while everything else keeps flowing. Peers are
/// resolved when the fault is prepared.
public struct PeerPartitionFault: FaultAction {
    public let kind = FaultKind.partition
    /// Container names/ids or CIDRs (`10.0.0.0/8`, `172.20.0.5`).
    public let peers: [String]
    public let direction: TrafficDirection
    public var summary: String { "partition from \(peers.joined(separator: ","))\(direction == .both ? "" : " \(direction.rawValue)")" }

    public init(peers: [String], direction: TrafficDirection = .both) {
        self.peers = peers
        self.direction = direction
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        let pid = try NamespaceTarget.requireForIPv4Rules(target, for: kind, files: environment.files)
        let addresses = try await PeerAddresses.resolve(peers, for: target, kind: kind, in: environment)
        guard !addresses.isEmpty else { throw FaultError.notApplicable(kind: kind, target: target.name, reason: "name at least one peer") }
        let mark = NamespaceTarget.mark()
        var rules: [FirewallRule] = []
        for address in addresses {
            if direction != .outbound { rules.append(FirewallRule(chain: "INPUT", match: ["-s", address], mark: mark)) }
            if direction != .inbound { rules.append(FirewallRule(chain: "OUTPUT", match: ["-d", address], mark: mark)) }
        }
        return NamespaceTarget.prepared(target, pid: pid, rules: rules, shaped: [])
    }

    /// An IPv4 address or CIDR.
    public static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 { guard let bits = Int(parts[1]), (0...32).contains(bits) else { return false } }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
    }
}
