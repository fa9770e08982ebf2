/// What must hold for a campaign to pass.
public struct Hypothesis: Sendable, Equatable {
    /// Checked before anything is injected: if it does not hold, nothing is injected.
    public var steadyState: SteadyState
    public var checks: [HypothesisCheck]

    public init(steadyState: SteadyState = SteadyState(), checks: [HypothesisCheck] = []) {
        self.steadyState = steadyState
        self.checks = checks
    }
}

/// The steady state observed before the first fault.
public struct SteadyState: Sendable, Equatable {
    /// How long the probes are observed.
    public var window: Duration = .seconds(2)
    /// Probes that must be healthy (nil: every probe not used only for `passes_within`).
    public var probes: [String]?
    public var maxErrorRate: Double = 0

    public init(window: Duration = .seconds(2), probes: [String]? = nil, maxErrorRate: Double = 0) {
        self.window = window
        self.probes = probes
        self.maxErrorRate = maxErrorRate
    }
}

/// One assertion about one probe, evaluated for each fault window (optionally only the windows of
/// faults on some targets).
public struct HypothesisCheck: Sendable, Equatable {
    public enum Rule: Sendable, Equatable {
        /// Error rate of the samples during the window at most this.
        case maxErrorRate(Double)
        /// p99 latency during the window at most this.
        case maxP99(Duration)
        /// After the window, K ok samples in a row start within this.
        case recoverWithin(Duration)
        /// During the window, an ok sample ends within this of the inject (error propagation:
        /// a probe that expects an `error` event must see one, quickly, while a dependency is down).
        case passesWithin(Duration)
    }

    public var probe: String
    public var rule: Rule
    /// Target selector names whose windows this check applies to (nil: all windows).
    public var targets: [String]?

    public init(probe: String, rule: Rule, targets: [String]? = nil) {
        self.probe = probe
        self.rule = rule
        self.targets = targets
    }

    /// `recover_within 10s` etc.
    public var ruleDescription: String {
        switch rule {
        case .maxErrorRate(let rate): return "max_error_rate \(rate)"
        case .maxP99(let limit): return "max_p99 \(limit.formatted)"
        case .recoverWithin(let limit): return "recover_within \(limit.formatted)"
        case .passesWithin(let limit): return "passes_within \(limit.formatted)"
        }
    }
}

/// Abort the campaign (and revert everything) when a probe keeps failing.
public struct StopCondition: Sendable, Equatable {
    public var probe: String
    public var failingFor: Duration

    public init(probe: String, failingFor: Duration) {
        self.probe = probe
        self.failingFor = failingFor
    }
}

import FaultlineSupport

extension Duration {
    /// `250ms`, `1.5s`, `2m`.
    var formatted: String { DurationText.format(self) }
}
