import FaultlineSupport
import Foundation

/// How far a node's wall clock is ahead of the coordinator's, measured the way NTP does: the
/// coordinator notes when it asked (t0) and when the answer arrived (t3), the node what its clock
/// said in between (t1); the node's clock is ahead by t1 − (t0 + t3) / 2, give or take half the
/// round trip. Of several exchanges the one with the shortest round trip is the most exact.
public struct ClockOffset: Sendable, Equatable, Codable {
    /// The node's clock minus the coordinator's (positive: the node's is ahead).
    public let offset: Duration
    /// Half the round trip of the exchange used: the true offset lies within ± this.
    public let uncertainty: Duration

    public init(offset: Duration, uncertainty: Duration) {
        self.offset = offset
        self.uncertainty = uncertainty
    }

    /// One question and answer: when it was sent and received (the coordinator's clock) and what
    /// the node's clock said.
    public struct Exchange: Sendable, Equatable {
        public let sent: Date
        public let remote: Date
        public let received: Date
        public init(sent: Date, remote: Date, received: Date) {
            self.sent = sent
            self.remote = remote
            self.received = received
        }
        var roundTrip: TimeInterval { received.timeIntervalSince(sent) }
    }

    /// The estimate from the exchange with the shortest round trip; nil without exchanges.
    public static func estimate(_ exchanges: [Exchange]) -> ClockOffset? {
        guard let best = exchanges.filter({ $0.roundTrip >= 0 }).min(by: { $0.roundTrip < $1.roundTrip }) else { return nil }
        let midpoint = best.sent.addingTimeInterval(best.roundTrip / 2)
        return ClockOffset(offset: .seconds(best.remote.timeIntervalSince(midpoint)), uncertainty: .seconds(best.roundTrip / 2))
    }

    /// A time the node's clock gave, on the coordinator's clock.
    public func local(_ remote: Date) -> Date { remote.addingTimeInterval(-offset.seconds) }

    /// `+3.2ms ± 0.4ms`.
    public var formatted: String {
        (offset < .zero ? "-" : "+") + (offset < .zero ? .zero - offset : offset).formatted + " ± " + uncertainty.formatted
    }
}
