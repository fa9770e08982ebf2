import DockerEngine
import FaultlineSupport
import Foundation

/// The `http` and `websocket` faults: acts on a container's HTTP calls or WebSocket messages without
/// repointing any client. Starts faultline's own proxy (`InterceptProxy`) in the container's network namespace and cgroups, then
/// redirects new TCP connections on the port there (a marked nat rule: OUTPUT for the calls it
/// makes, PREROUTING for the calls it receives; the proxy's own forwarded connections carry a
/// firewall mark the rule lets pass). The revert deletes the rule, then stops the proxy; the proxy
/// deletes the rule itself when its own lifetime (the window plus a grace) ends, so a crash of every
/// faultline process still ends the fault within that grace.
public struct InterceptFault: FaultAction {
    public let kind: FaultKind
    public let port: UInt16
    public let direction: TrafficDirection
    public let existing: HTTPParameters.ExistingConnections
    /// The campaign's CA to terminate TLS with; nil: TLS passes through.
    public let tls: InterceptTLS?
    /// The kind's parameters as texts: what the proxy process reads with the kind's definition.
    public let texts: [(key: String, texts: [String])]
    public let summary: String

    public init(kind: FaultKind, port: UInt16, direction: TrafficDirection, existing: HTTPParameters.ExistingConnections, tls: InterceptTLS? = nil,
                texts: [(key: String, texts: [String])], summary: String) {
        self.kind = kind
        self.port = port
        self.direction = direction
        self.existing = existing
        self.tls = tls
        self.texts = texts
        self.summary = summary
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try await prepare(target, in: environment, window: nil)
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault {
        let pid = try NamespaceTarget.requireForIPv4Rules(target, for: kind, files: environment.files)
        // The CA files are read here first, so a file that cannot serve fails the fault before anything changes.
        if let tls {
            do { _ = try TLSTermination(tls) } catch { throw FaultError.notApplicable(kind: kind, target: target.name, reason: error.description) }
        }
        let cgroups = try HelperCgroups.of(target, pid: pid, for: kind, in: environment)
        let listenPort = HelperSocket.freePort(pid: pid, table: "tcp", files: environment.files), mark = NamespaceTarget.mark()
        let rules = Self.rules(port: port, direction: direction, to: listenPort, mark: mark)
        let lifetime = HelperLifetime(window: window)
        let given = Dictionary(texts.map { ($0.key, $0.texts) }, uniquingKeysWith: { first, _ in first })
        let encoded = String(decoding: try JSONEncoder().encode(given), as: UTF8.self)
        let command = [FaultlineExecutable.path, "intercept-proxy", "--kind", kind.rawValue, "--port", String(listenPort), "--parameters", encoded,
                       "--lifetime", "\(lifetime.ownSeconds)s", "--rule-mark", mark]
        let token = UUID().uuidString.lowercased()
        let rulesStep = NetworkRulesStep(containerID: target.id, startedAt: target.state.startedAt, rules: rules, shaped: [])
        let proxyStep = HogStep(token: token, cgroups: cgroups, what: "the proxy of \(summary)")
        let existing = existing, port = port, direction = direction
        // The rule goes first on the way out (new connections go straight to the server again), then the proxy.
        return PreparedFault(revert: .steps([.network(rulesStep), .hog(proxyStep)])) { environment in
            try await environment.processes.startHog(command, token: token, cgroups: cgroups, mainPID: pid, network: true, deadline: lifetime.killedAfter)
            try await HelperSocket.waitUntilBound(String(format: "00000000:%04X", listenPort), table: "tcp", pid: pid, files: environment.files, what: "the proxy")
            try await rulesStep.inject(pid: pid, in: environment)
            if existing == .reset { try await Self.resetOpenConnections(port: port, direction: direction, pid: pid, in: environment) }
        }
    }

    /// The redirects: calls the container makes (nat OUTPUT, except the proxy's own) and calls it
    /// receives (PREROUTING). Only a connection's SYN is redirected: where the namespace tracked no
    /// connections before this rule, conntrack meets an open connection first mid-stream, and without
    /// `--syn` its next packet would be redirected to the proxy and reset.
    static func rules(port: UInt16, direction: TrafficDirection, to listenPort: UInt16, mark: String) -> [FirewallRule] {
        let redirect = ["--to-ports", String(listenPort)]
        var rules: [FirewallRule] = []
        if direction != .inbound {
            rules.append(FirewallRule(chain: "OUTPUT", match: ["-p", "tcp", "--syn", "--dport", String(port), "-m", "mark", "!", "--mark", HelperSocket.forwardMarkText],
                                      target: "REDIRECT", targetOptions: redirect, table: "nat", mark: mark))
        }
        if direction != .outbound {
            rules.append(FirewallRule(chain: "PREROUTING", match: ["-p", "tcp", "--syn", "--dport", String(port)], target: "REDIRECT", targetOptions: redirect, table: "nat", mark: mark))
        }
        return rules
    }

    /// Resets the container's connections on the port that were open before the redirect (`ss -K`),
    /// sparing the proxy's own: outbound ones carry its mark; inbound ones come from the container's own addresses.
    static func resetOpenConnections(port: UInt16, direction: TrafficDirection, pid: Int, in environment: FaultEnvironment) async throws {
        let namespaces = environment.namespaces
        try await BlockingIO.run {
            if direction != .inbound {
                let argv = ["ss", "-K", "-t", "state", "established", "(", "dport", "=", ":\(port)", "and", "fwmark", "!=", HelperSocket.forwardMarkText, ")"]
                try NetworkRulesStep.require(namespaces.run(argv, inNetworkNamespaceOf: pid), argv)
            }
            if direction != .outbound {
                let addresses = try namespaces.run(["ip", "-o", "-4", "addr", "show"], inNetworkNamespaceOf: pid)
                try NetworkRulesStep.require(addresses, ["ip", "-o", "-4", "addr", "show"])
                // "2: eth0    inet 172.18.0.2/16 brd …"
                let own = addresses.output.split(separator: "\n").compactMap { line -> String? in
                    let words = line.split(separator: " ")
                    return words.firstIndex(of: "inet").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1].split(separator: "/").first.map(String.init) : nil }
                }
                var argv = ["ss", "-K", "-t", "state", "established", "(", "sport", "=", ":\(port)"]
                for address in own { argv += ["and", "not", "dst", address] }
                argv.append(")")
                try NetworkRulesStep.require(namespaces.run(argv, inNetworkNamespaceOf: pid), argv)
            }
        }
    }
}
