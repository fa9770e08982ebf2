@testable import Campaign
import Foundation
import Probes
import Testing

/// Probes a fleet node's agent runs (`from: NODE`): samples taken with the node's clock land on
/// the run's timeline corrected by the measured offset, the offset is journaled and reported,
/// a broken stream aborts the run naming probe and node, and bad `from:` is refused clearly.
@Suite struct NodeProbeTests {
    typealias FakeFleet = FleetCampaignTests.FakeFleet

    static let probe = "  - { name: inside, from: n1, every: 20ms, http: { url: \"http://10.0.0.5:8080/\" } }"

    // The node's clock is 5 s ahead: uncorrected, its samples would sit 5 s after the run's end.
    @Test func samplesLandOnTheRunTimelineCorrected() async throws {
        let fleet = FakeFleet(["n1": ["web"], "n2": ["web"]])
        fleet.state.withLock { $0.clocks["n1"] = .seconds(5) }
        let campaign = try FleetCampaignTests.campaign(targets: "  web: { name: web, node: n2 }",
                                                       timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 200ms }",
                                                       probes: Self.probe)
        let runner = try FleetCampaignTests.runner(campaign, fleet: fleet)
        let directory = FleetCampaignTests.directory
        let result = try await runner.run(try await runner.plan(), directory: directory)
        #expect(result.verdict.status == .held, "\(result.verdict.reason)")
        let samples = try #require(result.record.samples["inside"])
        #expect(samples.count >= 5, "\(samples.count) samples")
        let runEnd = result.record.end
        #expect(samples.allSatisfy { $0.offset >= .milliseconds(-50) && $0.offset <= runEnd }, "\(samples.map(\.offset)) beyond \(runEnd)")
        #expect(samples.allSatisfy { abs($0.startedAt.timeIntervalSinceNow) < 10 && $0.startedAt <= Date() }, "wall times not corrected")
        let expected = NodeProbe(probe: "inside", node: "n1", clock: ClockOffset(offset: .seconds(5), uncertainty: .milliseconds(1)))
        #expect(result.record.nodeProbes == [expected])
        #expect(fleet.calls.contains("clock n1"))
        #expect(fleet.calls.contains { $0.hasPrefix("probe n1 inside for ") }, "\(fleet.calls)")
        // The journal keeps it, so `faultline report` renders the same.
        let reread = try RunRecord.load(directory: directory)
        #expect(reread.nodeProbes == [expected])
        #expect(reread.samples["inside"]?.count == samples.count)
        let markdown = MarkdownReport.render(reread, figures: [])
        #expect(markdown.contains("### Probes on fleet nodes") && markdown.contains("| inside | n1 | +5s ± 1ms |"), "\(markdown)")
        #expect(JSONReport.render(reread, figures: []).contains("\"clock_offset_ms\" : 5000"))
    }

    // The agent's stream breaks mid-run: the run aborts naming the probe and its node.
    @Test func aBrokenStreamAbortsTheRun() async throws {
        let fleet = FakeFleet(["n1": ["web"]])
        fleet.state.withLock { $0.probeBreaksAfter = 3 }
        let campaign = try FleetCampaignTests.campaign(targets: "  web: { name: web }",
                                                       timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 2s }",
                                                       probes: Self.probe)
        let runner = try FleetCampaignTests.runner(campaign, fleet: fleet)
        let started = ContinuousClock.now
        let result = try await runner.run(try await runner.plan(), directory: FleetCampaignTests.directory)
        #expect(result.verdict.status == .aborted)
        #expect(result.verdict.reason.contains("probe 'inside' on node 'n1' stopped: node 'n1'"), "\(result.verdict.reason)")
        #expect(ContinuousClock.now - started < .seconds(2), "the abort ended the window early")
        #expect(fleet.held.isEmpty)
    }

    // A node that refuses its probe only after the steady-state window would have passed: the run
    // waits for every node probe's first answer, so it aborts before anything is injected.
    @Test func aLateRefusalInjectsNothing() async throws {
        let fleet = FakeFleet(["n1": ["web"]])
        fleet.state.withLock { $0.probeRefusedAfter = .milliseconds(400) }
        let campaign = try FleetCampaignTests.campaign(targets: "  web: { name: web }",
                                                       timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 200ms }",
                                                       probes: Self.probe)
        let runner = try FleetCampaignTests.runner(campaign, fleet: fleet)
        let result = try await runner.run(try await runner.plan(), directory: FleetCampaignTests.directory)
        #expect(result.verdict.status == .aborted)
        #expect(result.verdict.reason.contains("probe 'inside' on node 'n1' stopped"), "\(result.verdict.reason)")
        #expect(!fleet.calls.contains { $0.hasPrefix("inject") }, "\(fleet.calls)")
    }

    // Nothing is asked of any node when a probe's node is unknown or unreachable; a probe's node
    // without a fleet says how to give one; a command probe cannot run on a node.
    @Test func badFromIsRefused() async throws {
        let fleet = FakeFleet(["n1": ["web"], "n2": ["web"]])
        let elsewhere = try FleetCampaignTests.campaign(targets: "  web: { name: web }",
                                                        timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 1s }",
                                                        probes: "  - { name: inside, from: n9, http: { url: \"http://10.0.0.5/\" } }")
        await Self.expectFleetError("probe 'inside' runs from node 'n9', which the fleet does not name (nodes: n1, n2)") {
            _ = try await FleetCampaignTests.runner(elsewhere, fleet: fleet).plan()
        }
        fleet.cut("n1")
        let runner = try FleetCampaignTests.runner(try FleetCampaignTests.campaign(
            targets: "  web: { name: web, node: n2 }", timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 1s }",
            probes: Self.probe), fleet: fleet)
        await Self.expectFleetError("nothing was injected: node 'n1': GET /v1/health: connection refused") {
            _ = try await runner.run(try await runner.plan(), directory: FleetCampaignTests.directory)
        }
        #expect(fleet.calls.isEmpty, "\(fleet.calls)")
        do {
            _ = try FleetCampaignTests.campaign(targets: "  web: { name: web }", timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 1s }",
                                                probes: "  - { name: shell, from: n1, command: { argv: [/bin/true] } }")
            Issue.record("a command probe from a node was accepted")
        } catch let error as CampaignError {
            #expect(error.message.contains("a command probe runs on the coordinator only"), "\(error)")
            #expect(error.line == 6)
        }
    }

    static func expectFleetError(_ expected: String, sourceLocation: SourceLocation = #_sourceLocation,
                                 _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("no error; expected: \(expected)", sourceLocation: sourceLocation)
        } catch let error as CampaignRunError {
            #expect(error.description == "fleet: " + expected, sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
        }
    }

    // Of several exchanges the shortest round trip decides; its half is the uncertainty.
    @Test func clockOffsetFromTheShortestRoundTrip() throws {
        let t0 = Date(timeIntervalSince1970: 1_000)
        let exchanges = [
            ClockOffset.Exchange(sent: t0, remote: t0.addingTimeInterval(0.5), received: t0.addingTimeInterval(0.2)),  // slow: 200 ms
            ClockOffset.Exchange(sent: t0.addingTimeInterval(1), remote: t0.addingTimeInterval(1.302), received: t0.addingTimeInterval(1.004)),
            ClockOffset.Exchange(sent: t0.addingTimeInterval(2), remote: t0.addingTimeInterval(1), received: t0.addingTimeInterval(1.9)),  // went back
        ]
        let estimate = try #require(ClockOffset.estimate(exchanges))
        #expect(abs(estimate.offset.seconds - 0.300) < 1e-6, "\(estimate.offset)")
        #expect(abs(estimate.uncertainty.seconds - 0.002) < 1e-6, "\(estimate.uncertainty)")
        #expect(estimate.local(t0.addingTimeInterval(10.3)).timeIntervalSince(t0) - 10 < 1e-6)
        #expect(ClockOffset.estimate([]) == nil)
        #expect(ClockOffset(offset: .milliseconds(-3), uncertainty: .microseconds(400)).formatted.hasPrefix("-3ms ± "))
    }
}
