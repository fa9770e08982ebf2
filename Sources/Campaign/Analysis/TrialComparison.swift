import FaultlineSupport
import Foundation
import Probes

/// One run of a campaign, or one trial of `run --trials N`: its record and figures.
public struct ComparedRun: Sendable {
    public let record: RunRecord
    public let figures: [WindowFigures]

    public init(record: RunRecord, figures: [WindowFigures]) {
        self.record = record
        self.figures = figures
    }
}

extension RunComparison {
    /// Compares two sets of runs of one campaign. One run a side: `compare(base:…)`'s stated
    /// thresholds. More: per window, probe and figure the trials' values are compared with a
    /// one-sided rank test (`RankTest`); a figure got worse when the candidate's values rank higher
    /// (p ≤ `alpha`) *and* its median grew beyond the thresholds — significant and large enough to
    /// matter. An unaffected trial counts as zero downtime, one that did not recover as the longest
    /// possible, so "newly affected" and "no longer recovers" are rank shifts like any other. With
    /// too few trials for the test to reach `alpha` (fewer than 3 a side) the medians are judged by
    /// the thresholds alone, and the row says so.
    public static func compare(base: [ComparedRun], candidate: [ComparedRun], thresholds: Thresholds = Thresholds(),
                               alpha: Double = 0.05) throws(RunComparisonError) -> RunComparison {
        guard let firstBase = base.first, let firstCandidate = candidate.first else {
            throw RunComparisonError(message: "nothing to compare: a side has no run")
        }
        if base.count == 1, candidate.count == 1 {
            return try compare(base: firstBase.record, baseFigures: firstBase.figures, candidate: firstCandidate.record,
                               candidateFigures: firstCandidate.figures, thresholds: thresholds)
        }
        // The plans must match (and the probes to leave out are found) as for single runs.
        let shape = try compare(base: firstBase.record, baseFigures: firstBase.figures, candidate: firstCandidate.record,
                                candidateFigures: firstCandidate.figures, thresholds: thresholds)
        let compared = Set(shape.rows.map { "\($0.window) \($0.probe)" })
        var rows: [Row] = []
        for figure in firstBase.figures where compared.contains("\(figure.window) \(figure.probe)") {
            let title = shape.rows.first { $0.window == figure.window && $0.probe == figure.probe }?.title ?? "#\(figure.window)"
            func side(_ runs: [ComparedRun]) -> [WindowFigures] {
                runs.compactMap { run in run.figures.first { $0.window == figure.window && $0.probe == figure.probe } }
            }
            let (b, c) = (side(base), side(candidate))
            for measure in TrialMeasure.all {
                let (bv, cv) = (b.compactMap(measure.value), c.compactMap(measure.value))
                guard !bv.isEmpty, !cv.isEmpty, measure.name != "back after the revert" || !(bv + cv).allSatisfy(\.isInfinite) else { continue }
                rows.append(trialRow(measure, base: bv, candidate: cv, window: figure.window, title: title, probe: figure.probe,
                                     thresholds: thresholds, alpha: alpha))
            }
        }
        return RunComparison(rows: rows, unmatched: shape.unmatched)
    }

    static func trialRow(_ measure: TrialMeasure, base: [Double], candidate: [Double], window: Int, title: String, probe: String,
                         thresholds: Thresholds, alpha: Double) -> Row {
        let (bs, cs) = (base.sorted(), candidate.sorted())
        let (bm, cm) = (TrialSummary.FigureSpread.quantile(bs, 0.5)!, TrialSummary.FigureSpread.quantile(cs, 0.5)!)
        func text(_ sorted: [Double], _ median: Double) -> String {
            sorted.first == sorted.last ? "\(measure.text(median)) (all \(sorted.count) trials)"
                : "\(measure.text(median)) (\(sorted.count) trials: \(measure.text(sorted.first!)) … \(measure.text(sorted.last!)))"
        }
        let change: String
        var large: String?
        switch (bm.isInfinite, cm.isInfinite) {
        case (false, false) where measure.name == "downtime" && bm == 0 && cm == 0:
            change = "—"
        case (false, false):
            change = measure.change(cm - bm)
            large = measure.worse(bm, cm, thresholds)
        case (false, true):
            change = measure.name == "downtime" ? "not recovered" : "not back"
            large = "its median trial no longer \(measure.name == "downtime" ? "recovers" : "is back after the revert")"
        default:
            change = "—"
        }
        let p = RankTest.pGreater(base: base, candidate: candidate)
        let regression: String?
        if RankTest.smallestP(m: candidate.count, n: base.count) > alpha {
            regression = large.map { "median \($0); too few trials for a rank test (3 or more a side), judged by the thresholds alone" }
        } else {
            regression = p <= alpha ? large.map { "median \($0); rank test p = \(String(format: "%.3f", p)) ≤ \(alpha)" } : nil
        }
        return Row(window: window, title: title, probe: probe, figure: measure.name, base: text(bs, bm), candidate: text(cs, cm),
                   change: change, regression: regression)
    }
}

/// A figure compared over trials, as a number a rank test can order.
struct TrialMeasure: Sendable {
    let name: String
    /// The trial's value (milliseconds, or a fraction for rates); infinity for "never recovered";
    /// nil when the trial has no such figure.
    let value: @Sendable (WindowFigures) -> Double?
    let isRate: Bool

    static let all = [
        // Unaffected is no downtime at all; affected and not recovered is the worst there is.
        TrialMeasure(name: "downtime", value: { $0.unaffected ? 0 : $0.impact.map { $0.downtime?.estimate.milliseconds ?? .infinity } }, isRate: false),
        TrialMeasure(name: "back after the revert", value: { $0.unaffected ? nil : $0.timeToRecover?.milliseconds ?? .infinity }, isRate: false),
        TrialMeasure(name: "error rate during", value: { $0.during.errorRate }, isRate: true),
    ]

    func text(_ value: Double) -> String {
        if isRate { return RunComparison.percent(value) }
        if value.isInfinite { return name == "downtime" ? "not recovered" : "not back" }
        return name == "downtime" && value == 0 ? "unaffected" : ImpactText.rounded(.milliseconds(value)).formatted
    }

    func change(_ delta: Double) -> String {
        isRate ? String(format: "%+.1f points", delta * 100) : RunComparison.signed(.milliseconds(delta))
    }

    /// Why the candidate's median is worse by more than the thresholds, or nil.
    func worse(_ base: Double, _ candidate: Double, _ thresholds: RunComparison.Thresholds) -> String? {
        if isRate {
            return candidate - base > thresholds.errorRatePoints
                ? String(format: "grew by %.1f points (threshold %.1f)", (candidate - base) * 100, thresholds.errorRatePoints * 100) : nil
        }
        return RunComparison.worse(base: .milliseconds(base), candidate: .milliseconds(candidate), noise: .zero, thresholds: thresholds)
    }
}
