import DockerEngine
import Foundation

/// What every network fault checks first: the container runs, has a network namespace of its own
/// (not the host's: rules there would hit the whole machine), and a process to enter it through.
enum NamespaceTarget {
    static func require(_ target: ContainerDetails, for kind: FaultKind) throws -> Int {
        try TargetState.requireRunning(target, for: kind)
        let mode = target.hostConfig.networkMode ?? ""
        if mode == "host" {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "it shares the host's network namespace; rules there would hit the whole machine")
        }
        if mode.hasPrefix("container:") {
            throw FaultError.notApplicable(kind: kind, target: target.name,
                                           reason: "it shares the network namespace of \(mode.dropFirst("container:".count)); target that container instead")
        }
        guard target.state.pid > 0 else { throw FaultError.notApplicable(kind: kind, target: target.name, reason: "it has no process") }
        return target.state.pid
    }

    /// A fresh ownership mark for one fault's rules.
    static func mark() -> String { "faultline:" + UUID().uuidString.lowercased().prefix(12) }

    /// The container's interfaces other than loopback (names change on reconnect: eth0, eth1…).
    static func interfaces(pid: Int, in environment: FaultEnvironment) throws -> [String] {
        let listing = try environment.namespaces.run(["ip", "-o", "link", "show"], inNetworkNamespaceOf: pid)
        try NetworkRulesStep.require(listing, ["ip", "-o", "link", "show"])
        // "2: eth0@if41: <BROADCAST,…> mtu 1500 …"
        return listing.output.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let name = fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first.map(String.init) ?? ""
            return name.isEmpty || name == "lo" ? nil : name
        }
    }

    /// The rules and qdiscs as a prepared fault.
    static func prepared(_ target: ContainerDetails, pid: Int, rules: [FirewallRule], shaped: [ShapedInterface]) -> PreparedFault {
        let step = NetworkRulesStep(containerID: target.id, startedAt: target.state.startedAt, rules: rules, shaped: shaped)
        return PreparedFault(revert: .network(step)) { environment in try await step.inject(pid: pid, in: environment) }
    }
}
