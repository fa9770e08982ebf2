import Synchronization

/// How many of the matching requests or messages a fault acts on: a share of them (`probability`)
/// and at most the first N (`first`), counted across every connection of its proxy.
final class MatchAllowance: Sendable {
    let probability: Double?
    let first: Int?
    private let actedOn = Mutex(0)

    init(probability: Double?, first: Int?) {
        self.probability = probability
        self.first = first
    }

    /// Whether the fault acts on this match; counts it when it does.
    func admits() -> Bool {
        actedOn.withLock { count in
            if let first, count >= first { return false }
            if let probability, probability < 1, Double.random(in: 0..<1) >= probability { return false }
            count += 1
            return true
        }
    }

    var count: Int { actedOn.withLock { $0 } }
}
