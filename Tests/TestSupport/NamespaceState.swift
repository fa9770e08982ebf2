import Faults
import Foundation

/// The part of a container's network namespace that faultline's network faults write — the
/// iptables filter table and the root qdiscs — in a form to compare before and after a fault.
/// Counters and generated comments are dropped; a filter table with no rules and ACCEPT policies
/// counts as absent (iptables cannot unload a table once a rule was added and removed, and an
/// empty table filters nothing); interface names are dropped from qdisc lines (a reconnect
/// renames eth0 to eth1). Of the nat table only faultline's rules count (the rest is the engine's,
/// its DNS ports change on reconnect).
public enum NamespaceState {
    public static func take(pid: Int) throws -> String {
        let namespaces = HostNetworkNamespaces()
        let saved = try namespaces.run(["iptables-save", "-t", "filter"], inNetworkNamespaceOf: pid).output
        let lines = saved.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #" \[\d+:\d+\]"#, with: "", options: .regularExpression) }
        let hasRules = lines.contains { $0.hasPrefix("-A ") }
        let defaultPolicies = lines.filter { $0.hasPrefix(":") }.allSatisfy { $0.hasSuffix(" ACCEPT") }
        let filter = hasRules || !defaultPolicies ? lines : []
        let nat = try namespaces.run(["iptables-save", "-t", "nat"], inNetworkNamespaceOf: pid).output
            .split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A ") && $0.contains("faultline:") }
        let qdiscs = try namespaces.run(["tc", "qdisc", "show"], inNetworkNamespaceOf: pid).output
            .split(separator: "\n").map { $0.replacingOccurrences(of: #" dev \S+"#, with: "", options: .regularExpression) }.sorted()
        return (filter + nat + qdiscs).joined(separator: "\n")
    }
}
