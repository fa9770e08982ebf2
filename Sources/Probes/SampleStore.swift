/// The samples of a set of probes, per probe, for analysis after (and recovery checks during) a
/// fault: what `inject --probe` and a campaign run both keep.
public actor SampleStore {
    private var byProbe: [String: [ProbeSample]] = [:]
    /// Samples kept per probe at most (a bound for very long runs).
    private let cap: Int

    public init(cap: Int = 1_000_000) { self.cap = cap }

    public func add(_ sample: ProbeSample) {
        if byProbe[sample.probe, default: []].count < cap { byProbe[sample.probe, default: []].append(sample) }
    }

    public func snapshot() -> [String: [ProbeSample]] { byProbe }
    public func samples(of probe: String) -> [ProbeSample] { byProbe[probe] ?? [] }
    public func minimumCount(of probes: [String]) -> Int { probes.map { byProbe[$0]?.count ?? 0 }.min() ?? 0 }

    /// The probes whose last `consecutive` samples that ended by `instant` were all ok.
    public func healthy(before instant: Duration, consecutive: Int) -> [String] {
        byProbe.compactMap { probe, samples in
            let before = samples.filter { $0.offset + $0.latency <= instant }
            return before.count >= consecutive && before.suffix(consecutive).allSatisfy(\.outcome.isOK) ? probe : nil
        }
    }

    /// Whether every probe's latest `consecutive` samples that started after `revertAt` are ok.
    public func allRecovered(_ probes: [String], after revertAt: Duration, consecutive: Int) -> Bool {
        probes.allSatisfy { probe in
            let after = (byProbe[probe] ?? []).filter { $0.offset >= revertAt }
            return after.count >= consecutive && after.suffix(consecutive).allSatisfy(\.outcome.isOK)
        }
    }
}
