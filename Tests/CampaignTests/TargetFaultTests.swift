@testable import Campaign
import DockerEngine
import Faults
import Foundation
import TestSupport
import Testing

/// The target itself fails mid-window (Pumba's fatal-exit bug): removed, restarted, OOM-killed.
/// The run goes on to its verdict, and the window says what the revert found.
@Suite(.serialized) struct TargetFaultTests {
    static func campaign(container: String, fault: String) -> String {
        """
        name: target-fault
        settings: { recovery_limit: 2s }
        targets:
          box: { name: \(container) }
        probes:
          - { name: tick, command: { argv: [/bin/true] }, every: 200ms }
        hypothesis:
          steady_state: { window: 200ms }
          checks:
            - { probe: tick, max_error_rate: 0 }
        timeline:
          - { at: 100ms, fault: \(fault), for: 2500ms }
        """
    }

    /// Runs the campaign while `meddle` does something to the container once the fault is in.
    static func run(_ text: String, engine: DockerEngineClient, container: ContainerDetails,
                    meddle: @escaping @Sendable () async throws -> Void) async throws -> RunResult {
        let campaign = try CampaignParser.parse(text, file: "test.yaml")
        let injected = LockedBox(false)
        let meddler = Task {
            for _ in 0..<200 where !injected.value { try await Task.sleep(for: .milliseconds(20)) }
            try await meddle()
        }
        let watcher = CampaignRunner(campaign: campaign, source: text, file: "test.yaml", engine: engine,
                                     ledger: try FaultLedger(stateDirectory: NSTemporaryDirectory() + "fl-tf-" + UUID().uuidString),
                                     logger: TestEngine.logger) { event in
            if case .window(let window) = event, window.injectedAt != nil { injected.mutate { $0 = true } }
        }
        let result = try await watcher.run(try await watcher.plan(), directory: CampaignIntegrationTests.runDirectory())
        try await meddler.value
        return result
    }

    // Removed mid-window: the revert finds the target gone; the run still ends with a verdict.
    @Test func targetRemovedMidWindow() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "tf-removed"), engine: engine) { container in
            let result = try await Self.run(Self.campaign(container: container.name, fault: "{ pause: { target: box } }"), engine: engine,
                                            container: container) { try await engine.removeContainer(container.id, force: true) }
            let window = try #require(result.windows.first)
            #expect(window.outcome == "target gone", "\(window)")
            #expect(window.revertedAt != nil && window.error == nil)
            #expect(result.verdict.status == .held, "\(result.verdict.reason)")
        }
    }

    // Restarted mid-window: a cpu limit lives in the old cgroup; the revert says so and writes nothing.
    @Test func targetRestartedMidWindow() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "tf-restarted"), engine: engine) { container in
            let result = try await Self.run(Self.campaign(container: container.name, fault: "{ cpu: { target: box, cpus: 0.2 } }"), engine: engine,
                                            container: container) { try await engine.restartContainer(container.id, timeout: 0) }
            let window = try #require(result.windows.first)
            #expect(window.outcome?.contains("restarted") == true, "\(window)")
            #expect(result.verdict.status == .held, "\(result.verdict.reason)")
            #expect(try await engine.inspectContainer(container.id).state.running)
        }
    }

    // OOM-killed under a memory fault: the container's process exceeds the limit and dies; the
    // revert finds the container stopped; the window is closed and the run reaches its verdict.
    @Test func targetOOMKilledMidWindow() async throws {
        let engine = try await TestEngine.client()
        let hog = ["/bin/sh", "-c", "sleep 1; exec /usr/bin/python3 -c 'import time; a = bytearray(256 * 1024 * 1024); time.sleep(60)'"]
        try await withTestContainer(.init(purpose: "tf-oom", command: hog), engine: engine) { container in
            let result = try await Self.run(Self.campaign(container: container.name, fault: "{ memory: { target: box, limit: 32m } }"), engine: engine,
                                            container: container) {}
            let window = try #require(result.windows.first)
            let state = try await engine.inspectContainer(container.id).state
            #expect(!state.running && state.oomKilled == true, "\(state)")
            #expect(window.revertedAt != nil && window.error == nil, "\(window)")
            #expect(window.outcome?.contains("not running") == true, "\(window)")
            #expect(result.verdict.status == .held, "\(result.verdict.reason)")
        }
    }
}
