/// What the packet engine does with one packet, decided from the fault's parameters and a random
/// source alone (no clock, no I/O): the same seed gives the same decisions, which the tests read.
struct PacketDecider<Random: RandomNumberGenerator> {
    struct Decision: Equatable {
        var drop = false
        /// How long to hold it before letting it through (zero: at once).
        var hold: Duration = .zero
        var duplicate = false
        /// The bit to flip after the IP header, when it is corrupted.
        var corruptBit: Int?
    }

    let parameters: PacketParameters
    private var random: Random
    /// Gilbert model: whether the last packet fell in a burst of losses.
    private var inBurst = false
    /// The last packet's variation, in units of the jitter (for correlation).
    private var lastVariation = 0.0

    init(_ parameters: PacketParameters, random: Random) {
        self.parameters = parameters
        self.random = random
    }

    mutating func decide() -> Decision {
        var decision = Decision()
        if let loss = parameters.loss, lost(loss) {
            decision.drop = true
            return decision
        }
        if let delay = parameters.delay {
            let reordered = parameters.reorder.map { chance($0) } ?? false
            decision.hold = reordered ? .zero : hold(delay)
        }
        if let duplicate = parameters.duplicate { decision.duplicate = chance(duplicate) }
        if let corruption = parameters.corruption, chance(corruption.probability) { decision.corruptBit = Int.random(in: 0..<(1 << 20), using: &random) }
        return decision
    }

    private mutating func chance(_ probability: Double) -> Bool { probability >= 1 || Double.random(in: 0..<1, using: &random) < probability }

    private mutating func lost(_ loss: PacketLoss) -> Bool {
        guard loss.meanBurst > 1 else { return chance(loss.probability) }
        inBurst = inBurst ? !chance(loss.outOfBurst) : chance(loss.intoBurst)
        return inBurst
    }

    private mutating func hold(_ delay: PacketDelay) -> Duration {
        guard delay.jitter > .zero else { return delay.delay }
        let fresh = PacketDelay.freshVariation(delay.distribution, using: &random)
        let variation = delay.correlation * lastVariation + (1 - delay.correlation) * fresh
        lastVariation = variation
        let held = delay.delay.seconds + variation * delay.jitter.seconds
        return held <= 0 ? .zero : .nanoseconds(Int64(held * 1e9))
    }
}
