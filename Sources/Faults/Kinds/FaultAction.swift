import DockerEngine

/// One kind of fault with its parameters. The contract (see docs/ADDING_A_FAULT.md):
/// - `prepare` only reads: it checks that the fault applies to the target and captures, as a
///   `RevertPlan`, everything needed to restore it exactly, from the ledger alone, in another process.
/// - The returned `inject` closure changes the target. It is called only after the plan is in the ledger.
/// - The plan's revert is idempotent and is never skipped (`FaultInjector` runs it detached from
///   cancellation, with its own time-out).
public protocol FaultAction: Sendable {
    var kind: FaultKind { get }
    /// The fault and its parameters in a few words: `pause`, `cpu 0.2 cores`, `kill SIGTERM`.
    var summary: String { get }
    func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault
    /// The same, knowing the window the fault will hold (nil: one-shot): a fault that starts
    /// something of its own (a resource hog) gives it a deadline of its own from it.
    func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault
}

extension FaultAction {
    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault {
        try await prepare(target, in: environment)
    }
}

/// What `prepare` produced: how to inject, and how to undo it.
public struct PreparedFault: Sendable {
    public let revert: RevertPlan
    public let inject: @Sendable (FaultEnvironment) async throws -> Void
    /// A directory on this host whose filesystem the fault fills (disk-fill): the injector refuses
    /// it when that filesystem also holds its ledger.
    public let fills: String?
    /// What was prepared, when it says more than the action's summary (which mechanism runs it).
    public let summary: String?

    public init(revert: RevertPlan, fills: String? = nil, summary: String? = nil, inject: @escaping @Sendable (FaultEnvironment) async throws -> Void) {
        self.revert = revert
        self.fills = fills
        self.summary = summary
        self.inject = inject
    }
}
