import FaultlineSupport
import Probes

/// The words every report uses for an impact: onset, detected, recovered, downtime.
public enum ImpactText {
    /// `after the inject: onset 210ms ± 25ms, detected 710ms, recovered 1.3s ± 1ms; downtime 1.09s ± 26ms`.
    public static func describe(_ impact: Impact) -> String {
        let recovered = impact.recovered.map { "recovered \(describe($0))" } ?? "not recovered"
        let downtime = impact.downtime.map { "; downtime \(describe($0))" } ?? ""
        return "after the inject: onset \(describe(impact.onset)), detected \(rounded(impact.detected).formatted), \(recovered)\(downtime)"
    }

    /// `1.23s ± 25ms`, or just the instant when the bounds meet; whole milliseconds (a check's
    /// cadence makes finer digits noise), finer only below one.
    public static func describe(_ bracket: Impact.Bracket) -> String {
        let uncertainty = rounded(bracket.uncertainty)
        return uncertainty == .zero ? rounded(bracket.estimate).formatted : "\(rounded(bracket.estimate).formatted) ± \(uncertainty.formatted)"
    }

    /// To the millisecond from one up; to the 0.1 ms below.
    static func rounded(_ duration: Duration) -> Duration {
        let ms = duration.milliseconds
        return ms >= 1 ? .milliseconds(Int64(ms.rounded())) : .microseconds(Int64((ms * 10).rounded()) * 100)
    }

    /// The table cells reports print per window and probe: onset, detected, recovered (after the
    /// inject), downtime, and back after the revert (the figure `recover_within` judges).
    public static func cells(_ figure: WindowFigures) -> [String] {
        if figure.unaffected { return ["unaffected", "—", "—", "—", "—"] }
        guard let impact = figure.impact else { return ["—", "—", "—", "—", figure.timeToRecover?.formatted ?? "—"] }
        return [describe(impact.onset), rounded(impact.detected).formatted, impact.recovered.map(describe) ?? "not recovered",
                impact.downtime.map(describe) ?? "—", figure.timeToRecover?.formatted ?? "not back"]
    }

    /// Header cells matching `cells`.
    public static let headers = ["onset", "detected", "recovered", "downtime", "back after the revert"]
}
