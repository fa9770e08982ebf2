@testable import Campaign
import Foundation
import Probes
import Testing

@Suite struct RunComparisonTests {
    /// A run of AnalysisTests' campaign whose api probe fails from 1.1 s through `failingUntil` (ms; before 1.1 s: never).
    static func run(failingUntil: Int, window: FaultWindow = AnalysisTests.window()) throws -> (RunRecord, [WindowFigures]) {
        var record = RunRecord()
        record.name = "a"
        record.source = """
        name: a
        targets: { db: { name: db } }
        probes:
          - { name: api, tcp: { host: 127.0.0.1, port: 1 } }
          - { name: err, tcp: { host: 127.0.0.1, port: 1 } }
        hypothesis:
          checks:
            - { probe: api, recover_within: 5s }
            - { probe: err, passes_within: 300ms }
        timeline:
          - { at: 1s, fault: { pause: { target: db } }, for: 1s }
        """
        record.windows = [window]
        let failing = 1100..<max(1100, failingUntil + 1)
        record.samples = [
            "api": stride(from: 0, through: 5000, by: 100).map { sample("api", $0, failing.contains($0) ? .timeout : .ok, latencyMS: failing.contains($0) ? 50 : 2) },
            // The propagation probe fails all the time except once: its figures are not an impact.
            "err": stride(from: 0, through: 5000, by: 100).map { sample("err", $0, $0 == 1200 ? .ok : .failed) },
        ]
        return (record, ReportWriter.figures(for: record))
    }

    // The same run against itself: every figure unchanged, no regression; the propagation probe is left out.
    @Test func sameRunHasNoRegression() throws {
        let (record, figures) = try Self.run(failingUntil: 2200)
        let comparison = try RunComparison.compare(base: record, baseFigures: figures, candidate: record, candidateFigures: figures)
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.rows.map(\.figure) == ["downtime", "back after the revert", "error rate during"])
        #expect(comparison.rows.allSatisfy { $0.probe == "api" })
        #expect(comparison.rows[0].change == "+0s")
    }

    // Downtime 1.2 s → 2.7 s is beyond 250 ms and 25 %: a regression naming the figure and the threshold;
    // 1.2 s → 1.4 s is within them (and within the figures' uncertainty).
    @Test func longerDowntimeBeyondTheThresholdIsARegression() throws {
        let (base, baseFigures) = try Self.run(failingUntil: 2200)
        let (worse, worseFigures) = try Self.run(failingUntil: 3700)
        let comparison = try RunComparison.compare(base: base, baseFigures: baseFigures, candidate: worse, candidateFigures: worseFigures)
        let downtime = try #require(comparison.rows.first { $0.figure == "downtime" })
        #expect(downtime.base == "1.25s ± 50ms" && downtime.candidate == "2.75s ± 50ms" && downtime.change == "+1.5s")
        #expect(downtime.regression?.hasPrefix("grew by 1.5s, more than 412.5ms") == true, "\(String(describing: downtime.regression))")
        #expect(comparison.rows.first { $0.figure == "back after the revert" }?.regression != nil)  // 300ms → 1.8s
        let (near, nearFigures) = try Self.run(failingUntil: 2400)
        #expect(try RunComparison.compare(base: base, baseFigures: baseFigures, candidate: near, candidateFigures: nearFigures).regressions.isEmpty)
        // The other way round is an improvement, not a regression.
        #expect(try RunComparison.compare(base: worse, baseFigures: worseFigures, candidate: base, candidateFigures: baseFigures).regressions.isEmpty)
    }

    // A probe the fault did not reach in the base and reaches in the candidate got worse, whatever its figures.
    @Test func newlyAffectedProbeIsARegression() throws {
        let (calm, calmFigures) = try Self.run(failingUntil: 1000)  // empty range: never fails
        #expect(calmFigures.first { $0.probe == "api" }?.unaffected == true)
        let (hit, hitFigures) = try Self.run(failingUntil: 1300)
        let comparison = try RunComparison.compare(base: calm, baseFigures: calmFigures, candidate: hit, candidateFigures: hitFigures)
        #expect(comparison.rows.first { $0.figure == "downtime" }?.regression == "the fault now reaches this probe")
    }

    // Runs whose windows are different faults are not compared.
    @Test func differentPlansAreRefused() throws {
        let (base, baseFigures) = try Self.run(failingUntil: 2200)
        var restart = FaultWindow(index: 1, kind: .restart, summary: "restart", selector: "db", container: "db", injectAt: .milliseconds(1000))
        restart.revertAt = .milliseconds(1000)
        let (other, otherFigures) = try Self.run(failingUntil: 2200, window: restart)
        #expect(throws: RunComparisonError.self) {
            try RunComparison.compare(base: base, baseFigures: baseFigures, candidate: other, candidateFigures: otherFigures)
        }
    }

    // Unaffected before, failing to the end now (9 of the 10 checks overlapping the window): newly affected, not recovered, not back — all regressions.
    @Test func newlyAffectedAndNotRecovered() throws {
        let (calm, calmFigures) = try Self.run(failingUntil: 1000)
        let (down, downFigures) = try Self.run(failingUntil: 5000)
        let comparison = try RunComparison.compare(base: calm, baseFigures: calmFigures, candidate: down, candidateFigures: downFigures)
        #expect(comparison.rows.map(\.candidate) == ["not recovered", "not back", "90.0%"])
        #expect(comparison.regressions.map(\.regression) == ["the fault now reaches this probe, and it did not recover",
                                                              "it is no longer back after the revert", "grew by 90.0 points (threshold 5.0)"])
    }
}
