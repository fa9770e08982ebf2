/// What one probe saw of one fault: when the impact began, when a client could know it, when the
/// service answered again, and how long it was down, each as far as the checks' cadence allows.
///
/// Every instant is an offset from the inject (the moment faultline began applying the fault).
/// A check is taken to fail when the service was impaired as it started, and to pass when it was
/// not, so:
/// - **onset** lies between the end of the last ok check before the first failing one and that
///   failing check's start (never before the inject; a check already in flight at the inject met
///   the fault somewhere before it ended);
/// - **detected** is when the first failing check ended (a time-out is known only when it fires);
/// - **recovered** lies within the first of `consecutive` ok checks in a row after the last failure
///   that began before the revert: at its end at the latest (its answer is the proof), and no
///   earlier than its start, nor than its end less the probe's usual latency before the fault (a
///   check that started during the outage and was answered once the service could answer again
///   took longer than usual by the time it waited);
/// - **downtime** is onset → recovered, its bounds the widest and narrowest the two brackets allow.
public struct Impact: Sendable, Equatable, Codable {
    /// An instant known to lie between two bounds.
    public struct Bracket: Sendable, Equatable, Codable {
        public let earliest: Duration
        public let latest: Duration

        public init(earliest: Duration, latest: Duration) {
            self.earliest = min(earliest, latest)
            self.latest = max(earliest, latest)
        }

        /// The middle of the bracket: the estimate reports and comparisons use.
        public var estimate: Duration { earliest + (latest - earliest) / 2 }
        /// Half the bracket's width: the estimate is off by at most this.
        public var uncertainty: Duration { (latest - earliest) / 2 }
    }

    public let onset: Bracket
    public let detected: Duration
    /// Nil when the probe had not passed `consecutive` checks in a row by the end of what was observed.
    public let recovered: Bracket?

    /// onset → recovered: shortest is the latest onset to the earliest recovery, longest the other way round.
    public var downtime: Bracket? {
        recovered.map { Bracket(earliest: max(.zero, $0.earliest - onset.latest), latest: $0.latest - onset.earliest) }
    }

    /// The impact in `samples` (one probe, on the same timeline as the instants), or nil when no
    /// check that ended after the inject failed: the probe was unaffected.
    public static func of(_ samples: [ProbeSample], injectAt: Duration, revertAt: Duration, consecutive: Int) -> Impact? {
        let ordered = samples.sorted { $0.offset < $1.offset }
        let failing = ordered.filter { !$0.outcome.isOK && $0.endOffset > injectAt }
        guard let first = failing.first, let detectedAt = failing.map(\.endOffset).min() else { return nil }

        let lastOK = ordered.last { $0.outcome.isOK && $0.offset < first.offset }
        let onsetEarliest = max(injectAt, lastOK?.endOffset ?? injectAt)
        let onsetLatest = first.offset >= injectAt ? first.offset : first.endOffset
        let onset = Bracket(earliest: min(onsetEarliest, onsetLatest) - injectAt, latest: onsetLatest - injectAt)

        let usual = ordered.filter { $0.outcome.isOK && $0.endOffset <= injectAt }.map(\.latency).sorted()
        // The outage ends after the last failure that began while the fault was still in place
        // (or the first one, for a fault that acts after its instant, such as a restart).
        let lastInWindow = failing.last { $0.offset < revertAt } ?? first
        var recovered: Bracket?
        if let firstOK = ordered.filter({ $0.offset > lastInWindow.offset }).firstOfOKRun(length: consecutive) {
            let answered = usual.isEmpty ? firstOK.offset : firstOK.endOffset - usual[usual.count / 2]
            recovered = Bracket(earliest: max(firstOK.offset, answered, injectAt) - injectAt, latest: firstOK.endOffset - injectAt)
        }
        return Impact(onset: onset, detected: detectedAt - injectAt, recovered: recovered)
    }
}

extension Array where Element == ProbeSample {
    /// The first run of `length` (at least 1) ok samples in a row (samples in start order): its
    /// first sample is when recovery began, its last the check that confirmed it.
    public func firstOKRun(length: Int) -> ArraySlice<ProbeSample>? {
        let length = Swift.max(1, length)
        var run = 0
        for (index, sample) in enumerated() {
            run = sample.outcome.isOK ? run + 1 : 0
            if run == length { return self[(index - length + 1)...index] }
        }
        return nil
    }

    /// The first sample of the first run of `length` ok samples in a row.
    func firstOfOKRun(length: Int) -> ProbeSample? { firstOKRun(length: length)?.first }
}
