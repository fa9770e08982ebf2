import FaultlineSupport

/// Injects and reverts iptables rules in the network namespace of the host faultline runs on (a
/// node's `isolate`): every rule carries the fault's mark, so the revert deletes exactly those and
/// never a rule that was there before. Idempotent: a rule that is gone (deleted, or the host
/// rebooted) is not looked for twice.
public struct HostNetworkRulesStep: Sendable, Equatable, Codable {
    /// The node's name, for messages.
    public let node: String
    public let rules: [FirewallRule]

    public init(node: String, rules: [FirewallRule]) {
        self.node = node
        self.rules = rules
    }

    /// Adds every rule; throws at the first that fails (the injector then reverts what was added).
    func inject(in environment: FaultEnvironment) async throws {
        let namespaces = environment.namespaces, rules = rules
        try await BlockingIO.run { try NetworkRulesStep.insert(rules, inNetworkNamespaceOf: IsolateFault.hostProcess, through: namespaces) }
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        let namespaces = environment.namespaces, rules = rules
        let node = node
        return try await BlockingIO.run { () throws -> RevertOutcome in
            let removed = try NetworkRulesStep.delete(rules, inNetworkNamespaceOf: IsolateFault.hostProcess, through: namespaces)
            return removed > 0 ? .restored : .alreadyClear("no rule of this fault was left on \(node)")
        }
    }
}
