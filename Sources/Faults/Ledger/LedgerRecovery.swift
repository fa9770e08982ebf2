import DockerEngine
import FaultlineSupport
import Foundation
import Logging

/// Reverts every open ledger entry whose owner process is gone: what a crashed or killed run left.
/// Entries owned by a live faultline process are left to it unless `includeLiveOwners` is set.
/// Each entry is reverted on the engine its intent names (`LedgerRecord.engine`), whichever engine
/// this recovery was pointed at: a fault is never "reverted" on an engine that never had it.
public struct LedgerRecovery: Sendable {
    public let environment: FaultEnvironment
    public let ledger: FaultLedger
    public let revertTimeout: Duration
    /// Reaches an engine other than `environment`'s, named by an entry.
    public let otherEngine: @Sendable (_ address: String, _ logger: Logger) async throws -> FaultEnvironment

    public init(environment: FaultEnvironment, ledger: FaultLedger, revertTimeout: Duration = .seconds(30),
                otherEngine: @escaping @Sendable (_ address: String, _ logger: Logger) async throws -> FaultEnvironment = LedgerRecovery.liveEngine) {
        self.environment = environment
        self.ledger = ledger
        self.revertTimeout = revertTimeout
        self.otherEngine = otherEngine
    }

    /// Connects to the engine at `address` (as recorded in the ledger).
    public static let liveEngine: @Sendable (String, Logger) async throws -> FaultEnvironment = { address, logger in
        let engine = try await DockerEngineClient.connect(to: try EngineEndpoint.parse(address), logger: logger)
        return .live(engine: engine, logger: logger)
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
        /// Ledger lines that are not records (a torn write, an edit): reported, never silently dropped.
        public var unreadable: [FaultLedger.UnreadableLine] = []
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
            let contents = try ledger.read()
            report.unreadable = contents.unreadable
            if !contents.unreadable.isEmpty {
                environment.logger.warning("ledger lines that are not records", metadata: [
                    "path": "\(ledger.path)", "lines": "\(contents.unreadable.map(\.description).joined(separator: "; "))"])
            }
            var engines: [String: Result<FaultEnvironment, RevertFailure>] = [:]
            for entry in LedgerEntry.fold(contents.records) where entry.isOpen {
                guard shouldRevert(entry) else {
                    report.skippedLive.append(entry)
                    continue
                }
                let plan = entry.intent.revert ?? .nothing
                let what = "\(entry.intent.summary ?? entry.intent.kind?.rawValue ?? "fault") on \(entry.targetName)"
                environment.logger.info("recovering", metadata: [LogKey.faultID: "\(entry.faultID)", LogKey.container: "\(entry.targetName)"])
                let target: FaultEnvironment
                switch await environment(for: entry, cache: &engines) {
                case .success(let found): target = found
                case .failure(let failure):
                    try? await ledger.append(LedgerRecord(event: .revertFailed, faultID: entry.faultID, at: Timestamp.iso8601(), error: failure.message))
                    report.reverted.append(Item(entry: entry, result: .failure(failure)))
                    continue
                }
                let raw = await FaultInjector.revert(plan: plan, faultID: entry.faultID, describing: what,
                                                     environment: target, ledger: ledger, timeout: revertTimeout)
                report.reverted.append(Item(entry: entry, result: raw.result))
            }
            ledger.compactIfIdle()
            return report
        }
    }

    /// The environment of the engine `entry` was injected through.
    private func environment(for entry: LedgerEntry, cache: inout [String: Result<FaultEnvironment, RevertFailure>]) async
        -> Result<FaultEnvironment, RevertFailure> {
        guard let address = entry.intent.engine, address != environment.engineAddress else { return .success(environment) }
        if let known = cache[address] { return known }
        let result: Result<FaultEnvironment, RevertFailure>
        do {
            result = .success(try await otherEngine(address, environment.logger))
        } catch {
            result = .failure(RevertFailure(message: "it was injected through the engine at \(address), which cannot be reached (\(error)); "
                                            + "it stays open until that engine answers"))
        }
        cache[address] = result
        return result
    }
}
