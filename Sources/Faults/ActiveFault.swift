import Foundation

/// A fault that has been injected and recorded in the ledger, not yet reverted.
public struct ActiveFault: Sendable {
    public let id: String
    public let kind: FaultKind
    public let summary: String
    public let target: LedgerRecord.Target
    public let revert: RevertPlan
    public let injectedAt: Date
    /// How long the inject call took.
    public let injectDuration: Duration
    /// For faults that live in this process: undoes the fault in place of the plan.
    public let localRevert: (@Sendable () async -> RevertOutcome)?
    /// For network faults with a window: re-applies them after a restart; stopped before the revert.
    public let keeper: RestartKeeper?

    init(id: String, kind: FaultKind, summary: String, target: LedgerRecord.Target, revert: RevertPlan, injectedAt: Date,
         injectDuration: Duration, localRevert: (@Sendable () async -> RevertOutcome)? = nil, keeper: RestartKeeper? = nil) {
        self.id = id
        self.kind = kind
        self.summary = summary
        self.target = target
        self.revert = revert
        self.injectedAt = injectedAt
        self.injectDuration = injectDuration
        self.localRevert = localRevert
        self.keeper = keeper
    }

    func with(keeper: RestartKeeper) -> ActiveFault {
        ActiveFault(id: id, kind: kind, summary: summary, target: target, revert: revert, injectedAt: injectedAt,
                    injectDuration: injectDuration, localRevert: localRevert, keeper: keeper)
    }
}

/// What happened when a fault was reverted.
public struct RevertReport: Sendable {
    public let fault: ActiveFault
    public let result: Result<RevertOutcome, RevertFailure>
    public let duration: Duration
    public let revertedAt: Date
    /// How long the revert waited for an unreachable engine to answer again (nil: it never had to).
    public var engineUnreachable: Duration? = nil

    public var succeeded: Bool {
        if case .success = result { return true }
        return false
    }
}

/// A revert that did not succeed; the ledger entry stays open for `faultline recover`.
public struct RevertFailure: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
