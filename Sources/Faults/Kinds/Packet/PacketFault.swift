import DockerEngine
import FaultlineSupport
import Foundation

/// The `packet` fault (and `latency` on a kernel without netem): starts faultline's packet engine
/// (`PacketEngine`) in the container's network namespace and cgroups, waits until it reads its
/// queue, then inserts the marked rules that send matching packets there (`NFQUEUE --queue-bypass`;
/// loopback and the engine's own copies exempt). The revert deletes the rules, then stops the engine.
public struct PacketFault: FaultAction {
    public let kind: FaultKind
    public let parameters: PacketParameters
    /// Set when another kind runs on this engine: "netem is missing, so faultline's packet engine".
    public let mechanism: String?

    public init(parameters: PacketParameters, mechanism: String?, kind: FaultKind = .packet) {
        self.kind = kind
        self.parameters = parameters
        self.mechanism = mechanism
    }

    public var summary: String { parameters.summary + (mechanism.map { " (\($0))" } ?? "") }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try await prepare(target, in: environment, window: nil)
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault {
        let pid = try NamespaceTarget.requireForIPv4Rules(target, for: kind, files: environment.files)
        let cgroups = try HelperCgroups.of(target, pid: pid, for: kind, in: environment)
        let peers = try await PeerAddresses.resolve(parameters.peers ?? [], for: target, kind: kind, in: environment)
        let queue = UInt16.random(in: Self.queues), mark = NamespaceTarget.mark()
        let rules = Self.rules(queue: queue, direction: parameters.direction ?? .both,
                               ports: (parameters.ports ?? []).compactMap(BlackholeFault.Port.parse), peers: peers, mark: mark)
        let lifetime = HelperLifetime(window: window)
        let given = Dictionary(parameters.texts.map { ($0.key, $0.texts) }, uniquingKeysWith: { first, _ in first })
        let encoded = String(decoding: try JSONEncoder().encode(given), as: UTF8.self)
        let token = UUID().uuidString.lowercased()
        let counts = NSTemporaryDirectory() + "faultline-packet-\(token).json"
        let command = [FaultlineExecutable.path, "packet-engine", "--queue", String(queue), "--parameters", encoded,
                       "--lifetime", "\(lifetime.ownSeconds)s", "--rule-mark", mark, "--owner-pid", String(getpid()), "--counts", counts]
        let rulesStep = NetworkRulesStep(containerID: target.id, startedAt: target.state.startedAt, rules: rules, shaped: [])
        let engineStep = HogStep(token: token, cgroups: cgroups, what: "the packet engine of \(summary)", countsFile: counts)
        let files = environment.files, kind = kind
        // The rules go first on the way out (packets flow straight again), then the engine.
        return PreparedFault(revert: .steps([.network(rulesStep), .hog(engineStep)]), summary: summary) { environment in
            try await environment.processes.startHog(command, token: token, cgroups: cgroups, mainPID: pid, network: true, deadline: lifetime.killedAfter)
            try await Self.waitUntilRead(queue, pid: pid, files: files)
            do {
                try await rulesStep.inject(pid: pid, in: environment)
            } catch NetworkFaultError.command(_, let output) where Self.lacksTheTarget(output) {
                throw FaultError.unsupported(kind: kind, reason: "this kernel's iptables has no NFQUEUE target (xt_NFQUEUE), so no packet can reach faultline's packet engine; "
                                             + "use loss, blackhole or bandwidth (iptables and tc), or put `faultline proxy --toxic …` in front of the service")
            }
        }
    }

    /// Whether iptables refused a rule because the kernel (or its nf_tables compat layer) has no NFQUEUE target.
    static func lacksTheTarget(_ output: String) -> Bool {
        output.contains("NFQUEUE") && (output.contains("Couldn't load target") || output.contains("No chain/target/match") || output.contains("Extension NFQUEUE"))
    }

    /// Queue numbers the fault picks from at random (each network namespace has its own queues).
    static let queues: ClosedRange<UInt16> = 1024...65535

    /// One rule per chain × peer × port: `-j NFQUEUE --queue-num Q --queue-bypass`, so that with no
    /// reader the kernel lets packets pass. A port matches either end (`multiport --ports`).
    static func rules(queue: UInt16, direction: TrafficDirection, ports: [BlackholeFault.Port], peers: [String], mark: String) -> [FirewallRule] {
        var rules: [FirewallRule] = []
        for chain in direction.chains {
            let exempt = FirewallRule.notLoopback(chain) + ["-m", "mark", "!", "--mark", HelperSocket.forwardMarkText]
            let peerMatches = peers.isEmpty ? [[]] : peers.map { [chain == "INPUT" ? "-s" : "-d", $0] }
            let portMatches = ports.isEmpty ? [[]] : ports.map { ["-p", $0.proto, "-m", "multiport", "--ports", String($0.number)] }
            for peer in peerMatches {
                for port in portMatches {
                    rules.append(FirewallRule(chain: chain, match: exempt + peer + port, target: "NFQUEUE",
                                              targetOptions: ["--queue-num", String(queue), "--queue-bypass"], mark: mark))
                }
            }
        }
        return rules
    }

    /// Waits until the engine has bound `queue` (it is listed in the namespace's
    /// `/proc/net/netfilter/nfnetlink_queue`), so no packet meets the rules before a reader does.
    static func waitUntilRead(_ queue: UInt16, pid: Int, files: any ContainerFileAccess) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            // "  4711  12345 0 2 65535 0 0 0  1": the queue number first.
            let listing = (try? files.readText("/proc/\(pid)/net/netfilter/nfnetlink_queue")) ?? ""
            if listing.split(separator: "\n").contains(where: { $0.split(separator: " ").first == Substring(String(queue)) }) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FaultProcessError(message: "the packet engine did not bind NFQUEUE \(queue) in the container within 5 s")
    }
}
