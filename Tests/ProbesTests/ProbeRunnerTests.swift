import Foundation
@testable import Probes
import Synchronization
import Testing

/// A fake probe that records overlapping checks.
protocol OverlapCounting: Probe { var overlapCount: Int { get } }

/// A probe that takes a fixed time and records overlapping calls.
final class FakeProbe: OverlapCounting {
    let name: String
    let timeout: Duration = .seconds(5)
    let delay: Duration
    let outcome: ProbeOutcome
    private let running = Mutex(0)
    private let overlaps = Mutex(0)

    init(name: String, delay: Duration, outcome: ProbeOutcome = .ok) {
        self.name = name
        self.delay = delay
        self.outcome = outcome
    }

    var overlapCount: Int { overlaps.withLock { $0 } }

    func check() async -> ProbeCheck {
        let concurrent = running.withLock { $0 += 1; return $0 }
        if concurrent > 1 { overlaps.withLock { $0 += 1 } }
        try? await Task.sleep(for: delay)
        running.withLock { $0 -= 1 }
        return ProbeCheck(outcome, "fake")
    }
}

/// The same, as a polled probe: its check is a deadline on the poller's thread.
final class FakePolledProbe: PolledProbe, OverlapCounting {
    let name: String
    let poller = ProbePoller.assign()
    let timeout: Duration = .seconds(5)
    let delay: Duration
    private let running = Mutex(0)
    private let overlaps = Mutex(0)

    init(name: String, delay: Duration) {
        self.name = name
        self.delay = delay
    }

    var overlapCount: Int { overlaps.withLock { $0 } }

    func begin(on poller: ProbePoller, done: @escaping (ProbeCheck) -> Void) {
        let concurrent = running.withLock { $0 += 1; return $0 }
        if concurrent > 1 { overlaps.withLock { $0 += 1 } }
        poller.after(delay) { [self] in
            running.withLock { $0 -= 1 }
            done(ProbeCheck(.ok, "fake"))
        }
    }
}

/// A fake probe of either kind: a task of its own, or steps on the poller.
func fake(_ name: String, delay: Duration, polled: Bool) -> any OverlapCounting {
    polled ? FakePolledProbe(name: name, delay: delay) : FakeProbe(name: name, delay: delay)
}

/// Every runner test runs with both kinds of probe: a task each, and steps on the shared poller.
@Suite struct ProbeRunnerTests {
    func collect(_ runner: ProbeRunner) async -> [ProbeSample] {
        var all: [ProbeSample] = []
        for await sample in runner.samples { all.append(sample) }
        return all
    }

    // A 20 ms cadence never runs more often than planned (≤ 75 + 1 in 1.5 s, at most one sample
    // per tick of its phase grid) and numbers samples 1, 2, 3…; under load it may run less often
    // (ticks are skipped, never bunched), so the lower bound is loose: a cold CI start that launches
    // every suite at once starved the process for about half a second.
    @Test(arguments: [false, true]) func keepsCadence(polled: Bool) async {
        let runner = ProbeRunner([.init(probe: fake("fast", delay: .zero, polled: polled), every: .milliseconds(20))])
        runner.start(for: .milliseconds(1500))
        let samples = await collect(runner)
        #expect((3...76).contains(samples.count), "got \(samples.count)")
        #expect(samples.map(\.sequence) == Array(1...samples.count))
        // Each sample falls in its own 20 ms tick of the phase grid: never two per tick. The grid starts
        // microseconds before the first sample, so 0.2 ms of tolerance keeps an on-time sample in its own
        // tick; a larger one would push a sample that was nearly a tick late into the next one.
        let first = samples.first?.offset ?? .zero
        let slots = samples.map { Int((($0.offset - first + .microseconds(200)).seconds / 0.020).rounded(.down)) }
        #expect(zip(slots, slots.dropFirst()).allSatisfy { $0 < $1 }, "ticks \(slots), offsets \(samples.map { String(format: "%.3f", ($0.offset - first).milliseconds) })")
    }

    // A check slower than the interval is never overlapped: missed ticks are skipped.
    @Test(arguments: [false, true]) func neverOverlaps(polled: Bool) async {
        let slow = fake("slow", delay: .milliseconds(50), polled: polled)
        let runner = ProbeRunner([.init(probe: slow, every: .milliseconds(10))])
        runner.start(for: .milliseconds(1200))
        let samples = await collect(runner)
        #expect(slow.overlapCount == 0)
        for (previous, next) in zip(samples, samples.dropFirst()) {
            #expect(next.offset >= previous.offset + previous.latency)
        }
        #expect((2...25).contains(samples.count), "got \(samples.count)")  // at most 1200 ms / 50 ms + 1
    }

    // A stuck probe does not hold up another: while the stuck one finishes a single 3 s check, the
    // fast one keeps sampling (loose bound: a loaded machine may skip many of its 60 ticks).
    @Test(arguments: [false, true]) func probesAreIndependent(polled: Bool) async {
        let runner = ProbeRunner([.init(probe: fake("stuck", delay: .seconds(3), polled: polled), every: .milliseconds(10)),
                                  .init(probe: fake("fast", delay: .zero, polled: polled), every: .milliseconds(20))])
        runner.start(for: .milliseconds(1200))
        let samples = await collect(runner)
        let stuck = samples.filter { $0.probe == "stuck" }
        #expect(stuck.count == 1)
        // Progress while the stuck check was under way proves independence; how much depends on
        // the machine's load (a cold CI run starting every suite at once gave 4 of 20 ticks).
        let during = samples.filter { $0.probe == "fast" && $0.offset > (stuck.first?.offset ?? .zero) }
        #expect(during.count >= 2)
    }

    // stop() ends the stream promptly after the current checks (well before the next second).
    @Test(arguments: [false, true]) func stops(polled: Bool) async {
        let runner = ProbeRunner([.init(probe: fake("p", delay: .milliseconds(5), polled: polled), every: .milliseconds(20))])
        runner.start()
        try? await Task.sleep(for: .milliseconds(100))
        let clock = ContinuousClock()
        let started = clock.now
        await runner.stop()
        _ = await collect(runner)
        #expect(clock.now - started < .milliseconds(1500))
    }

    // Both kinds in one runner: every probe reports, numbered from 1, and the run ends on time.
    @Test func mixedKindsShareOneRun() async {
        let runner = ProbeRunner([.init(probe: fake("task", delay: .milliseconds(1), polled: false), every: .milliseconds(50)),
                                  .init(probe: fake("polled", delay: .milliseconds(1), polled: true), every: .milliseconds(50))])
        let clock = ContinuousClock()
        let started = clock.now
        runner.start(for: .milliseconds(500))
        let samples = await collect(runner)
        #expect(clock.now - started < .milliseconds(1500))
        for name in ["task", "polled"] {
            let own = samples.filter { $0.probe == name }
            #expect((2...11).contains(own.count), "\(name): \(own.count) samples")
            #expect(own.map(\.sequence) == Array(1...max(own.count, 1)).prefix(own.count).map { $0 })
        }
    }
}
