import Foundation

/// The few figures of one window × probe that are followed from run to run: downtime, time back
/// after the revert, error rate during the window, and whether the probe was affected at all and
/// recovered. The daemon's campaign history, its /metrics gauges and the HTML report's trend chart
/// all speak of a run through these.
public struct RecoveryFigure: Codable, Sendable, Equatable {
    public let window: Int
    public let probe: String
    /// Onset → recovered (its estimate); nil when unaffected or not recovered.
    public let downtimeMS: Double?
    /// Revert → the first of `consecutive_ok` ok checks; nil when unaffected or not back.
    public let backAfterRevertMS: Double?
    public let errorRateDuring: Double
    /// No check failed from the inject on and `consecutive_ok` passed after the revert.
    public let unaffected: Bool
    /// Some check failed from the inject on (there is an onset). Neither this nor `unaffected`:
    /// nothing failed, but the run ended before enough ok checks after the revert confirmed it.
    public let failed: Bool
    /// Nothing failed, or what failed came back.
    public let recovered: Bool

    enum CodingKeys: String, CodingKey {
        case window, probe, downtimeMS = "downtime_ms", backAfterRevertMS = "back_after_revert_ms"
        case errorRateDuring = "error_rate_during", unaffected, failed, recovered
    }

    public init(window: Int, probe: String, downtimeMS: Double?, backAfterRevertMS: Double?, errorRateDuring: Double,
                unaffected: Bool, failed: Bool, recovered: Bool) {
        self.window = window
        self.probe = probe
        self.downtimeMS = downtimeMS
        self.backAfterRevertMS = backAfterRevertMS
        self.errorRateDuring = errorRateDuring
        self.unaffected = unaffected
        self.failed = failed
        self.recovered = recovered
    }

    /// The figures of a run's analysis.
    public static func of(_ figures: [WindowFigures]) -> [RecoveryFigure] {
        figures.map { figure in
            RecoveryFigure(window: figure.window, probe: figure.probe, downtimeMS: figure.impact?.downtime?.estimate.milliseconds,
                           backAfterRevertMS: figure.unaffected ? nil : figure.timeToRecover?.milliseconds,
                           errorRateDuring: figure.during.errorRate, unaffected: figure.unaffected, failed: figure.impact != nil,
                           recovered: figure.impact.map { $0.recovered != nil } ?? true)
        }
    }

    /// The figures of the run in `directory` as its report.json carries them (nil: no readable report).
    public static func ofReport(in directory: String) -> [RecoveryFigure]? {
        JSONReport.Stored.read(directory)?.figures.map(\.recoveryFigure)
    }

    /// Downtime in seconds as a gauge or a chart plots it: 0 when nothing failed, +∞ when not recovered.
    public var downtimeSeconds: Double {
        failed ? downtimeMS.map { $0 / 1000 } ?? .infinity : 0
    }

    /// Time back after the revert in seconds: 0 when unaffected, +∞ when not back.
    public var backAfterRevertSeconds: Double {
        unaffected ? 0 : backAfterRevertMS.map { $0 / 1000 } ?? .infinity
    }
}
