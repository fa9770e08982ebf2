import DockerEngine
import FaultlineSupport
import Foundation
import Synchronization
import Logging

/// Injects faults through the write-ahead ledger and reverts them, never skipping a revert.
///
/// Order of events for one fault: `prepare` (reads only) → ledger `intent` (fsync) → inject →
/// ledger `injected` → … window … → revert (detached from cancellation, with its own time-out) →
/// ledger `reverted`. If the inject fails, the revert runs at once: a half-applied fault is
/// undone before the error is reported.
public struct FaultInjector: Sendable {
    public let environment: FaultEnvironment
    public let ledger: FaultLedger
    public let owner: ProcessOwner
    /// How long one revert may take before it is reported as failed (and left to `recover`).
    public let revertTimeout: Duration
    /// Added to a window's end to make the entry's hard deadline.
    public let deadlineGrace: Duration
    /// faultline's own container, when it runs in one: never a target (`TargetProtection`).
    public let ownContainerID: String?

    public init(environment: FaultEnvironment, ledger: FaultLedger, owner: ProcessOwner = .current(),
                revertTimeout: Duration = .seconds(30), deadlineGrace: Duration = .seconds(10),
                ownContainerID: String? = SelfContainer.current) {
        self.ownContainerID = ownContainerID
        self.environment = environment
        self.ledger = ledger
        self.owner = owner
        self.revertTimeout = revertTimeout
        self.deadlineGrace = deadlineGrace
    }

    /// Prepares, records and injects `action` on `target`. `window` (nil for one-shot faults)
    /// only sets the ledger deadline; the caller waits and then calls `revert`. A network fault
    /// with a window is kept across restarts of the container inside it; `onReapply` hears each.
    public func inject(_ action: some FaultAction, on target: ContainerDetails, window: Duration?,
                       onReapply: (@Sendable (RestartKeeper.Reapply) -> Void)? = nil) async throws -> ActiveFault {
        // Every path that injects passes here (inject, run, replay, the daemon): a container that is
        // protected now is refused, whatever a plan or a journal said about it earlier.
        if let refusal = TargetProtection.refusal(for: target, ownContainerID: ownContainerID) { throw refusal }
        let prepared = try await action.prepare(target, in: environment, window: window)
        let watchFrom = Date()
        let fault = try await inject(prepared, kind: action.kind, summary: prepared.summary ?? action.summary,
                                     target: LedgerRecord.Target(id: target.id, name: target.name), window: window)
        guard window != nil, case .network(let step) = prepared.revert, let starts = environment.starts else { return fault }
        return fault.with(keeper: RestartKeeper.start(step, since: watchFrom, watcher: starts, environment: environment,
                                                      report: onReapply ?? { _ in }))
    }

    /// Prepares, records and injects a drain on a Swarm node (`idOrName`: its id or host name)
    /// through the environment's manager; the ledger names the node as the target.
    public func inject(_ drain: DrainFault, onSwarmNode idOrName: String, window: Duration?) async throws -> ActiveFault {
        let (node, prepared) = try await drain.prepare(node: idOrName, in: environment)
        return try await inject(prepared, kind: drain.kind, summary: drain.summary,
                                target: LedgerRecord.Target(id: node.id, name: node.name), window: window)
    }

    /// Prepares, records and injects the isolation of the node this process runs on (`node`:
    /// its Swarm id and name, for the ledger) from the fault's peers.
    public func inject(_ isolate: IsolateFault, onThisNode node: LedgerRecord.Target, window: Duration?) async throws -> ActiveFault {
        let prepared = try isolate.prepare(node: node.name)
        return try await inject(prepared, kind: isolate.kind, summary: isolate.summary, target: node, window: window)
    }

    /// Records a prepared fault in the ledger and injects it. `localRevert` is for faults that live
    /// in this process (a proxy's toxics): the revert calls it instead of the plan.
    public func inject(_ prepared: PreparedFault, kind: FaultKind, summary: String, target targetRef: LedgerRecord.Target,
                       window: Duration?, localRevert: (@Sendable () async -> RevertOutcome)? = nil) async throws -> ActiveFault {
        if let filled = prepared.fills, ledger.sharesFilesystem(with: filled) {
            throw FaultError.notApplicable(
                kind: kind, target: targetRef.name,
                reason: "the directory shares a filesystem with faultline's ledger (\(ledger.directory)), and a full disk there stops the ledger recording reverts; fill a volume on a filesystem of its own, or keep the state directory elsewhere (--state-dir)")
        }
        let id = UUID().uuidString.lowercased()
        let deadline = window.map { Timestamp.iso8601(Date().addingTimeInterval(($0 + deadlineGrace).seconds)) }
        var logger = environment.logger
        logger[metadataKey: LogKey.faultID] = "\(id)"
        logger[metadataKey: LogKey.faultKind] = "\(kind.rawValue)"
        logger[metadataKey: LogKey.container] = "\(targetRef.name)"

        try await ledger.append(LedgerRecord(event: .intent, faultID: id, at: Timestamp.iso8601(), kind: kind,
                                       summary: summary, target: targetRef, revert: prepared.revert,
                                       deadline: deadline, owner: owner, engine: environment.engineAddress))
        let clock = ContinuousClock()
        let started = clock.now
        let injectedAt = Date()
        let fault = ActiveFault(id: id, kind: kind, summary: summary, target: targetRef,
                                revert: prepared.revert, injectedAt: injectedAt, injectDuration: .zero, localRevert: localRevert)
        do {
            try await prepared.inject(environment)
        } catch {
            logger.warning("inject failed; reverting", metadata: [LogKey.error: "\(error)"])
            let report = await revert(fault)
            let revertText: String
            switch report.result {
            case .success(let outcome): revertText = outcome.description
            case .failure(let failure): revertText = "FAILED (\(failure)); run `faultline recover`"
            }
            throw FaultError.injectFailed(kind: kind, target: targetRef.name, cause: error, revert: revertText)
        }
        let elapsed = clock.now - started
        do {
            try await ledger.append(LedgerRecord(event: .injected, faultID: id, at: Timestamp.iso8601()))
        } catch {
            _ = await revert(fault)
            throw error
        }
        logger.debug("injected", metadata: [LogKey.durationMS: "\(elapsed.milliseconds)"])
        return ActiveFault(id: id, kind: kind, summary: summary, target: targetRef, revert: prepared.revert,
                           injectedAt: injectedAt, injectDuration: elapsed, localRevert: localRevert)
    }

    /// Reverts `fault` and records the result. Runs detached from the caller's cancellation with
    /// `revertTimeout`; never throws: a failure is reported and the ledger entry stays open.
    public func revert(_ fault: ActiveFault) async -> RevertReport {
        await fault.keeper?.stop()
        if let local = fault.localRevert {
            return await Self.revert(faultID: fault.id, describing: "\(fault.summary) on \(fault.target.name)", environment: environment,
                                     ledger: ledger, timeout: revertTimeout) { _ in await local() }.report(for: fault)
        }
        return await Self.revert(plan: fault.revert, faultID: fault.id, describing: "\(fault.summary) on \(fault.target.name)",
                          environment: environment, ledger: ledger, timeout: revertTimeout).report(for: fault)
    }

    /// The revert shared by the injector and recovery.
    static func revert(plan: RevertPlan, faultID: String, describing what: String, environment: FaultEnvironment,
                       ledger: FaultLedger, timeout: Duration) async -> RawRevert {
        await revert(faultID: faultID, describing: what, environment: environment, ledger: ledger, timeout: timeout) { environment in
            try await plan.apply(in: environment)
        }
    }

    static func revert(faultID: String, describing what: String, environment: FaultEnvironment, ledger: FaultLedger, timeout: Duration,
                       undo: @escaping @Sendable (FaultEnvironment) async throws -> RevertOutcome) async -> RawRevert {
        let clock = ContinuousClock()
        let started = clock.now
        let result: Result<RevertOutcome, RevertFailure>
        let unreachable = Mutex<Duration?>(nil)
        do {
            let outcome = try await runDetached("revert of \(what)", limit: timeout) {
                try await EngineOutageRetry.run(what: "revert of \(what)", until: started + timeout, logger: environment.logger,
                                                unreachableFor: { duration in unreachable.withLock { $0 = duration } }) {
                    try await undo(environment)
                }
            }
            result = .success(outcome)
        } catch {
            result = .failure(RevertFailure(message: "\(error)"))
        }
        let duration = clock.now - started
        do {
            switch result {
            case .success(let outcome):
                try await ledger.append(LedgerRecord(event: .reverted, faultID: faultID, at: Timestamp.iso8601(), outcome: outcome))
            case .failure(let failure):
                try await ledger.append(LedgerRecord(event: .revertFailed, faultID: faultID, at: Timestamp.iso8601(), error: failure.message))
            }
        } catch {
            environment.logger.error("could not record the revert in the ledger", metadata: [LogKey.error: "\(error)"])
        }
        return RawRevert(result: result, duration: duration, at: Date(), engineUnreachable: unreachable.withLock { $0 })
    }

    struct RawRevert {
        let result: Result<RevertOutcome, RevertFailure>
        let duration: Duration
        let at: Date
        let engineUnreachable: Duration?
        func report(for fault: ActiveFault) -> RevertReport {
            RevertReport(fault: fault, result: result, duration: duration, revertedAt: at, engineUnreachable: engineUnreachable)
        }
    }
}
