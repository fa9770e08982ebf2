/// Tells when a probe's state turns from ok to failing or back, for printing state changes only.
/// A probe's first sample counts as a change only when it fails.
public struct OutcomeChanges: Sendable {
    private var lastOK: [String: Bool] = [:]

    public init() {}

    /// Records the sample; true when it changes its probe's state.
    public mutating func observe(_ sample: ProbeSample) -> Bool {
        let previous = lastOK[sample.probe]
        lastOK[sample.probe] = sample.outcome.isOK
        return previous != sample.outcome.isOK && (previous != nil || !sample.outcome.isOK)
    }

    /// The probe's latest state; nil before its first sample.
    public func isOK(_ probe: String) -> Bool? { lastOK[probe] }

    /// The line for a change: `redis: timeout: PING: no answer…` or `redis: ok again: PONG`.
    public static func describe(_ sample: ProbeSample) -> String {
        "\(sample.probe): \(sample.outcome.isOK ? "ok again" : sample.outcome.rawValue): \(sample.reason)"
    }
}
