import DockerEngine

/// Silently drops traffic to given ports: inbound (clients of the container's port get no answer:
/// time-outs, not refusals) and/or outbound (the container's calls to that port on any host).
public struct BlackholeFault: FaultAction {
    /// A port and its protocol.
    public struct Port: Sendable, Equatable, Codable, CustomStringConvertible {
        public let number: Int
        public let proto: String
        public init(number: Int, proto: String = "tcp") {
            self.number = number
            self.proto = proto
        }
        public var description: String { "\(number)/\(proto)" }

        /// `5432`, `53/udp`.
        public static func parse(_ text: String) -> Port? {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let number = Int(parts[0]), (1...65535).contains(number) else { return nil }
            let proto = parts.count == 2 ? String(parts[1]).lowercased() : "tcp"
            guard proto == "tcp" || proto == "udp" else { return nil }
            return Port(number: number, proto: proto)
        }
    }

    public let kind = FaultKind.blackhole
    public let ports: [Port]
    public let direction: TrafficDirection
    public var summary: String { "blackhole \(ports.map(\.description).joined(separator: ",")) \(direction.rawValue)" }

    public init(ports: [Port], direction: TrafficDirection = .inbound) {
        self.ports = ports
        self.direction = direction
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        let pid = try NamespaceTarget.requireForIPv4Rules(target, for: kind, files: environment.files)
        guard !ports.isEmpty else { throw FaultError.notApplicable(kind: kind, target: target.name, reason: "name at least one port") }
        let mark = NamespaceTarget.mark()
        var rules: [FirewallRule] = []
        for chain in direction.chains {
            for port in ports {
                rules.append(FirewallRule(chain: chain, match: FirewallRule.notLoopback(chain) + ["-p", port.proto, "--dport", String(port.number)], mark: mark))
            }
        }
        return NamespaceTarget.prepared(target, pid: pid, rules: rules, shaped: [])
    }
}
