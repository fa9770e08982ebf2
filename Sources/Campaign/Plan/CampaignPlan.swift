/// A container a plan acts on.
public struct PlannedTarget: Sendable, Equatable, Codable, Hashable {
    public let id: String
    public let name: String
    /// The fleet node whose engine runs it (nil: the one engine of a run without a fleet).
    public let node: String?

    public init(id: String, name: String, node: String? = nil) {
        self.id = id
        self.name = name
        self.node = node
    }

    /// `web`, or `web on edge-2` in a fleet.
    public var described: String { node.map { "\(name) on \($0)" } ?? name }

    /// By name, then node: the order plans and listings use.
    public static func inOrder(_ left: PlannedTarget, _ right: PlannedTarget) -> Bool {
        (left.name, left.node ?? "") < (right.name, right.node ?? "")
    }
}

/// One concrete fault of a plan: what, on which container, when and for how long.
public struct PlannedFault: Sendable, Equatable, Codable {
    /// 1, 2, 3… in start order.
    public let index: Int
    /// Offset from the start of the fault phase.
    public let at: Duration
    /// The window; nil for one-shot faults.
    public let duration: Duration?
    public let fault: FaultSpec
    public let container: PlannedTarget
    /// Which entry produced it: `timeline[0]#2`, `chaos#4`.
    public let origin: String

    public init(index: Int, at: Duration, duration: Duration?, fault: FaultSpec, container: PlannedTarget, origin: String) {
        self.index = index
        self.at = at
        self.duration = duration
        self.fault = fault
        self.container = container
        self.origin = origin
    }

    public var end: Duration { at + (duration ?? .zero) }
}

/// The expanded plan: every fault fixed before anything is injected.
public struct CampaignPlan: Sendable, Equatable, Codable {
    public let seed: UInt64
    public let faults: [PlannedFault]
    /// Selector name → the containers it matched.
    public let targets: [String: [PlannedTarget]]

    public init(seed: UInt64, faults: [PlannedFault], targets: [String: [PlannedTarget]]) {
        self.seed = seed
        self.faults = faults
        self.targets = targets
    }

    /// When the last window ends.
    public var length: Duration { faults.map(\.end).max() ?? .zero }

    /// The fleet nodes whose containers the plan acts on, sorted.
    public var nodes: [String] { Array(Set(faults.filter { $0.fault.kind.subject != .proxy }.compactMap(\.container.node))).sorted() }

    /// Distinct containers touched (the campaign's proxies are not containers).
    public var containers: Set<PlannedTarget> { Set(faults.filter(\.fault.kind.actsOnContainer).map(\.container)) }
}
