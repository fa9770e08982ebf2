@testable import Campaign
import Foundation
import Probes
import Testing

@Suite struct TrialSummaryTests {
    func check(_ name: String, window: String?, passed: Bool) -> CheckResult {
        CheckResult(name: name, window: window, passed: passed, detail: "")
    }

    /// One trial of RunComparisonTests' run, its api probe failing from 1.1 s through `failingUntil` ms.
    func trial(failingUntil: Int, passed: Bool = true) throws -> (checks: [CheckResult], figures: [WindowFigures]) {
        let (_, figures) = try RunComparisonTests.run(failingUntil: failingUntil)
        return ([check("api recover_within 5s", window: "#1 pause on db", passed: passed)], figures)
    }

    // A check held in every trial is held; in none, failed; in some, flaky — and only the first held
    // makes the summary held.
    @Test func checksAreTalliedOverTrials() {
        let runs: [(checks: [CheckResult], figures: [WindowFigures])] = [
            ([check("steady state", window: nil, passed: true), check("a", window: "#1 pause on db", passed: true),
              check("b", window: "#1 pause on db", passed: false)], []),
            ([check("steady state", window: nil, passed: true), check("a", window: "#1 pause on db", passed: false),
              check("b", window: "#1 pause on db", passed: false)], []),
            // Cut short before the window: its checks did not hold in this trial.
            ([check("steady state", window: nil, passed: true)], []),
        ]
        let summary = TrialSummary.of(runs)
        #expect(summary.checks.map(\.name) == ["steady state", "a", "b"])
        #expect(summary.checks.map(\.held) == [3, 1, 0])
        #expect(summary.checks.map(\.status) == ["held", "flaky", "failed"])
        #expect(!summary.held)
        #expect(TrialSummary.of(Array(runs.prefix(1)).map { ($0.checks.filter(\.passed), $0.figures) }).held)
    }

    // A reseeded trial may pick another container for the same window: the check is matched by its
    // window's number, and named as in the first trial.
    @Test func checksAreMatchedByWindowNumber() {
        let runs: [(checks: [CheckResult], figures: [WindowFigures])] = [
            ([check("api recover_within 5s", window: "#2 pause on cache-1", passed: true)], []),
            ([check("api recover_within 5s", window: "#2 pause on cache-2", passed: true)], []),
            ([check("api recover_within 5s", window: "#12 pause on cache-2", passed: false)], []),
        ]
        let summary = TrialSummary.of(runs)
        #expect(summary.checks.map(\.window) == ["#2 pause on cache-1", "#12 pause on cache-2"])
        #expect(summary.checks.map(\.held) == [2, 0])
    }

    // Downtimes of 1.25, 2.75 and 1.45 s (each ± 50 ms): median 1.45 s, p90 and max 2.75 s, and the
    // median's interval over three trials is [min, max] with 75 % confidence.
    @Test func figuresAreDistributedOverTrials() throws {
        let summary = TrialSummary.of([try trial(failingUntil: 2200), try trial(failingUntil: 3700), try trial(failingUntil: 2400)])
        let downtime = try #require(summary.figures.first { $0.probe == "api" && $0.figure == "downtime" })
        #expect(downtime.values == [.milliseconds(1250), .milliseconds(2750), .milliseconds(1450)])
        #expect(downtime.median == .milliseconds(1450) && downtime.p90 == .milliseconds(2750))
        let interval = try #require(downtime.medianInterval)
        #expect(interval.lower == .milliseconds(1250) && interval.upper == .milliseconds(2750))
        #expect(abs(interval.confidence - 0.75) < 1e-9)
        #expect(summary.figures.filter { $0.probe == "api" }.map(\.figure) == ["downtime", "detected", "back after the revert"])
    }

    // With enough trials the median's interval narrows to inner order statistics and keeps ≥ 95 %:
    // for 10 trials, the 2nd and 9th smallest (97.9 %).
    @Test func medianIntervalNarrowsWithMoreTrials() throws {
        let spread = TrialSummary.FigureSpread(window: 1, probe: "api", figure: "downtime", values: (1...10).reversed().map { .milliseconds($0 * 100) },
                                               unaffected: 0, trials: 10)
        let interval = try #require(spread.medianInterval)
        #expect(interval.lower == .milliseconds(200) && interval.upper == .milliseconds(900))
        #expect(abs(interval.confidence - (1 - 2 * 11.0 / 1024)) < 1e-9)
        #expect(spread.median == .milliseconds(500) && spread.p90 == .milliseconds(900))
        #expect(TrialSummary.FigureSpread.coverage(n: 6, k: 1) > 0.95 && TrialSummary.FigureSpread.coverage(n: 5, k: 1) < 0.95)
    }

    // A probe the fault did not reach in a trial has no figures there: counted as unaffected, not as zero.
    @Test func unaffectedTrialsAreCountedNotAveraged() throws {
        let summary = TrialSummary.of([try trial(failingUntil: 2200), try trial(failingUntil: 0)])
        let downtime = try #require(summary.figures.first { $0.probe == "api" && $0.figure == "downtime" })
        #expect(downtime.values == [.milliseconds(1250)] && downtime.unaffected == 1 && downtime.trials == 2)
        let never = TrialSummary.of([try trial(failingUntil: 0), try trial(failingUntil: 0)])
        #expect(TrialReport.figureRows(never).dropFirst().filter { $0[1] == "api" }.map { Array($0.prefix(4)) } == [["#1", "api", "downtime", "0 of 2 (2 unaffected)"]])
    }

    // trials.md and trials.json say the same: the tally per check and the spread per figure.
    @Test func reportsCarryTheTallyAndTheSpread() throws {
        let summary = TrialSummary.of([try trial(failingUntil: 2200), try trial(failingUntil: 3700, passed: false)])
        let markdown = TrialReport.markdown(summary, name: "a", plan: .replay)
        #expect(markdown.contains("❌ faultline: a — 2 trials, 0 check(s) failed, 1 flaky"), "\(markdown)")
        #expect(markdown.contains("| api recover_within 5s | #1 pause on db | 1 of 2 | FLAKY |"), "\(markdown)")
        #expect(markdown.contains("| #1 | api | downtime | 2 of 2 | 1.25s | 2.75s | 1.25s … 2.75s |"), "\(markdown)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(TrialReport.json(summary, name: "a", plan: .reseed, runs: ["t1", "t2"]).utf8)) as? [String: Any])
        #expect(json["verdict"] as? String == "violated" && json["trial_plan"] as? String == "reseed" && json["runs"] as? [String] == ["t1", "t2"])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.first?["status"] as? String == "flaky" && checks.first?["held"] as? Int == 1)
        let figures = try #require(json["figures"] as? [[String: Any]])
        let downtime = try #require(figures.first { $0["probe"] as? String == "api" && $0["figure"] as? String == "downtime" })
        #expect(downtime["values_ms"] as? [Double] == [1250, 2750] && downtime["median_ms"] as? Double == 1250)
    }
}
