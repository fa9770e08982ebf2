import FaultlineSupport
import Foundation

/// How long the packet engine holds each packet: a constant delay plus, with jitter, a random
/// variation of a chosen shape, each packet's variation following the last one's by `correlation`
/// (as netem's `delay TIME JITTER CORRELATION distribution …`).
public struct PacketDelay: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Distribution: String, Sendable, Codable, CaseIterable {
        /// delay + jitter × a standard normal value (never below 0).
        case normal
        /// delay + jitter × a value uniform in [-1, 1].
        case uniform
        /// delay + a Pareto-distributed extra (shape 3, heavy tail) whose mean is the jitter.
        case pareto
    }

    public var delay: Duration
    public var jitter: Duration
    public var distribution: Distribution
    /// 0 ≤ c < 1: variation = c × last variation + (1 − c) × a fresh one.
    public var correlation: Double

    public init(delay: Duration, jitter: Duration = .zero, distribution: Distribution = .normal, correlation: Double = 0) {
        self.delay = delay
        self.jitter = jitter
        self.distribution = distribution
        self.correlation = correlation
    }

    /// `delay 200ms±50ms normal`.
    public var description: String {
        "delay \(DurationText.format(delay))" + (jitter > .zero ? "±\(DurationText.format(jitter)) \(distribution.rawValue)" : "")
            + (correlation > 0 ? " correlated \(ParameterType.format(correlation))" : "")
    }

    /// The Pareto shape: heavy-tailed, with a finite variance.
    static let paretoShape = 3.0

    /// One fresh variation in units of the jitter: normal N(0, 1), uniform [-1, 1], Pareto ≥ 0 with mean 1.
    static func freshVariation(_ distribution: Distribution, using random: inout some RandomNumberGenerator) -> Double {
        switch distribution {
        case .normal:
            // Box–Muller.
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &random), u2 = Double.random(in: 0..<1, using: &random)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        case .uniform:
            return Double.random(in: -1...1, using: &random)
        case .pareto:
            // Lomax (Pareto II) with scale (shape − 1), so its mean is 1.
            let u = Double.random(in: Double.ulpOfOne..<1, using: &random)
            return (paretoShape - 1) * (pow(u, -1 / paretoShape) - 1)
        }
    }
}
