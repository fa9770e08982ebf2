import Campaign
@testable import Benchmarks
import Foundation
import Testing

@Suite struct SwarmRecoveryBenchmarkTests {
    typealias Witnessed = SwarmRecoveryBenchmark.Witnessed

    /// Checks every 20 ms from `from` to `to` (seconds since the epoch), failing inside `down`.
    func checks(from: Double, to: Double, down: ClosedRange<Double>) -> [DenseProber.Check] {
        stride(from: from, to: to, by: 0.02).map { start in
            DenseProber.Check(start: Date(timeIntervalSince1970: start), end: Date(timeIntervalSince1970: start + 0.005), ok: !down.contains(start))
        }
    }

    // The campaign is valid: the database and the balancer of the named stack (every replica, said so), pause, pause, kill, and faultline's probe has the dense prober's time-out.
    @Test func campaignTargetsTheStackAndMatchesTheDenseTimeout() throws {
        let text = SwarmRecoveryBenchmark.campaignText(stack: "shop", port: 28000)
        let campaign = try CampaignParser.parse(text, file: "bench.yaml")
        #expect(campaign.timeline.map { $0.fault.kind } == [.pause, .pause, .kill])
        #expect(text.contains("database: { swarm: { stack: shop, service: postgres, all_replicas: true } }"))
        #expect(text.contains("balancer: { swarm: { stack: shop, service: balancer, all_replicas: true } }"))
        #expect(text.contains("http://127.0.0.1:28000/health"))
        #expect(SwarmRecoveryBenchmark.probeTimeout == SwarmRecoveryBenchmark.denseTimeout)
    }

    // A kill's outage ends at the start of another container of the same service (the replacement), not at another service's start; the dense prober's recovery is the end of its first ok check after the outage.
    @Test func killEndsAtTheReplacementsStart() {
        let origin = 1_000.0
        var window = FaultWindow(index: 3, kind: .kill, summary: "kill SIGKILL", selector: "balancer", container: "faultline_balancer.1.a", node: "node1", injectAt: .seconds(10))
        window.injectedAt = .milliseconds(10_100)
        let events = [
            Witnessed(node: "node1", id: "old", action: "kill", service: "faultline_balancer", at: 1_010.05),
            Witnessed(node: "node2", id: "other", action: "start", service: "faultline_backend", at: 1_012.0),
            Witnessed(node: "node1", id: "new", action: "start", service: "faultline_balancer", at: 1_015.5),
        ]
        let comparison = SwarmRecoveryBenchmark.compare(
            window, target: PlannedTarget(id: "old", name: "faultline_balancer.1.a", node: "node1"), origin: origin, events: events,
            checks: checks(from: 1_009, to: 1_017, down: 1_010.06...1_015.55), timeToDetect: .milliseconds(100), timeToRecover: .milliseconds(5_600))
        #expect(comparison.engineStart == 1_010.05)
        #expect(comparison.engineEnd == 1_015.5)
        #expect(abs((comparison.denseRecovered ?? 0) - 1_015.565) < 0.011)
        #expect(comparison.faultlineRecovered == 1_015.6)
        #expect(comparison.faultlineDetected == 1_010.1)
    }

    // A pause's outage is its pause and unpause events; a pause of another container is not its witness.
    @Test func pauseEndsAtItsUnpause() {
        var window = FaultWindow(index: 1, kind: .pause, summary: "pause", selector: "database", container: "faultline_postgres.1.b", node: "node2", injectAt: .seconds(2))
        window.injectedAt = .milliseconds(2_020)
        window.revertAt = .seconds(3)
        let events = [
            Witnessed(node: "node1", id: "balancer", action: "pause", service: "faultline_balancer", at: 1_002.01),
            Witnessed(node: "node2", id: "db", action: "pause", service: "faultline_postgres", at: 1_002.02),
            Witnessed(node: "node2", id: "db", action: "unpause", service: "faultline_postgres", at: 1_003.02),
        ]
        let comparison = SwarmRecoveryBenchmark.compare(
            window, target: PlannedTarget(id: "db", name: "faultline_postgres.1.b", node: "node2"), origin: 1_000, events: events,
            checks: checks(from: 1_001, to: 1_005, down: 1_002.03...1_003.03), timeToDetect: nil, timeToRecover: .milliseconds(40))
        #expect(comparison.engineStart == 1_002.02 && comparison.engineEnd == 1_003.02)
        #expect(comparison.faultlineRecovered == 1_003.04)
        #expect(comparison.faultlineDetected == nil)
    }

    // The gate misses when faultline's recovery lags the dense prober's by more than 250 ms, or a window lacks a witness.
    @Test func gateMissesALateFigure() {
        func row(_ lag: Double, engineEnd: Double? = 10) -> SwarmRecoveryBenchmark.Comparison {
            .init(target: "balancer", fault: .kill, node: "node1", engineStart: 5, engineEnd: engineEnd, faultlineDetected: 5.1,
                  faultlineRecovered: 10.1 + lag, denseDetected: 5.05, denseRecovered: 10.1, rescheduleSeen: engineEnd.map { $0 + 0.2 }, rescheduledOn: "node1")
        }
        let benchmark = SwarmRecoveryBenchmark.self
        #expect(benchmark.gate([row(0.05), row(0.1)]).missed.isEmpty)
        #expect(!benchmark.gate([row(0.05), row(0.4)]).missed.isEmpty)
        #expect(!benchmark.gate([row(0.05), row(0.05, engineEnd: nil)]).missed.isEmpty)
    }
}
