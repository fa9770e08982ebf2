@testable import Campaign
import DockerEngine
import Faults
import Foundation
import Logging
import TestSupport
import Testing

/// The runner's own logic on the fake engine, no Docker needed: the steady-state gate, a held
/// run, the recovery wait, stop conditions and abort — each reverting everything it injected.
/// The probe is a command that fails while a flag file exists; the fake engine's call hooks set
/// and clear the flag, so "the service" breaks exactly when the fault is injected.
@Suite struct CampaignRunnerTests {
    struct Setup {
        let fake = FakeEngine()
        let flag = NSTemporaryDirectory() + "fl-runner-flag-" + UUID().uuidString
        let ledger: FaultLedger

        init() throws {
            fake.add(FakeEngine.details(id: "c1", name: "cache"))
            ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        }

        func campaign(hypothesis: String = "steady_state: { window: 200ms }", stopWhen: String = "",
                      timeline: String = "  - { at: 100ms, fault: { pause: { target: cache } }, for: 400ms }") -> String {
            """
            name: runner-unit
            settings: { recovery_limit: 3s, refresh_neighbours: false }
            targets:
              cache: { name: cache }
            probes:
              - name: service
                command: { argv: ["/bin/sh", "-c", "test ! -e \(flag)"] }
                every: 20ms
                timeout: 500ms
            hypothesis:
              \(hypothesis)
            \(stopWhen)
            timeline:
            \(timeline)
            """
        }

        func run(_ text: String, whileRunning: @escaping @Sendable (CampaignRunner) -> Void = { _ in }) async throws -> RunResult {
            var logger = Logger(label: "runner-unit")
            logger.logLevel = .error
            let runner = CampaignRunner(campaign: try CampaignParser.parse(text, file: "unit.yaml"), source: text, file: "unit.yaml",
                                        environment: fake.environment, neighbours: nil, ledger: ledger, logger: logger, emit: { _ in })
            whileRunning(runner)
            return try await runner.run(try await runner.plan(), directory: NSTemporaryDirectory() + "fl-runner-" + UUID().uuidString)
        }

        /// The flag follows the fault: set on pause, cleared on unpause.
        func breakWhilePaused() {
            let flag = flag
            fake.onCall("pause") { FileManager.default.createFile(atPath: flag, contents: Data()) }
            fake.onCall("unpause") { try? FileManager.default.removeItem(atPath: flag) }
        }

        var pauses: Int { fake.calls.filter { $0.hasPrefix("pause ") }.count }
        var unpauses: Int { fake.calls.filter { $0.hasPrefix("unpause ") }.count }
    }

    // A steady state that does not hold injects nothing and says why.
    @Test func steadyStateGateInjectsNothing() async throws {
        let setup = try Setup()
        FileManager.default.createFile(atPath: setup.flag, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: setup.flag) }
        let result = try await setup.run(setup.campaign(hypothesis: "steady_state: { window: 200ms, max_error_rate: 0 }"))
        #expect(result.verdict.status == .violated)
        #expect(result.verdict.reason.contains("steady state not met, nothing was injected"), "\(result.verdict.reason)")
        #expect(setup.pauses == 0 && result.windows.isEmpty)
    }

    // A fault the service rides out: held, injected and reverted once, nothing open in the ledger,
    // and the probe's time to recover measured after the window.
    @Test func heldRunMeasuresRecovery() async throws {
        let setup = try Setup()
        setup.breakWhilePaused()
        let result = try await setup.run(setup.campaign(hypothesis: """
            steady_state: { window: 200ms }
              checks:
                - { probe: service, recover_within: 2s }
            """))
        #expect(result.verdict.status == .held, "\(result.verdict.reason)")
        #expect(setup.pauses == 1 && setup.unpauses == 1)
        let figures = try #require(result.figures.first)
        #expect(figures.timeToDetect != nil && figures.timeToRecover != nil, "\(figures)")
        #expect(try setup.ledger.openEntries().isEmpty)
    }

    // A stop condition aborts at once: the window is cut short, reverted, and the later fault never starts.
    @Test func stopConditionAbortsAndReverts() async throws {
        let setup = try Setup()
        setup.breakWhilePaused()
        let clock = ContinuousClock(), started = clock.now
        let result = try await setup.run(setup.campaign(
            stopWhen: "stop_when:\n  - { probe: service, failing_for: 200ms }",
            timeline: "  - { at: 100ms, fault: { pause: { target: cache } }, for: 20s }\n  - { at: 21s, fault: { pause: { target: cache } }, for: 1s }"))
        #expect(clock.now - started < .seconds(10))
        #expect(result.verdict.status == .aborted)
        #expect(result.verdict.reason.contains("stop condition: probe service failing for"), "\(result.verdict.reason)")
        #expect(setup.pauses == 1 && setup.unpauses == 1)
        #expect(try setup.ledger.openEntries().isEmpty)
    }

    // abort() (a signal, the daemon's abort) mid-window reverts and ends the run with the reason.
    @Test func abortMidWindowReverts() async throws {
        let setup = try Setup()
        let result = try await setup.run(setup.campaign(timeline: "  - { at: 100ms, fault: { pause: { target: cache } }, for: 20s }")) { runner in
            setup.fake.onCall("pause") { Task { try? await Task.sleep(for: .milliseconds(150)); runner.abort("the operator said stop") } }
        }
        #expect(result.verdict.status == .aborted)
        #expect(result.verdict.reason.contains("the operator said stop"), "\(result.verdict.reason)")
        #expect(setup.unpauses == 1)
        #expect(try await setup.fake.inspectContainer("c1").state.paused == false)
        #expect(try setup.ledger.openEntries().isEmpty)
    }

    // The daemon plans without a runner: the same plan from the containers alone.
    @Test func plansWithoutARunner() async throws {
        let setup = try Setup()
        let campaign = try CampaignParser.parse(setup.campaign(), file: "unit.yaml")
        let plan = try await CampaignRunner.plan(campaign, containers: setup.fake)
        #expect(plan.faults.map(\.container.name) == ["cache"])
    }
}
