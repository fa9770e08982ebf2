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
}

/// What happened when a fault was reverted.
public struct RevertReport: Sendable {
    public let fault: ActiveFault
    public let result: Result<RevertOutcome, RevertFailure>
    public let duration: Duration
    public let revertedAt: Date

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
