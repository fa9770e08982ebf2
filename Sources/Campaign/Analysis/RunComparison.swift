import FaultlineSupport
import Probes

/// Two runs of the same campaign side by side (`faultline compare BASE CANDIDATE`): per fault
/// window and probe, downtime, time back after the revert and error rate during the window, the
/// change, and whether it is beyond noise.
///
/// For single runs "beyond noise" is a stated threshold: a duration got worse when it grew by more
/// than `absolute` and by more than `relative` of the base, plus the two figures' own uncertainty
/// (half the gap between the checks that bound them); an error rate when it grew by more than
/// `errorRatePoints`. A probe the fault did not reach in the base and reaches in the candidate, or
/// one that recovered in the base and not in the candidate, got worse whatever the figures.
public struct RunComparison: Sendable {
    public struct Thresholds: Sendable, Equatable {
        public var absolute: Duration
        public var relative: Double
        public var errorRatePoints: Double

        public init(absolute: Duration = .milliseconds(250), relative: Double = 0.25, errorRatePoints: Double = 0.05) {
            self.absolute = absolute
            self.relative = relative
            self.errorRatePoints = errorRatePoints
        }
    }

    /// One figure of one window and probe in both runs.
    public struct Row: Sendable, Equatable {
        public let window: Int
        public let title: String
        public let probe: String
        /// `downtime`, `back after the revert`, `error rate during`.
        public let figure: String
        public let base: String
        public let candidate: String
        public let change: String
        /// Why this row is a regression, or nil.
        public let regression: String?
    }

    public let rows: [Row]
    /// Windows or probes one run has and the other lacks.
    public let unmatched: [String]

    public var regressions: [Row] { rows.filter { $0.regression != nil } }

    /// Matches windows by index (the same campaign plans the same windows) and probes by name;
    /// probes used only by `passes_within` checks (expected to fail until the fault shows) are left out.
    /// Throws when the windows' faults differ: those runs do not answer the same question.
    public static func compare(base: RunRecord, baseFigures: [WindowFigures], candidate: RunRecord, candidateFigures: [WindowFigures],
                               thresholds: Thresholds = Thresholds()) throws(RunComparisonError) -> RunComparison {
        for window in base.windows {
            if let other = candidate.windows.first(where: { $0.index == window.index }), other.kind != window.kind || other.selector != window.selector {
                throw RunComparisonError(message: "window #\(window.index) is \(window.kind.rawValue) on \(window.selector) in the base run and "
                                         + "\(other.kind.rawValue) on \(other.selector) in the candidate: compare runs of the same campaign and plan")
            }
        }
        let propagation = [base, candidate].reduce(into: Set<String>()) { set, record in
            if let campaign = try? CampaignParser.parse(record.source, file: "journal") {
                set.formUnion(HypothesisEvaluator(campaign: campaign).propagationOnlyProbes)
            }
        }
        let baseFigures = baseFigures.filter { !propagation.contains($0.probe) }
        let candidateFigures = candidateFigures.filter { !propagation.contains($0.probe) }
        var rows: [Row] = []
        var unmatched: [String] = []
        for figure in baseFigures {
            guard let other = candidateFigures.first(where: { $0.window == figure.window && $0.probe == figure.probe }) else {
                unmatched.append("#\(figure.window) \(figure.probe): only in the base run")
                continue
            }
            let title = base.windows.first { $0.index == figure.window }.map { "#\($0.index) \($0.kind.rawValue)" } ?? "#\(figure.window)"
            rows += compare(figure, other, title: title, thresholds: thresholds)
        }
        for figure in candidateFigures where !baseFigures.contains(where: { $0.window == figure.window && $0.probe == figure.probe }) {
            unmatched.append("#\(figure.window) \(figure.probe): only in the candidate run")
        }
        return RunComparison(rows: rows, unmatched: unmatched)
    }

    static func compare(_ base: WindowFigures, _ candidate: WindowFigures, title: String, thresholds: Thresholds) -> [Row] {
        func row(_ figure: String, _ baseText: String, _ candidateText: String, _ change: String, _ regression: String?) -> Row {
            Row(window: base.window, title: title, probe: base.probe, figure: figure, base: baseText, candidate: candidateText, change: change, regression: regression)
        }
        var rows: [Row] = []
        // Downtime: the impact as the probe saw it.
        let baseDowntime = base.impact?.downtime, candidateDowntime = candidate.impact?.downtime
        func downtimeText(_ figure: WindowFigures, _ downtime: Impact.Bracket?) -> String {
            figure.unaffected ? "unaffected" : downtime.map(ImpactText.describe) ?? (figure.impact == nil ? "—" : "not recovered")
        }
        let downtimeChange: String
        var downtimeRegression: String?
        if let b = baseDowntime, let c = candidateDowntime {
            downtimeChange = signed(c.estimate - b.estimate)
            downtimeRegression = worse(base: b.estimate, candidate: c.estimate, noise: b.uncertainty + c.uncertainty, thresholds: thresholds)
        } else if base.unaffected, candidate.impact != nil {
            downtimeChange = "newly affected"
            downtimeRegression = "the fault now reaches this probe" + (candidateDowntime == nil ? ", and it did not recover" : "")
        } else if baseDowntime != nil, candidate.impact != nil, candidateDowntime == nil {
            downtimeChange = "not recovered"
            downtimeRegression = "it no longer recovers"
        } else {
            downtimeChange = "—"
        }
        rows.append(row("downtime", downtimeText(base, baseDowntime), downtimeText(candidate, candidateDowntime), downtimeChange, downtimeRegression))
        // Back after the revert: what recover_within judges (not for an unaffected probe).
        if !(base.unaffected && candidate.unaffected) {
            let b = base.unaffected ? nil : base.timeToRecover, c = candidate.unaffected ? nil : candidate.timeToRecover
            var regression: String?
            if let b, let c {
                regression = worse(base: b, candidate: c, noise: .zero, thresholds: thresholds)
            } else if b != nil || base.unaffected, c == nil, !candidate.unaffected {
                regression = "it is no longer back after the revert"
            }
            rows.append(row("back after the revert", b.map { ImpactText.rounded($0).formatted } ?? (base.unaffected ? "unaffected" : "not back"),
                            c.map { ImpactText.rounded($0).formatted } ?? (candidate.unaffected ? "unaffected" : "not back"),
                            b.flatMap { b in c.map { signed($0 - b) } } ?? "—", regression))
        }
        // Error rate during the window.
        let rates = (base.during.errorRate, candidate.during.errorRate)
        let points = rates.1 - rates.0
        rows.append(row("error rate during", percent(rates.0), percent(rates.1), String(format: "%+.1f points", points * 100),
                        points > thresholds.errorRatePoints
                            ? String(format: "grew by %.1f points (threshold %.1f)", points * 100, thresholds.errorRatePoints * 100) : nil))
        return rows
    }

    /// Why `candidate` is worse than `base` beyond the thresholds and the figures' noise, or nil.
    static func worse(base: Duration, candidate: Duration, noise: Duration, thresholds: Thresholds) -> String? {
        let grew = candidate - base
        let allowed = max(thresholds.absolute, .nanoseconds(Int64(Double(base.nanoseconds) * thresholds.relative))) + noise
        guard grew > allowed else { return nil }
        return "grew by \(grew.formatted), more than \(allowed.formatted) (the larger of \(thresholds.absolute.formatted) and "
            + "\(Int(thresholds.relative * 100))% of the base\(noise > .zero ? ", plus ±\(noise.formatted) of uncertainty" : ""))"
    }

    static func signed(_ duration: Duration) -> String {
        duration < .zero ? "-" + ImpactText.rounded(Duration.zero - duration).formatted : "+" + ImpactText.rounded(duration).formatted
    }

    static func percent(_ rate: Double) -> String { String(format: "%.1f%%", rate * 100) }
}

/// Two runs that cannot be compared, and why.
public struct RunComparisonError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
