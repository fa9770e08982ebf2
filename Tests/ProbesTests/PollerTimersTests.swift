@testable import Probes
import Testing

@Suite struct PollerTimersTests {
    // Due actions come out earliest first whatever order they were added in; cancelled ones never.
    @Test func firesInDeadlineOrderAndSkipsCancelled() {
        var timers = PollerTimers()
        let origin = ContinuousClock.now
        var fired: [Int] = []
        for offset in [30, 10, 50, 20, 40] {
            timers.add(at: origin + .milliseconds(offset)) { fired.append(offset) }
        }
        let cancelled = timers.add(at: origin + .milliseconds(15)) { fired.append(15) }
        timers.cancel(cancelled)
        while let due = timers.popDue(now: origin + .milliseconds(35)) { due() }
        #expect(fired == [10, 20, 30])
        while let due = timers.popDue(now: origin + .seconds(1)) { due() }
        #expect(fired == [10, 20, 30, 40, 50])
        #expect(timers.isEmpty)
    }

    // epoll_pwait2's time-out: none when nothing is pending, 0 when due, else to the nanosecond.
    @Test func waitsUntilTheNextLiveDeadline() {
        var timers = PollerTimers()
        let origin = ContinuousClock.now
        #expect(timers.nanosecondsUntilNext(now: origin) == -1)
        let early = timers.add(at: origin + .microseconds(2_500)) {}
        timers.add(at: origin + .milliseconds(7)) {}
        #expect(timers.nanosecondsUntilNext(now: origin) == 2_500_000)
        timers.cancel(early)
        #expect(timers.nanosecondsUntilNext(now: origin) == 7_000_000)
        #expect(timers.nanosecondsUntilNext(now: origin + .seconds(1)) == 0)
    }
}
