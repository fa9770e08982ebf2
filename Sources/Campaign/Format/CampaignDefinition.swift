/// A chaos campaign as its file describes it, validated: targets, probes, a timeline of faults
/// (and/or a random chaos mode), the hypothesis and the stop conditions.
public struct CampaignDefinition: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// Seeds every random choice (jitter, random picks, chaos mode): same seed, same plan.
    public var seed: UInt64
    public var settings: CampaignSettings
    public var targets: [TargetSelector]
    /// TCP fault proxies run in this process for the whole run (`toxic` faults act on them).
    public var proxies: [ProxyDefinition] = []
    public var probes: [ProbeDefinition]
    public var timeline: [TimelineEntry]
    public var chaos: ChaosMode?
    public var hypothesis: Hypothesis
    public var stopWhen: [StopCondition]
    /// The `${NAME}` variables it referred to and whether each was set (names only).
    public var variables = CampaignVariables()

    public func target(named name: String) -> TargetSelector? { targets.first { $0.name == name } }
    public func proxy(named name: String) -> ProxyDefinition? { proxies.first { $0.name == name } }
    public func probe(named name: String) -> ProbeDefinition? { probes.first { $0.name == name } }
}

/// Campaign-wide settings.
public struct CampaignSettings: Sendable, Equatable {
    /// The most distinct containers the plan may touch.
    public var blastRadius: Int = 5
    public var revertTimeout: Duration = .seconds(30)
    /// How long to keep probing after the last window for the probes to recover.
    public var recoveryLimit: Duration = .seconds(30)
    /// Ok samples in a row that count as recovered.
    public var consecutiveOK: Int = 3
    /// Whether the host's neighbour entry of a target that starts again is refreshed, so that probes
    /// through its bridge address measure the service, not the host's ARP retry timer
    /// (see `BridgeNeighbourRefresher`).
    public var refreshNeighbours = true
    /// How `run --trials N` plans trials after the first.
    public var trialPlan: TrialPlan = .replay

    public init() {}
}

/// How the trials of `run --trials N` are planned.
public enum TrialPlan: String, Sendable, Equatable, CaseIterable {
    /// Every trial runs the first trial's plan again (same faults, instants and containers):
    /// the trials differ only by how the system behaved.
    case replay
    /// Trial i plans afresh with seed + i − 1: random picks, jitter and chaos mode vary too.
    case reseed
}
