import Probes

/// Figures for one probe around one fault window.
public struct WindowFigures: Sendable, Equatable, Codable {
    /// Error rate and latency of one phase: before (ended by the inject), during (overlapping the
    /// window), after (started after the revert).
    public struct Phase: Sendable, Equatable, Codable {
        public let samples: Int
        public let failures: Int
        public let p50: Duration
        public let p99: Duration

        public var errorRate: Double { samples == 0 ? 0 : Double(failures) / Double(samples) }

        static func of(_ samples: [ProbeSample]) -> Phase {
            var stats = ProbeStatistics()
            samples.forEach { stats.record($0) }
            return Phase(samples: stats.count, failures: stats.failures, p50: stats.latency(percentile: 50), p99: stats.latency(percentile: 99))
        }
    }

    public let probe: String
    public let window: Int
    public let timeToDetect: Duration?
    /// Revert → the first of K ok checks in a row after it (what `recover_within` judges).
    public let timeToRecover: Duration?
    /// Onset, detected, recovered and downtime with their uncertainty; nil when no check failed.
    public let impact: Impact?
    /// No check failed from the inject on and K passed after the revert: nothing to recover from.
    public let unaffected: Bool
    public let before: Phase
    public let during: Phase
    public let after: Phase
    /// Longest time the probe kept failing, from the inject to the end of the recovery phase.
    public let longestOutage: Duration
    /// Samples that needed more than one attempt (reconnects) from the inject on.
    public let retries: Int
}

/// Computes `WindowFigures` from the samples of a run.
public enum WindowAnalysis {
    /// Figures for every window that was injected × every probe, ordered by window then probe.
    public static func figures(windows: [FaultWindow], samples: [String: [ProbeSample]], probes: [String], runEnd: Duration, consecutive: Int) -> [WindowFigures] {
        let ordered = windows.sorted { $0.injectAt < $1.injectAt }
        var result: [WindowFigures] = []
        for window in ordered where window.injectedSuccessfully {
            // Windows may run side by side (one per node, per container): a window's "before" starts
            // at the last revert before its inject, its "after" ends at the first inject after its
            // revert — not at its neighbour in the list, which may have started at the same moment.
            let revertAt = window.revertAt ?? window.injectAt
            let previousEnd = ordered.compactMap(\.revertAt).filter { $0 <= window.injectAt }.max()
            let nextInject = ordered.map(\.injectAt).filter { $0 >= revertAt && $0 > window.injectAt }.min()
            for probe in probes {
                result.append(WindowAnalysis.figures(probe: probe, samples: samples[probe] ?? [], window: window, previousEnd: previousEnd,
                                                     nextInject: nextInject, runEnd: runEnd, consecutive: consecutive))
            }
        }
        return result.sorted { ($0.window, $0.probe) < ($1.window, $1.probe) }
    }

    /// - Parameters:
    ///   - nextInject: the next window's start (the "after" phase ends there), or nil.
    ///   - runEnd: the end of the run's samples.
    public static func figures(probe: String, samples: [ProbeSample], window: FaultWindow, previousEnd: Duration?,
                               nextInject: Duration?, runEnd: Duration, consecutive: Int) -> WindowFigures {
        let revertAt = window.revertAt ?? window.injectAt
        let afterEnd = nextInject ?? runEnd
        let beforeStart = previousEnd ?? .zero
        let before = samples.filter { $0.offset >= beforeStart && $0.offset + $0.latency <= window.injectAt }
        // Every sample in flight at some moment of the window saw the fault, also one that started
        // before the inject (a long scenario probe), so "during" is overlap, not start time.
        let during = samples.filter { $0.overlaps(from: window.injectAt, to: revertAt) }
        let after = samples.filter { $0.offset >= revertAt && $0.offset < afterEnd }
        let recovery = RecoveryAnalysis.analyse(samples.filter { $0.offset < afterEnd }, injectAt: window.injectAt,
                                                revertAt: revertAt, consecutive: consecutive)
        var stats = ProbeStatistics()
        (during + after).forEach { stats.record($0) }
        stats.finish()
        return WindowFigures(
            probe: probe, window: window.index, timeToDetect: recovery.timeToDetect, timeToRecover: recovery.timeToRecover,
            impact: recovery.impact, unaffected: recovery.unaffected, before: .of(before), during: .of(during), after: .of(after), longestOutage: stats.longestFailureDuration,
            retries: (during + after).filter { $0.attempts > 1 }.count)
    }
}
