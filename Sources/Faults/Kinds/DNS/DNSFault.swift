import DockerEngine
import FaultlineSupport
import Foundation

/// Breaks a running container's name resolution for matching names: starts faultline's own
/// resolver (`DNSResponder`) in the container's network namespace and cgroups, then redirects the
/// container's outgoing UDP queries to port 53 there (a marked nat rule; the resolver's own
/// forwarded queries carry a firewall mark the rule lets pass). The revert deletes the rule, then
/// stops the resolver; the resolver deletes the rule itself when its own lifetime (the window plus
/// a grace) ends, so a crash of every faultline process still ends the fault.
public struct DNSFault: FaultAction {
    public let kind = FaultKind.dns
    public let names: String
    public let answer: DNSAnswer
    public var summary: String { DNSParameters(names: names, answer: answer).summary }

    public init(names: String, answer: DNSAnswer = .nxdomain) {
        self.names = names
        self.answer = answer
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try await prepare(target, in: environment, window: nil)
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault {
        let pid = try NamespaceTarget.require(target, for: kind)
        let resolver: String
        do {
            let etc = try environment.files.reach("/etc", mainPID: pid)
            guard let nameserver = Self.nameserver(in: try environment.files.readText(etc + "/resolv.conf")) else {
                throw FaultError.notApplicable(kind: kind, target: target.name, reason: "its /etc/resolv.conf names no IPv4 nameserver to answer the other names")
            }
            resolver = nameserver
        } catch let error as FaultProcessError {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "cannot read its resolver: \(error.message)")
        }
        let cgroups = try HelperCgroups.of(target, pid: pid, for: kind, in: environment)
        let port = HelperSocket.freePort(pid: pid, table: "udp", files: environment.files), mark = NamespaceTarget.mark()
        let rule = FirewallRule(chain: "OUTPUT", match: ["-p", "udp", "--dport", "53", "-m", "mark", "!", "--mark", HelperSocket.forwardMarkText],
                                target: "REDIRECT", targetOptions: ["--to-ports", String(port)], table: "nat", mark: mark)
        let lifetime = HelperLifetime(window: window)
        var command = [FaultlineExecutable.path, "dns-responder", "--port", String(port), "--upstream", resolver, "--names", names]
        switch answer {
        case .delay(let delay): command += ["--answer", "delay", "--delay", DurationText.format(delay)]
        default: command += ["--answer", answer.description]
        }
        command += ["--lifetime", "\(lifetime.ownSeconds)s", "--rule-mark", mark]
        let token = UUID().uuidString.lowercased()
        let rules = NetworkRulesStep(containerID: target.id, startedAt: target.state.startedAt, rules: [rule], shaped: [])
        let resolverStep = HogStep(token: token, cgroups: cgroups, what: "the resolver of \(summary)")
        let launch = command
        // The rule goes first on the way out (queries resolve normally again at once), then the resolver.
        return PreparedFault(revert: .steps([.network(rules), .hog(resolverStep)])) { environment in
            try await environment.processes.startHog(launch, token: token, cgroups: cgroups, mainPID: pid, network: true, deadline: lifetime.killedAfter)
            try await HelperSocket.waitUntilBound(String(format: "0100007F:%04X", port), table: "udp", pid: pid, files: environment.files, what: "the resolver")
            try await rules.inject(pid: pid, in: environment)
        }
    }

    /// The first IPv4 `nameserver` of a resolv.conf.
    static func nameserver(in resolvConf: String) -> String? {
        for line in resolvConf.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { continue }
            var address = in_addr()
            if inet_pton(AF_INET, String(words[1]), &address) == 1 { return String(words[1]) }
        }
        return nil
    }
}
