@testable import FaultlineSupport
import Testing

/// The precise clock's timer: sleepers wake at or after their deadline, in deadline order; a
/// cancelled sleeper ends at once and leaves nothing behind, whenever the cancellation comes.
@Suite struct PreciseClockTests {
    // Many sleepers at scattered deadlines: none wakes before its deadline, and a sleeper with a
    // sooner deadline registered after a later one still wakes first.
    @Test func wakesEverySleeperAtItsDeadline() async throws {
        let timer = PreciseTimer()
        let start = ContinuousClock.now
        let offsets = (0..<60).map { _ in Int.random(in: 5...300) }
        let wakes = try await withThrowingTaskGroup(of: (offset: Int, at: ContinuousClock.Instant).self) { group in
            for offset in offsets {
                group.addTask {
                    try await timer.sleep(until: start + .milliseconds(offset))
                    return (offset, ContinuousClock.now)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(wakes.count == offsets.count)
        for wake in wakes {
            #expect(wake.at >= start + .milliseconds(wake.offset), "woke \(start.duration(to: wake.at)) for \(wake.offset) ms")
            // A bound no loaded machine misses; how late is the scheduler benchmark's business.
            #expect(wake.at < start + .milliseconds(wake.offset) + .seconds(2))
        }
        #expect(timer.waiting == 0)
    }

    // A long sleep cancelled while waiting throws CancellationError at once; one in a task
    // cancelled before it slept throws without waiting; a deadline already past returns at once.
    @Test func cancellationEndsASleepAtOnce() async throws {
        let timer = PreciseTimer()
        let started = ContinuousClock.now
        let sleeper = Task { try await timer.sleep(until: .now + .seconds(60)) }
        for _ in 0..<500 where timer.waiting == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(timer.waiting == 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(timer.waiting == 0)

        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await timer.sleep(until: .now + .seconds(60))
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(timer.waiting == 0)

        try await timer.sleep(until: .now - .seconds(1))
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    // Cancellations racing the sleeps' registration, from many tasks: every sleep ends (no
    // continuation is lost or resumed twice, which would crash) and none stays registered.
    @Test func cancellationRacingRegistrationLosesNothing() async throws {
        let timer = PreciseTimer()
        let tasks = (0..<200).map { index in
            Task { try await timer.sleep(until: .now + (index % 2 == 0 ? .seconds(60) : .microseconds(index))) }
        }
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        #expect(timer.waiting == 0)
    }

    // The heap pops in deadline order whatever the order of pushes.
    @Test func heapPopsInDeadlineOrder() {
        var heap = DeadlineHeap()
        let base = ContinuousClock.now
        let offsets = (0..<500).map { _ in Int.random(in: 0...10_000) }
        for (id, offset) in offsets.enumerated() { heap.push(deadline: base + .microseconds(offset), id: id) }
        var popped: [ContinuousClock.Instant] = []
        while let first = heap.first {
            popped.append(first.deadline)
            heap.pop()
        }
        #expect(popped.count == offsets.count)
        #expect(popped == popped.sorted())
    }

    // The clock is the continuous clock: its instants are the same ones.
    @Test func clockSleepsOnTheContinuousTimeline() async throws {
        let clock = PreciseClock()
        let deadline = clock.now + .milliseconds(10)
        try await clock.sleep(until: deadline)
        #expect(ContinuousClock.now >= deadline)
    }
}
