import FaultlineSupport
import Foundation
import Probes

/// What N trials of one campaign say together (`run --trials N`): per check, in how many trials it
/// held (a check that held in some and not in others is **flaky**, not passed); per window, probe
/// and figure (downtime, detected, back after the revert), the distribution over the trials.
public struct TrialSummary: Sendable {
    public struct CheckTally: Sendable, Equatable {
        public let name: String
        public let window: String?
        public let held: Int
        public let trials: Int

        /// `held` in every trial, `failed` in none, else `flaky`.
        public var status: String { held == trials ? "held" : held == 0 ? "failed" : "flaky" }
    }

    public struct FigureSpread: Sendable, Equatable {
        public let window: Int
        public let probe: String
        /// `downtime`, `detected`, `back after the revert`.
        public let figure: String
        /// One value per trial that had the figure, in trial order.
        public let values: [Duration]
        /// Trials in which the probe was unaffected (no figure).
        public let unaffected: Int
        public let trials: Int

        public var sorted: [Duration] { values.sorted() }
        public var median: Duration? { Self.quantile(sorted, 0.5) }
        public var p90: Duration? { Self.quantile(sorted, 0.9) }

        /// A distribution-free interval for the median from two order statistics, and the confidence
        /// it has: 95 % or more when there are enough trials (6 or more), else what the trials allow.
        public var medianInterval: (lower: Duration, upper: Duration, confidence: Double)? {
            let values = sorted
            guard !values.isEmpty else { return nil }
            let n = values.count
            // The widest-ranked pair (k, n − k + 1) is [min, max]; narrow while coverage stays ≥ 95 %.
            var k = 1
            while k + 1 <= (n + 1) / 2, Self.coverage(n: n, k: k + 1) >= 0.95 { k += 1 }
            return (values[k - 1], values[n - k], Self.coverage(n: n, k: k))
        }

        /// P(x_(k) ≤ median ≤ x_(n−k+1)) for a continuous distribution: 1 − 2·P(Binomial(n, ½) ≤ k − 1).
        static func coverage(n: Int, k: Int) -> Double {
            var tail = 0.0, term = pow(0.5, Double(n))  // P(B = 0)
            for i in 0..<k {
                tail += term
                term = term * Double(n - i) / Double(i + 1)
            }
            return max(0, 1 - 2 * tail)
        }

        /// Nearest-rank quantile.
        static func quantile<Value>(_ sorted: [Value], _ q: Double) -> Value? {
            guard !sorted.isEmpty else { return nil }
            return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
    }

    public let trials: Int
    public let checks: [CheckTally]
    public let figures: [FigureSpread]
    /// Checks that judged the trials as one set (`--baseline`), with their details.
    public private(set) var setChecks: [CheckResult] = []

    /// Held only when every check held in every trial.
    public var held: Bool { checks.allSatisfy { $0.status == "held" } }

    /// With checks that judge the trials as a set (`--baseline`): held in all trials or in none.
    public func adding(setChecks: [CheckResult]) -> TrialSummary {
        var summary = TrialSummary(trials: trials, checks: checks + setChecks.map {
            CheckTally(name: $0.name, window: $0.window, held: $0.passed ? trials : 0, trials: trials)
        }, figures: figures)
        summary.setChecks = self.setChecks + setChecks
        return summary
    }

    /// - Parameter runs: each trial's verdict checks and figures, in trial order.
    public static func of(_ runs: [(checks: [CheckResult], figures: [WindowFigures])]) -> TrialSummary {
        // Checks in the order they first appear; a trial that did not get to a check (aborted,
        // steady state not met) did not hold it.
        var firsts: [CheckResult] = []
        for run in runs {
            for check in run.checks where !firsts.contains(where: { CheckKey($0) == CheckKey(check) }) { firsts.append(check) }
        }
        let tallies = firsts.map { first in
            CheckTally(name: first.name, window: first.window,
                       held: runs.filter { $0.checks.contains { CheckKey($0) == CheckKey(first) && $0.passed } }.count, trials: runs.count)
        }
        var spreads: [FigureSpread] = []
        var pairs: [(Int, String)] = []
        for run in runs {
            for figure in run.figures where !pairs.contains(where: { $0 == (figure.window, figure.probe) }) {
                pairs.append((figure.window, figure.probe))
            }
        }
        for (window, probe) in pairs.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            let figures = runs.compactMap { run in run.figures.first { $0.window == window && $0.probe == probe } }
            let unaffected = figures.filter(\.unaffected).count
            let measured: [(String, (WindowFigures) -> Duration?)] = [
                ("downtime", { $0.impact?.downtime?.estimate }),
                ("detected", { $0.impact?.detected }),
                ("back after the revert", { $0.unaffected ? nil : $0.timeToRecover }),
            ]
            for (name, value) in measured {
                spreads.append(FigureSpread(window: window, probe: probe, figure: name, values: figures.compactMap(value),
                                            unaffected: unaffected, trials: runs.count))
            }
        }
        return TrialSummary(trials: runs.count, checks: tallies, figures: spreads)
    }

    /// A check is the same check across trials when its name and window number are (a reseeded
    /// trial may pick another container for window #2: `#2 pause on cache-1` then `#2 pause on cache-2`).
    private struct CheckKey: Equatable {
        let name: String
        let window: Substring?
        init(_ check: CheckResult) {
            name = check.name
            window = check.window.map { $0.hasPrefix("#") ? $0.prefix { $0 != " " } : Substring($0) }
        }
    }
}
