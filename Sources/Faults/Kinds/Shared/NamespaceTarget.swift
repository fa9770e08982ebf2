import DockerEngine
import Foundation
import Glibc

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

    /// `require`, for a fault whose rules are iptables (IPv4) rules: a container with IPv6
    /// addresses beyond loopback and link-local is refused too, as its IPv6 traffic would pass
    /// unfaulted — half a fault. A namespace without IPv6 (Docker's default) has no `if_inet6`.
    static func requireForIPv4Rules(_ target: ContainerDetails, for kind: FaultKind, files: any ContainerFileAccess) throws -> Int {
        let pid = try require(target, for: kind)
        try requireIPv4Only(target, pid: pid, for: kind, files: files)
        return pid
    }

    private static func requireIPv4Only(_ target: ContainerDetails, pid: Int, for kind: FaultKind, files: any ContainerFileAccess) throws {
        guard let listing = try? files.readText("/proc/\(pid)/net/if_inet6") else { return }
        let addresses = globalIPv6Addresses(listing)
        guard !addresses.isEmpty else { return }
        throw FaultError.notApplicable(kind: kind, target: target.name, reason: """
            it has IPv6 addresses (\(addresses.joined(separator: ", "))) and faultline's \(kind.rawValue) rules are iptables (IPv4) \
            rules, so its IPv6 traffic would pass unfaulted; attach it to IPv4-only networks, or use pause, stop or bandwidth, which act on every address family
            """)
    }

    /// The global-scope addresses in `/proc/PID/net/if_inet6` ("20010db8…0005 02 40 00 80 eth0":
    /// address, interface index, prefix length, scope, flags, name), as `2001:db8::5 on eth0`.
    static func globalIPv6Addresses(_ listing: String) -> [String] {
        listing.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[3] == "00", fields[0].count == 32 else { return nil }
            var bytes = [UInt8](repeating: 0, count: 16)
            let hex = Array(fields[0].utf8)
            for index in 0..<16 {
                guard let byte = UInt8(String(decoding: hex[(2 * index)..<(2 * index + 2)], as: UTF8.self), radix: 16) else { return nil }
                bytes[index] = byte
            }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, bytes, &text, socklen_t(text.count)) != nil else { return nil }
            return String(cString: text) + " on " + fields[5]
        }
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
