import FaultlineSupport

/// What the dns fault's resolver does with a query for a matching name.
public enum DNSAnswer: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The name does not exist (NXDOMAIN): clients fail at once, usually without retrying.
    case nxdomain
    /// The server failed (SERVFAIL): resolvers try again, then clients fail ("temporary failure").
    case servfail
    /// No answer at all: the client waits out its resolver's time-out and retries.
    case timeout
    /// The real answer, this much later.
    case delay(Duration)

    public static let words = ["nxdomain", "servfail", "timeout", "delay"]

    public var description: String {
        switch self {
        case .nxdomain: return "nxdomain"
        case .servfail: return "servfail"
        case .timeout: return "timeout"
        case .delay(let delay): return "delay \(DurationText.format(delay))"
        }
    }
}
