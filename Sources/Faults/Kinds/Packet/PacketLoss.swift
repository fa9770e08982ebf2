import FaultlineSupport

/// Which packets the engine drops: each on its own with `probability`, or in bursts (Gilbert's
/// two-state model: in the bad state every packet is lost, in the good none) whose mean length is
/// `meanBurst` packets, with the same share lost over time.
public struct PacketLoss: Sendable, Codable, Equatable, CustomStringConvertible {
    public var probability: Double
    public var meanBurst: Double

    public init(probability: Double, meanBurst: Double = 1) {
        self.probability = probability
        self.meanBurst = meanBurst
    }

    /// Chance of going from good to bad after a packet: the stationary share of bad is then `probability`.
    var intoBurst: Double { probability >= 1 ? 1 : probability / (meanBurst * (1 - probability)) }
    /// Chance of leaving a burst after a lost packet.
    var outOfBurst: Double { probability >= 1 ? 0 : 1 / meanBurst }
    /// Whether bursts that long can make up that share (the chance into a burst is at most 1).
    var isPossible: Bool { meanBurst <= 1 || intoBurst <= 1 }

    /// `loss 5%` or `loss 5% in bursts of 4`.
    public var description: String {
        "loss \(PacketParameters.percent(probability))" + (meanBurst > 1 ? " in bursts of \(ParameterType.format(meanBurst))" : "")
    }
}
