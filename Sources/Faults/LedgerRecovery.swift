import FaultlineSupport
import Foundation
import Logging

/// Reverts every open ledger entry whose owner process is gone: what a crashed or killed run left.
/// Entries owned by a live faultline process are left to it unless `includeLiveOwners` is set.
public struct LedgerRecovery: Sendable {
    public let environment: FaultEnvironment
    public let ledger: FaultLedger
    public let revertTimeout: Duration

    public init(environment: FaultEnvironment, ledger: FaultLedger, revertTimeout: Duration = .seconds(30)) {
        self.environment = environment
        self.ledger = ledger
        self.revertTimeout = revertTimeout
    }

    /// One entry recovery handled.
    public struct Item: Sendable {
        public let entry: LedgerEntry
        public let result: Result<RevertOutcome, RevertFailure>
    }

    /// What recovery did.
    public struct Report: Sendable {
        public var reverted: [Item] = []
        /// Open entries of live faultline processes, left alone.
        public var skippedLive: [LedgerEntry] = []
        public var failures: [Item] { reverted.filter { if case .failure = $0.result { return true } else { return false } } }
    }

    public func recover(includeLiveOwners: Bool = false) async throws -> Report {
        try await recover { entry in
            includeLiveOwners || !(entry.intent.owner.map { $0.isAlive && $0.pid != getpid() } ?? false)
        }
    }

    /// What the warden reverts: entries whose owner is gone, and entries whose hard deadline (window
    /// end + grace) has passed even though their owner still lives (it is hung or too slow).
    public func recoverOrphansAndOverdue(now: Date = Date()) async throws -> Report {
        try await recover { entry in
            let ownerAlive = entry.intent.owner?.isAlive ?? false
            guard ownerAlive else { return true }
            // Only its living owner can undo a fault that lives in its process.
            if case .inProcess = entry.intent.revert { return false }
            guard let deadline = entry.intent.deadline.flatMap(Timestamp.parse) else { return false }
            return deadline <= now
        }
    }

    /// Reverts the open entries `shouldRevert` picks (under the ledger's recovery lock); the rest are
    /// reported as skipped.
    public func recover(where shouldRevert: (LedgerEntry) -> Bool) async throws -> Report {
        try await ledger.withRecoveryLock {
            var report = Report()
            for entry in try ledger.openEntries() {
                guard shouldRevert(entry) else {
                    report.skippedLive.append(entry)
                    continue
                }
                let plan = entry.intent.revert ?? .nothing
                let what = "\(entry.intent.summary ?? entry.intent.kind?.rawValue ?? "fault") on \(entry.targetName)"
                environment.logger.info("recovering", metadata: [LogKey.faultID: "\(entry.faultID)", LogKey.container: "\(entry.targetName)"])
                let raw = await FaultInjector.revert(plan: plan, faultID: entry.faultID, describing: what,
                                                     environment: environment, ledger: ledger, timeout: revertTimeout)
                report.reverted.append(Item(entry: entry, result: raw.result))
            }
            ledger.compactIfIdle()
            return report
        }
    }
}
