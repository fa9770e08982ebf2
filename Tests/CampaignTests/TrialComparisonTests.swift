@testable import Campaign
import Foundation
import Probes
import Testing

@Suite struct TrialComparisonTests {
    /// Trials of RunComparisonTests' run whose api probe fails from 1.1 s through each of `failingUntil` (ms).
    func trials(_ failingUntil: [Int]) throws -> [ComparedRun] {
        try failingUntil.map { until in
            let (record, figures) = try RunComparisonTests.run(failingUntil: until)
            return ComparedRun(record: record, figures: figures)
        }
    }

    // The null distribution of U for three and three is 1 1 2 3 3 3 3 2 1 1 (of 20); every candidate
    // above every base gives the smallest p, 1/20; one side the same as the other gives p ≥ ½; a tie
    // rounds U down, so p only grows.
    @Test func rankTestIsExact() {
        #expect(RankTest.nullCounts(m: 3, n: 3) == [1, 1, 2, 3, 3, 3, 3, 2, 1, 1])
        #expect(RankTest.nullCounts(m: 2, n: 4).reduce(0, +) == 15)
        #expect(abs(RankTest.pGreater(base: [1, 2, 3], candidate: [4, 5, 6]) - 0.05) < 1e-12)
        #expect(abs(RankTest.pGreater(base: [4, 5, 6], candidate: [1, 2, 3]) - 1) < 1e-12)
        #expect(RankTest.pGreater(base: [1, 2, 3], candidate: [1, 2, 3]) >= 0.5)
        #expect(abs(RankTest.pGreater(base: [1, 2, 3], candidate: [3, 5, 6]) - 0.1) < 1e-12)  // U = 8.5 → read as 8
        #expect(abs(RankTest.smallestP(m: 3, n: 3) - 0.05) < 1e-12 && abs(RankTest.smallestP(m: 2, n: 3) - 0.1) < 1e-12)
        #expect(abs(RankTest.smallestP(m: 10, n: 10) - 1 / 184_756) < 1e-15)
        // Large sizes stay a distribution: the counts sum to C(m+n, m) and are symmetric.
        let counts = RankTest.nullCounts(m: 40, n: 30)
        #expect(abs(counts.reduce(0, +) * RankTest.smallestP(m: 40, n: 30) - 1) < 1e-9)
        #expect(counts.first == counts.last && counts[5] == counts[counts.count - 6])
    }

    // Five trials a side, the candidate's downtime consistently ~1.5 s longer: worse, with the rank
    // test's p in the reason; the same trials against themselves, or shuffled, are not.
    @Test func consistentlyLongerDowntimeIsARegression() throws {
        let base = try trials([2200, 2300, 2100, 2400, 2200]), worse = try trials([3700, 3800, 3600, 3900, 3700])
        let comparison = try RunComparison.compare(base: base, candidate: worse)
        let downtime = try #require(comparison.rows.first { $0.probe == "api" && $0.figure == "downtime" })
        #expect(downtime.base == "1.25s (5 trials: 1.15s … 1.45s)" && downtime.candidate == "2.75s (5 trials: 2.65s … 2.95s)", "\(downtime)")
        #expect(downtime.regression?.contains("rank test p = 0.004 ≤ 0.05") == true, "\(String(describing: downtime.regression))")
        #expect(try RunComparison.compare(base: base, candidate: base).regressions.isEmpty)
        #expect(try RunComparison.compare(base: base, candidate: try trials([2300, 2200, 2400, 2100, 2200])).regressions.isEmpty)
        #expect(try RunComparison.compare(base: worse, candidate: base).regressions.isEmpty)
    }

    // One slow trial among five is an outlier, not a shift: its median did not move, the ranks barely.
    @Test func oneOutlierIsNotARegression() throws {
        let comparison = try RunComparison.compare(base: try trials([2200, 2300, 2100, 2400, 2200]),
                                                   candidate: try trials([2200, 2300, 4900, 2300, 2100]))
        #expect(comparison.regressions.isEmpty, "\(comparison.regressions)")
    }

    // A large and consistent shift over two trials a side cannot pass a rank test at 0.05 (p ≥ 1/6):
    // the medians are judged by the thresholds alone, and the reason says so.
    @Test func tooFewTrialsFallBackToTheThresholds() throws {
        let comparison = try RunComparison.compare(base: try trials([2200, 2300]), candidate: try trials([3700, 3800]))
        let downtime = try #require(comparison.rows.first { $0.probe == "api" && $0.figure == "downtime" })
        #expect(downtime.regression?.contains("too few trials for a rank test") == true, "\(String(describing: downtime.regression))")
    }

    // Unaffected in every base trial, affected in every candidate trial: the downtime's ranks moved
    // from zero up — a regression like any other shift.
    @Test func newlyAffectedOverTrialsIsARegression() throws {
        let comparison = try RunComparison.compare(base: try trials([0, 0, 0]), candidate: try trials([2200, 2300, 2200]))
        let downtime = try #require(comparison.rows.first { $0.probe == "api" && $0.figure == "downtime" })
        #expect(downtime.base == "unaffected (all 3 trials)" && downtime.regression != nil, "\(downtime)")
    }

    // One run against a set of trials: the rank test cannot reach 0.05 with one base run, so the
    // thresholds judge the medians.
    @Test func oneRunAgainstTrials() throws {
        let comparison = try RunComparison.compare(base: try trials([2200]), candidate: try trials([3700, 3800, 3600]))
        #expect(comparison.regressions.contains { $0.figure == "downtime" && $0.regression?.contains("too few trials") == true })
    }

    // A baseline turns each regression into a failed check naming probe, figure and window, or
    // gives one passed check; over trials it is judged once for the set and tallied as such.
    @Test func baselineChecksNameTheFigure() throws {
        let baseline = Baseline(directory: "runs/base", runs: try trials([2200, 2300, 2100]))
        let same = baseline.checks(candidate: try trials([2200, 2300, 2200]))
        #expect(same.count == 1 && same[0].name == "baseline" && same[0].passed && same[0].detail.hasPrefix("no regression against runs/base in "), "\(same)")
        let worse = baseline.checks(candidate: try trials([3700, 3800, 3600]))
        let downtime = try #require(worse.first { $0.name == "baseline api downtime" })
        #expect(!downtime.passed && downtime.window == "#1 pause")
        #expect(downtime.detail.hasPrefix("1.25s (3 trials: 1.15s … 1.35s) → 2.75s (3 trials: 2.65s … 2.85s) (baseline runs/base); median grew by 1.5s"), "\(downtime.detail)")
        let threeTrials: [(checks: [CheckResult], figures: [WindowFigures])] = [([], []), ([], []), ([], [])]
        let summary = TrialSummary.of(threeTrials).adding(setChecks: worse)
        #expect(!summary.held && summary.setChecks == worse)
        #expect(TrialReport.markdown(summary, name: "a", plan: .replay).contains("- **FAIL** baseline api downtime (#1 pause): 1.25s"))
    }
}
