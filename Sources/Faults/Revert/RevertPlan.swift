/// Everything needed to undo one injected fault, stored in the ledger before the inject, so that
/// any later faultline process can revert it. Every step is idempotent.
public enum RevertPlan: Sendable, Equatable, Codable {
    /// One-shot faults: nothing to undo.
    case nothing
    case unpause(UnpauseStep)
    case startAgain(StartAgainStep)
    case cgroup(CgroupRestoreStep)
    case reconnect(ReconnectStep)
    case network(NetworkRulesStep)
    /// The fault lived in the faultline process that injected it (a proxy's toxics) and ended with it.
    case inProcess(InProcessStep)
    /// A Swarm node's availability set back (drain).
    case nodeAvailability(NodeAvailabilityStep)
    /// Marked iptables rules deleted from the host's own namespace (isolate).
    case hostNetwork(HostNetworkRulesStep)
    /// The processes a resource hog started in the container's cgroups, killed (cpu-hog,
    /// memory-hog, io-hog, the dns fault's resolver).
    case hog(HogStep)
    /// The one file a disk fill made, removed.
    case fillFile(FillFileStep)
    /// Several steps, in order (a hog's processes killed, then its scratch directory removed).
    indirect case steps([RevertPlan])

    /// Performs the step. Safe to call any number of times.
    public func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        switch self {
        case .nothing: return .nothingToRevert
        case .unpause(let step): return try await step.apply(in: environment)
        case .startAgain(let step): return try await step.apply(in: environment)
        case .cgroup(let step): return try await step.apply(in: environment)
        case .reconnect(let step): return try await step.apply(in: environment)
        case .network(let step): return try await step.apply(in: environment)
        case .nodeAvailability(let step): return try await step.apply(in: environment)
        case .hostNetwork(let step): return try await step.apply(in: environment)
        case .hog(let step): return try await step.apply(in: environment)
        case .fillFile(let step): return try await step.apply(in: environment)
        case .steps(let steps):
            // Every step runs, also after one that fails; the first failure is then reported.
            var outcomes: [RevertOutcome] = [], failure: (any Error)?
            for step in steps {
                do { outcomes.append(try await step.apply(in: environment)) } catch { failure = failure ?? error }
            }
            if let failure { throw failure }
            // A restored step's note (what a helper reports or counts) is kept: the plan is restored, noting it.
            return outcomes.first(where: \.carriesNote) ?? outcomes.first(where: \.isRestored) ?? outcomes.first ?? .nothingToRevert
        case .inProcess(let step): return .alreadyClear("\(step.what) lived in faultline process \(step.pid), which has ended")
        }
    }

    /// True for one-shot faults.
    public var isNothing: Bool { self == .nothing }

    // Encoded as {"step": "unpause", "detail": {...}} so the ledger stays readable.
    enum CodingKeys: String, CodingKey { case step, detail }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .step) {
        case "nothing": self = .nothing
        case "unpause": self = .unpause(try container.decode(UnpauseStep.self, forKey: .detail))
        case "start-again": self = .startAgain(try container.decode(StartAgainStep.self, forKey: .detail))
        case "cgroup": self = .cgroup(try container.decode(CgroupRestoreStep.self, forKey: .detail))
        case "reconnect": self = .reconnect(try container.decode(ReconnectStep.self, forKey: .detail))
        case "network": self = .network(try container.decode(NetworkRulesStep.self, forKey: .detail))
        case "in-process": self = .inProcess(try container.decode(InProcessStep.self, forKey: .detail))
        case "node-availability": self = .nodeAvailability(try container.decode(NodeAvailabilityStep.self, forKey: .detail))
        case "host-network": self = .hostNetwork(try container.decode(HostNetworkRulesStep.self, forKey: .detail))
        case "hog": self = .hog(try container.decode(HogStep.self, forKey: .detail))
        case "fill-file": self = .fillFile(try container.decode(FillFileStep.self, forKey: .detail))
        case "steps": self = .steps(try container.decode([RevertPlan].self, forKey: .detail))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .step, in: container, debugDescription: "unknown revert step '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .nothing: try container.encode("nothing", forKey: .step)
        case .unpause(let step):
            try container.encode("unpause", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .startAgain(let step):
            try container.encode("start-again", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .cgroup(let step):
            try container.encode("cgroup", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .reconnect(let step):
            try container.encode("reconnect", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .network(let step):
            try container.encode("network", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .inProcess(let step):
            try container.encode("in-process", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .hog(let step):
            try container.encode("hog", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .fillFile(let step):
            try container.encode("fill-file", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .steps(let steps):
            try container.encode("steps", forKey: .step)
            try container.encode(steps, forKey: .detail)
        case .nodeAvailability(let step):
            try container.encode("node-availability", forKey: .step)
            try container.encode(step, forKey: .detail)
        case .hostNetwork(let step):
            try container.encode("host-network", forKey: .step)
            try container.encode(step, forKey: .detail)
        }
    }
}
