import Foundation

/// What the scheduler asks of the outside world: inject one planned fault, revert it.
public protocol FaultExecutor: Sendable {
    associatedtype Handle: Sendable
    func inject(_ fault: PlannedFault) async throws -> Handle
    /// Never throws; a failed revert is reported through the events and stays in the ledger.
    func revert(_ handle: Handle, of fault: PlannedFault) async
}

/// What happened, as the scheduler saw it (times are offsets on the scheduler's clock from its start).
public enum SchedulerEvent: Sendable {
    case injecting(PlannedFault, at: Duration)
    case injected(PlannedFault, at: Duration)
    case injectFailed(PlannedFault, at: Duration, error: String)
    case reverted(PlannedFault, at: Duration)
    case skipped(PlannedFault, reason: String)
}

/// Runs a plan on a clock: each fault is injected at its offset and reverted when its window ends
/// (measured from the actual inject). Faults run concurrently, so overlapping windows and faults
/// on several targets need no special case. `abort()` stops everything: pending faults are
/// skipped and every injected one is reverted at once.
///
/// The clock is injected so the logic is tested without sleeping (a manual clock) and measured on
/// the real one.
public actor CampaignScheduler<C: Clock> where C.Duration == Duration {
    private let plan: CampaignPlan
    private let clock: C
    private let emit: @Sendable (SchedulerEvent) -> Void
    private var aborted = false
    private var running: Task<Void, Never>?

    public init(plan: CampaignPlan, clock: C, emit: @escaping @Sendable (SchedulerEvent) -> Void) {
        self.plan = plan
        self.clock = clock
        self.emit = emit
    }

    /// Runs every fault; returns when all are reverted (or skipped after an abort).
    public func run<E: FaultExecutor>(with executor: E) async {
        let start = clock.now
        let plan = plan, clock = clock, emit = emit
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for fault in plan.faults {
                    group.addTask {
                        await Self.runOne(fault, start: start, clock: clock, executor: executor, emit: emit)
                    }
                }
            }
        }
        running = task
        if aborted { task.cancel() }
        await task.value
    }

    /// Skips what has not started and reverts what is injected, now.
    public func abort() {
        aborted = true
        running?.cancel()
    }

    static func runOne<E: FaultExecutor>(_ fault: PlannedFault, start: C.Instant, clock: C, executor: E,
                                        emit: @Sendable (SchedulerEvent) -> Void) async {
        do {
            try await clock.sleep(until: start.advanced(by: fault.at), tolerance: nil)
        } catch {
            emit(.skipped(fault, reason: "aborted before its start"))
            return
        }
        emit(.injecting(fault, at: start.duration(to: clock.now)))
        let handle: E.Handle
        do {
            handle = try await executor.inject(fault)
        } catch {
            emit(.injectFailed(fault, at: start.duration(to: clock.now), error: "\(error)"))
            return
        }
        let injectedAt = clock.now
        emit(.injected(fault, at: start.duration(to: injectedAt)))
        if let duration = fault.duration {
            // Cancellation (an abort) ends the window early; the revert runs either way.
            try? await clock.sleep(until: injectedAt.advanced(by: duration), tolerance: nil)
        }
        await executor.revert(handle, of: fault)
        emit(.reverted(fault, at: start.duration(to: clock.now)))
    }
}
