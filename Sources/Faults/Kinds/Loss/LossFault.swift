import DockerEngine
import FaultlineSupport

/// Drops a random share of the container's packets (iptables `statistic`), inbound, outbound or
/// both, optionally only the traffic of given ports of the container (its clients' connections:
/// inbound to the port, outbound from it); loopback inside the container is left alone.
public struct LossFault: FaultAction {
    public let kind = FaultKind.loss
    /// 0 < probability ≤ 1.
    public let probability: Double
    public let direction: TrafficDirection
    /// Only these ports of the container (empty: all traffic).
    public let ports: [BlackholeFault.Port]
    public var summary: String {
        "loss \(Int((probability * 100).rounded()))% \(direction.rawValue)" + (ports.isEmpty ? "" : " port \(ports.map(\.description).joined(separator: ","))")
    }

    public init(probability: Double, direction: TrafficDirection = .both, ports: [BlackholeFault.Port] = []) {
        self.probability = probability
        self.direction = direction
        self.ports = ports
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        let pid = try NamespaceTarget.requireForIPv4Rules(target, for: kind, files: environment.files)
        guard probability > 0 && probability <= 1 else {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "the probability must be in (0, 1], not \(probability)")
        }
        let mark = NamespaceTarget.mark()
        let statistic = ["-m", "statistic", "--mode", "random", "--probability", String(probability)]
        var rules: [FirewallRule] = []
        for chain in direction.chains {
            let portMatches = ports.map { ["-p", $0.proto, chain == "INPUT" ? "--dport" : "--sport", String($0.number)] }
            for portMatch in portMatches.isEmpty ? [[]] : portMatches {
                rules.append(FirewallRule(chain: chain, match: FirewallRule.notLoopback(chain) + portMatch + statistic, mark: mark))
            }
        }
        return NamespaceTarget.prepared(target, pid: pid, rules: rules, shaped: [])
    }
}
