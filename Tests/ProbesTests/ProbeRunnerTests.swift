import Foundation
@testable import Probes
import Synchronization
import Testing

/// A probe that takes a fixed time and records overlapping calls.
final class FakeProbe: Probe {
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

@Suite struct ProbeRunnerTests {
    func collect(_ runner: ProbeRunner) async -> [ProbeSample] {
        var all: [ProbeSample] = []
        for await sample in runner.samples { all.append(sample) }
        return all
    }

    // A 20 ms cadence gives about 25 samples in 500 ms (tolerance: 15–27 on a loaded 2-core machine).
    @Test func keepsCadence() async {
        let runner = ProbeRunner([.init(probe: FakeProbe(name: "fast", delay: .zero), every: .milliseconds(20))])
        runner.start(for: .milliseconds(500))
        let samples = await collect(runner)
        #expect((15...27).contains(samples.count), "got \(samples.count)")
        #expect(samples.map(\.sequence) == Array(1...samples.count))
    }

    // A check slower than the interval is never overlapped: missed ticks are skipped.
    @Test func neverOverlaps() async {
        let slow = FakeProbe(name: "slow", delay: .milliseconds(50))
        let runner = ProbeRunner([.init(probe: slow, every: .milliseconds(10))])
        runner.start(for: .milliseconds(400))
        let samples = await collect(runner)
        #expect(slow.overlapCount == 0)
        for (previous, next) in zip(samples, samples.dropFirst()) {
            #expect(next.offset >= previous.offset + previous.latency)
        }
        #expect((5...9).contains(samples.count), "got \(samples.count)")
    }

    // A stuck probe does not slow down another.
    @Test func probesAreIndependent() async {
        let runner = ProbeRunner([.init(probe: FakeProbe(name: "stuck", delay: .seconds(2)), every: .milliseconds(10)),
                                  .init(probe: FakeProbe(name: "fast", delay: .zero), every: .milliseconds(20))])
        runner.start(for: .milliseconds(400))
        let samples = await collect(runner)
        #expect(samples.filter { $0.probe == "fast" }.count >= 12)
    }

    // stop() ends the stream promptly after the current checks.
    @Test func stops() async {
        let runner = ProbeRunner([.init(probe: FakeProbe(name: "p", delay: .milliseconds(5)), every: .milliseconds(20))])
        runner.start()
        try? await Task.sleep(for: .milliseconds(100))
        let clock = ContinuousClock()
        let started = clock.now
        await runner.stop()
        _ = await collect(runner)
        #expect(clock.now - started < .milliseconds(500))
    }
}
