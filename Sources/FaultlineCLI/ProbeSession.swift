import Campaign
import FaultlineSupport
import Foundation
import Logging
import Probes

/// Probes that run beside one `inject`: started before the fault for a baseline, kept running
/// after the revert until each has recovered (K ok samples in a row) or the limit passes, then
/// turned into time to detect / time to recover.
final class ProbeSession: Sendable {
    let runner: ProbeRunner
    let names: [String]
    private let collector: SampleCollector
    private let consumer: Task<Void, Never>
    static let consecutiveOK = 3

    init(specs: [String], every: Duration, timeout: Duration, logger: Logger, output: Output) throws {
        var probes: [any Probe] = []
        for spec in specs {
            let config = try ProbeSpecParser.parse(spec)
            probes.append(try config.makeProbe(name: spec, timeout: timeout, logger: logger))
        }
        names = probes.map(\.name)
        runner = ProbeRunner(probes.map { .init(probe: $0, every: every) })
        let collector = SampleCollector(output: output)
        self.collector = collector
        let samples = runner.samples
        consumer = Task { for await sample in samples { await collector.add(sample) } }
    }

    /// The monotonic offset of now on the runner's timeline.
    var now: Duration { ContinuousClock.now - runner.origin }

    func start() { runner.start() }

    /// Waits until every probe has a few samples (a baseline) or `limit` passes.
    func awaitBaseline(limit: Duration) async {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if await collector.store.minimumCount(of: names) >= Self.consecutiveOK { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Keeps probing after the revert until each probe has recovered or `limit` passes.
    func awaitRecovery(after revertAt: Duration, limit: Duration) async {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if await collector.store.allRecovered(names, after: revertAt, consecutive: Self.consecutiveOK) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the probes and returns each one's analysis, in spec order.
    func finish(injectAt: Duration, revertAt: Duration) async -> [(String, RecoveryAnalysis)] {
        await runner.stop()
        await consumer.value
        var results: [(String, RecoveryAnalysis)] = []
        for name in names {
            let samples = await collector.store.samples(of: name)
            results.append((name, RecoveryAnalysis.analyse(samples, injectAt: injectAt, revertAt: revertAt, consecutive: Self.consecutiveOK)))
        }
        return results
    }

    /// One line per probe for the figures.
    static func describe(_ name: String, _ analysis: RecoveryAnalysis) -> String {
        var parts: [String] = []
        parts.append(analysis.healthyBefore ? "healthy before" : "NOT healthy before the inject")
        guard let impact = analysis.impact else {
            parts.append("unaffected: no check failed from the inject on (\(analysis.samplesDuring) samples during the window)")
            return "\(name): " + parts.joined(separator: "; ")
        }
        parts.append(ImpactText.describe(impact))
        parts.append(String(format: "%d of %d samples failed during the window (%.0f%%)", analysis.failuresDuring, analysis.samplesDuring,
                            analysis.errorRateDuring * 100))
        if let recover = analysis.timeToRecover {
            parts.append("back \(DurationText.format(recover)) after the revert")
        } else {
            parts.append("did NOT recover (\(consecutiveOK) ok samples in a row) before the limit")
        }
        return "\(name): " + parts.joined(separator: "; ")
    }
}

/// Keeps the samples of a probe session and prints each probe's state changes as they happen.
actor SampleCollector {
    let store = SampleStore(cap: 200_000)
    private var changes = OutcomeChanges()
    private let output: Output

    init(output: Output) { self.output = output }

    func add(_ sample: ProbeSample) async {
        await store.add(sample)
        if changes.observe(sample) {
            output.event("probe", OutcomeChanges.describe(sample),
                         fields: ["probe": .string(sample.probe), "outcome": .string(sample.outcome.rawValue), "reason": .string(sample.reason)],
                         at: sample.startedAt)
        }
    }
}
