import DockerEngine
import FaultlineSupport

/// Injects and reverts the network faults: iptables rules and root qdiscs in the target's network
/// namespace, each owned by faultline (comment mark, reserved qdisc handle). The revert removes
/// exactly those, in reverse order, from the namespace the container has now (after a restart
/// inside the window the `RestartKeeper` applied them there again); nothing when it no longer runs.
public struct NetworkRulesStep: Sendable, Equatable, Codable {
    public let containerID: String
    /// `State.StartedAt` at the inject: identifies this run of the container and its namespace.
    public let startedAt: String
    public let rules: [FirewallRule]
    public let shaped: [ShapedInterface]

    public init(containerID: String, startedAt: String, rules: [FirewallRule], shaped: [ShapedInterface]) {
        self.containerID = containerID
        self.startedAt = startedAt
        self.rules = rules
        self.shaped = shaped
    }

    /// Adds every rule and qdisc; throws at the first that fails (the injector then reverts what was added).
    func inject(pid: Int, in environment: FaultEnvironment) async throws {
        let namespaces = environment.namespaces, rules = rules, shaped = shaped
        try await BlockingIO.run {
            try Self.insert(rules, inNetworkNamespaceOf: pid, through: namespaces)
            for interface in shaped { try Self.require(namespaces.run(interface.add, inNetworkNamespaceOf: pid), interface.add) }
        }
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        let current: ContainerState
        do {
            current = try await environment.containers.inspectContainer(containerID).state
        } catch where EngineErrorMatching.isGone(error) {
            return .targetGone
        }
        guard current.running, current.pid > 0 else { return .alreadyClear("container not running; its network namespace is gone") }
        // After a restart the rules are gone, unless the window's keeper applied them again: look
        // in whichever namespace the container has now (the marks are this fault's alone).
        let restarted = current.startedAt != startedAt
        let namespaces = environment.namespaces, rules = rules, shaped = shaped, pid = current.pid
        return try await BlockingIO.run { () throws -> RevertOutcome in
            var removed = 0
            for interface in shaped.reversed() {
                let root = try namespaces.run(interface.show, inNetworkNamespaceOf: pid)
                guard root.succeeded, ShapedInterface.isOurs(root.output) else { continue }
                try Self.require(namespaces.run(interface.delete, inNetworkNamespaceOf: pid), interface.delete)
                removed += 1
            }
            removed += try Self.delete(rules, inNetworkNamespaceOf: pid, through: namespaces)
            if removed > 0 { return .restored }
            return .alreadyClear(restarted ? "container restarted since the inject; its namespace was made anew" : "no rule or qdisc of this fault was left")
        }
    }

    /// Adds `rules` in order; throws at the first the namespace refuses.
    static func insert(_ rules: [FirewallRule], inNetworkNamespaceOf pid: Int, through namespaces: any NetworkNamespaceAccess) throws {
        for rule in rules { try require(namespaces.run(rule.insert, inNetworkNamespaceOf: pid), rule.insert) }
    }

    /// Deletes every copy of `rules` still there, last added first; returns how many went.
    static func delete(_ rules: [FirewallRule], inNetworkNamespaceOf pid: Int, through namespaces: any NetworkNamespaceAccess) throws -> Int {
        var removed = 0
        for rule in rules.reversed() {
            // -C succeeds while the rule exists; delete until it does not (a rule is added once, but be thorough).
            while try namespaces.run(rule.check, inNetworkNamespaceOf: pid).succeeded {
                try require(namespaces.run(rule.delete, inNetworkNamespaceOf: pid), rule.delete)
                removed += 1
            }
        }
        return removed
    }

    static func require(_ result: CommandResult, _ argv: [String]) throws {
        guard result.succeeded else { throw NetworkFaultError.command(argv.joined(separator: " "), result.output) }
    }
}

/// A network tool refused.
public enum NetworkFaultError: Error, CustomStringConvertible, Equatable {
    case command(String, String)

    public var description: String {
        switch self {
        case .command(let command, let output): return "'\(command)' failed: \(output.isEmpty ? "no output" : output)"
        }
    }
}
