/// Turns the samples of one probe around one fault window into recovery figures.
///
/// - time to detect: inject → the moment the first failing check that ended after the inject ended
///   (a time-out is known only when it fires, so that is when a client could have noticed; a
///   check already in flight at the inject counts, it met the fault);
/// - time to recover: revert (the end of the window, when the revert starts) → start of the first
///   of `consecutive` ok samples in a row that started after it;
/// - error rate during the window over the checks that overlapped it, and samples seen;
/// - the impact (onset, detected, recovered, downtime with their uncertainty), nil when no check failed.
public struct RecoveryAnalysis: Sendable, Equatable {
    public let timeToDetect: Duration?
    public let timeToRecover: Duration?
    public let impact: Impact?
    public let samplesDuring: Int
    public let failuresDuring: Int
    public let failuresAfter: Int
    /// Whether the probe was ok (K in a row) before the inject.
    public let healthyBefore: Bool

    public var errorRateDuring: Double { samplesDuring == 0 ? 0 : Double(failuresDuring) / Double(samplesDuring) }
    /// No check failed from the inject on, and the probe passed K checks in a row after the revert:
    /// the fault did not reach what this probe measures, so there is no recovery to report.
    public var unaffected: Bool { impact == nil && timeToRecover != nil }

    /// - Parameters: sample offsets and the inject/revert instants are on the same monotonic timeline.
    public static func analyse(_ samples: [ProbeSample], injectAt: Duration, revertAt: Duration, consecutive: Int = 3) -> RecoveryAnalysis {
        let ordered = samples.sorted { $0.offset < $1.offset }
        let before = ordered.filter { $0.offset + $0.latency <= injectAt }
        let healthyBefore = before.count >= consecutive && before.suffix(consecutive).allSatisfy(\.outcome.isOK)
        let during = ordered.filter { $0.overlaps(from: injectAt, to: revertAt) }
        let after = ordered.filter { $0.offset >= revertAt }
        let recover = after.firstOfOKRun(length: consecutive).map { max(.zero, $0.offset - revertAt) }
        let impact = Impact.of(ordered, injectAt: injectAt, revertAt: revertAt, consecutive: consecutive)
        // Detection is the impact's: the end of the first failing check that ended after the inject.
        return RecoveryAnalysis(timeToDetect: impact?.detected, timeToRecover: recover, impact: impact,
                                samplesDuring: during.count,
                                failuresDuring: during.filter { !$0.outcome.isOK }.count,
                                failuresAfter: after.filter { !$0.outcome.isOK }.count, healthyBefore: healthyBefore)
    }
}
