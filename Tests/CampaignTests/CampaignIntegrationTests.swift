@testable import Campaign
import DockerEngine
import Faults
import Foundation
import Probes
import TestSupport
import Testing

/// Real campaigns against a Redis container.
@Suite(.serialized) struct CampaignIntegrationTests {
    static func campaignText(container: String, port: Int, extra: String = "", timeline: String? = nil) -> String {
        """
        name: redis-pause-test
        seed: 3
        settings: { recovery_limit: 10s }
        targets:
          cache: { name: \(container) }
        probes:
          - name: redis
            redis: { host: 127.0.0.1, port: \(port) }
            every: 50ms
            timeout: 300ms
        hypothesis:
          steady_state: { window: 500ms }
          checks:
            - { probe: redis, recover_within: 2s }
        \(extra)
        timeline:
        \(timeline ?? "  - { at: 500ms, fault: { pause: { target: cache } }, for: 3s }")
        """
    }

    static func runner(_ text: String, engine: DockerEngineClient, events: @escaping @Sendable (RunEvent) -> Void = { _ in }) throws -> CampaignRunner {
        let campaign = try CampaignParser.parse(text, file: "test.yaml")
        let ledger = try FaultLedger(stateDirectory: NSTemporaryDirectory() + "fl-campaign-" + UUID().uuidString)
        return CampaignRunner(campaign: campaign, source: text, file: "test.yaml", engine: engine, ledger: ledger,
                              logger: TestEngine.logger, emit: events)
    }

    static func runDirectory() -> String { NSTemporaryDirectory() + "fl-runs-" + UUID().uuidString }


    // Pause Redis 3 s: the hypothesis holds, and the recovery faultline measures is the first check
    // that started after the engine's own unpause event (or one that started while the unpause call
    // was under way and was answered after it): no later start is reported, no earlier one missed.
    // How far apart checks start is the runner's cadence, which a loaded machine stretches; the
    // bound on that is loose here, and the accuracy figure belongs to the benchmark.
    @Test func measuresRecoveryAgainstEngineEvents() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            let events = try engine.events(filters: ["container": [container.id], "event": ["unpause"]])
            let unpauseEvent = Task { () -> Int64? in
                for try await event in events where event.action == "unpause" { return event.timeNano }
                return nil
            }
            let runner = try Self.runner(Self.campaignText(container: container.name, port: port), engine: engine)
            let plan = try await runner.plan()
            let result = try await runner.run(plan, directory: Self.runDirectory())
            #expect(result.verdict.status == .held, "\(result.verdict.reason)")
            let figures = try #require(result.figures.first)
            let window = try #require(result.windows.first)
            let recovered = try #require(figures.timeToRecover)
            let unpausedAt = try #require(try await unpauseEvent.value)
            unpauseEvent.cancel()
            let record = try RunRecord.load(directory: result.directory)
            let samples = record.samples["redis"] ?? []
            let recoveringSample = try #require(samples.first { $0.offset >= window.revertAt! + recovered - .microseconds(1) })
            let difference = recoveringSample.startedAt.timeIntervalSince1970 - Double(unpausedAt) / 1e9
            let unpauseCall = (window.revertedAt! - window.revertAt!).seconds
            #expect(difference >= -unpauseCall - 0.005,
                    "recovery sample started \(difference * 1000) ms after the unpause event (unpause call took \(unpauseCall * 1000) ms)")
            let unpausedSeconds = Double(unpausedAt) / 1e9
            let skipped = samples.filter {
                $0.startedAt.timeIntervalSince1970 > unpausedSeconds + 0.005 && $0.startedAt < recoveringSample.startedAt
            }
            #expect(skipped.isEmpty, "checks that started after the unpause event before the reported recovery: \(skipped.map(\.reason))")
            #expect(difference <= 0.050 + 0.250, "recovery sample started \(difference * 1000) ms after the unpause event: the runner fell far behind")
            #expect(figures.timeToDetect != nil && figures.during.failures > 0)
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
        }
    }

    // A steady state that does not hold injects nothing and says why.
    @Test func refusesWithoutSteadyState() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let runner = try Self.runner(Self.campaignText(container: container.name, port: 1), engine: engine)
            let result = try await runner.run(try await runner.plan(), directory: Self.runDirectory())
            #expect(result.verdict.status == .violated)
            #expect(result.verdict.reason.contains("steady state not met, nothing was injected"))
            #expect(result.windows.isEmpty)
        }
    }

    // A stop condition aborts at once and reverts everything; later faults never start.
    @Test func abortsOnStopCondition() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            let text = Self.campaignText(container: container.name, port: port,
                                         extra: "stop_when:\n  - { probe: redis, failing_for: 800ms }",
                                         timeline: "  - { at: 500ms, fault: { pause: { target: cache } }, for: 20s }\n  - { at: 25s, fault: { stop: { target: cache } }, for: 1s }")
            let runner = try Self.runner(text, engine: engine)
            let clock = ContinuousClock()
            let started = clock.now
            let result = try await runner.run(try await runner.plan(), directory: Self.runDirectory())
            #expect(clock.now - started < .seconds(8))
            #expect(result.verdict.status == .aborted)
            #expect(result.verdict.reason.contains("stop condition: probe redis failing for"))
            #expect(result.windows.count == 1)
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
        }
    }

    // Replay re-resolves the containers by name and keeps every offset, window and fault.
    @Test func replaysThePlan() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let text = Self.campaignText(container: container.name, port: 1,
                                         timeline: "  - { at: 1s, fault: { pause: { target: cache } }, for: 2s, repeat: { every: 5s, times: 3, jitter: 1s } }")
            let runner = try Self.runner(text, engine: engine)
            let original = try await runner.plan()
            let replayed = try await runner.replayPlan(original)
            #expect(replayed == original)
            let moved = CampaignPlan(seed: original.seed, faults: original.faults.map {
                PlannedFault(index: $0.index, at: $0.at, duration: $0.duration, fault: $0.fault,
                             container: PlannedTarget(id: "gone", name: "fl-test-no-such-container"), origin: $0.origin)
            }, targets: original.targets)
            await #expect(throws: CampaignRunError.self) { try await runner.replayPlan(moved) }
        }
    }
}

/// A run whose journal cannot be written (its runs directory fills up) aborts saying so, and every
/// fault is reverted: the run's evidence is the product, and a fault must not outlive its record.
@Suite(.serialized) struct JournalFailureTests {
    @Test func abortsWhenTheJournalCannotBeWritten() async throws {
        let engine = try await TestEngine.client()
        let runs = NSTemporaryDirectory() + "fl-full-runs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        let mounted = try await CommandRunner.run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=24k,mode=0700", "tmpfs", runs])
        try #require(mounted.status == 0, "mount: \(mounted.stderr)")
        defer {
            _ = try? FileManager.default.removeItem(atPath: runs)
        }
        do {
            try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
                let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
                try await TestServers.awaitRedis(port)
                // A TCP probe every 10 ms keeps answering while Redis is paused (the port is still
                // accepted), so the journal fills the 24 KiB within a few seconds of the window.
                let text = """
                    name: journal-fills-up
                    targets:
                      cache: { name: \(container.name) }
                    probes:
                      - { name: redis, redis: { host: 127.0.0.1, port: \(port) }, every: 50ms, timeout: 300ms }
                      - { name: port, tcp: { host: 127.0.0.1, port: \(port) }, every: 10ms, timeout: 300ms }
                    hypothesis:
                      steady_state: { window: 500ms }
                    timeline:
                      - { at: 500ms, fault: { pause: { target: cache } }, for: 30s }
                    """
                let runner = try CampaignIntegrationTests.runner(text, engine: engine)
                let clock = ContinuousClock(), started = clock.now
                let result = try await runner.run(try await runner.plan(), directory: runs + "/run")
                #expect(clock.now - started < .seconds(25), "the run went on after its journal failed: \(result.verdict.reason)")
                #expect(result.verdict.status == .aborted)
                #expect(result.verdict.reason.contains("journal") && result.verdict.reason.contains("No space left"), "\(result.verdict.reason)")
                #expect(try await engine.inspectContainer(container.id).state.paused == false)
            }
        } catch {
            _ = try? await CommandRunner.run(["/usr/bin/umount", runs])
            throw error
        }
        _ = try await CommandRunner.run(["/usr/bin/umount", runs])
    }
}
