@testable import Campaign
import Faults
import Synchronization
import Testing

/// Records what the scheduler asked for, with the manual clock's time.
final class RecordingExecutor: FaultExecutor, Sendable {
    typealias Handle = Int
    let clock: ManualClock
    private let log = Mutex<[String]>([])
    let failing: Set<Int>

    init(clock: ManualClock, failing: Set<Int> = []) {
        self.clock = clock
        self.failing = failing
    }

    var entries: [String] { log.withLock { $0 } }

    func inject(_ fault: PlannedFault) async throws -> Int {
        if failing.contains(fault.index) { throw FaultError.unsupported(kind: fault.fault.kind, reason: "test") }
        log.withLock { $0.append("inject #\(fault.index) at \(clock.now.offset)") }
        return fault.index
    }

    func revert(_ handle: Int, of fault: PlannedFault) async {
        log.withLock { $0.append("revert #\(handle) at \(clock.now.offset)") }
    }
}

@Suite struct CampaignSchedulerTests {
    static func plan() -> CampaignPlan {
        let db = PlannedTarget(id: "d", name: "db"), web = PlannedTarget(id: "w", name: "web")
        return CampaignPlan(seed: 1, faults: [
            PlannedFault(index: 1, at: .seconds(1), duration: .seconds(2), fault: FaultSpec(kind: .pause, target: "db"), container: db, origin: "t"),
            PlannedFault(index: 2, at: .seconds(2), duration: nil, fault: FaultSpec(kind: .restart, target: "web"), container: web, origin: "t"),
            PlannedFault(index: 3, at: .seconds(5), duration: .seconds(1), fault: FaultSpec(kind: .stop, target: "web"), container: web, origin: "t"),
        ], targets: [:])
    }

    /// Advances the clock second by second, letting the scheduler's tasks run between steps.
    static func drive(_ clock: ManualClock, to end: Int) async {
        for second in 0...end {
            clock.advance(to: .seconds(second))
            for _ in 0..<200 { await Task.yield() }
        }
    }

    // Faults are injected at their offsets and reverted when their windows end; one-shot at once.
    @Test func injectsAndRevertsOnTime() async {
        let clock = ManualClock()
        let executor = RecordingExecutor(clock: clock)
        let scheduler = CampaignScheduler(plan: Self.plan(), clock: clock) { _ in }
        let run = Task { await scheduler.run(with: executor) }
        await Self.drive(clock, to: 7)
        await run.value
        #expect(executor.entries == [
            "inject #1 at 1.0 seconds", "inject #2 at 2.0 seconds", "revert #2 at 2.0 seconds",
            "revert #1 at 3.0 seconds", "inject #3 at 5.0 seconds", "revert #3 at 6.0 seconds",
        ])
    }

    // An abort reverts what is injected at once and skips what has not started.
    @Test func abortRevertsAndSkips() async {
        let clock = ManualClock()
        let executor = RecordingExecutor(clock: clock)
        let skipped = Mutex<[Int]>([])
        let scheduler = CampaignScheduler(plan: Self.plan(), clock: clock) { event in
            if case .skipped(let fault, _) = event { skipped.withLock { $0.append(fault.index) } }
        }
        let run = Task { await scheduler.run(with: executor) }
        await Self.drive(clock, to: 1)
        await scheduler.abort()
        await run.value
        #expect(executor.entries == ["inject #1 at 1.0 seconds", "revert #1 at 1.0 seconds"])
        #expect(skipped.withLock { $0.sorted() } == [2, 3])
    }

    // A fault whose inject fails is reported and not reverted; the others go on.
    @Test func failedInjectDoesNotStopTheRest() async {
        let clock = ManualClock()
        let executor = RecordingExecutor(clock: clock, failing: [1])
        let failures = Mutex<[Int]>([])
        let scheduler = CampaignScheduler(plan: Self.plan(), clock: clock) { event in
            if case .injectFailed(let fault, _, _) = event { failures.withLock { $0.append(fault.index) } }
        }
        let run = Task { await scheduler.run(with: executor) }
        await Self.drive(clock, to: 7)
        await run.value
        #expect(failures.withLock { $0 } == [1])
        #expect(!executor.entries.contains { $0.hasPrefix("revert #1") })
        #expect(executor.entries.contains("revert #3 at 6.0 seconds"))
    }
}
