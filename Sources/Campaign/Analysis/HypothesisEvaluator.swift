import FaultlineSupport
import Probes

/// Turns a run's windows and samples into check results and a verdict.
public struct HypothesisEvaluator: Sendable {
    public let campaign: CampaignDefinition

    public init(campaign: CampaignDefinition) { self.campaign = campaign }

    /// The probes the steady state covers: those named, else every probe not used only for
    /// `passes_within` checks (those expect to fail while all is well).
    public var steadyStateProbes: [String] {
        if let named = campaign.hypothesis.steadyState.probes { return named }
        let propagation = propagationOnlyProbes
        return campaign.probes.map(\.name).filter { !propagation.contains($0) }
    }

    /// Probes used only by `passes_within` checks: they are expected to fail while all is well and
    /// to pass once the fault shows, so their failures are not an impact.
    public var propagationOnlyProbes: Set<String> {
        let propagation = Set(campaign.hypothesis.checks.filter {
            if case .passesWithin = $0.rule { return true } else { return false }
        }.map(\.probe))
        let usedOtherwise = Set(campaign.hypothesis.checks.filter {
            if case .passesWithin = $0.rule { return false } else { return true }
        }.map(\.probe))
        return propagation.subtracting(usedOtherwise)
    }

    /// The steady state from the samples observed before the first fault.
    public func steadyState(_ samples: [String: [ProbeSample]]) -> CheckResult {
        let limit = campaign.hypothesis.steadyState.maxErrorRate
        var problems: [String] = []
        var figures: [String] = []
        for name in steadyStateProbes {
            let list = samples[name] ?? []
            let failures = list.filter { !$0.outcome.isOK }.count
            let rate = list.isEmpty ? 1 : Double(failures) / Double(list.count)
            figures.append("\(name) \(failures)/\(list.count) failed")
            if list.isEmpty {
                problems.append("\(name) produced no sample")
            } else if rate > limit {
                let reason = list.last { !$0.outcome.isOK }.map { ": \($0.outcome.rawValue), \($0.reason)" } ?? ""
                problems.append(String(format: "%@ error rate %.1f%% > %.1f%%%@", name, rate * 100, limit * 100, reason))
            }
        }
        let window = campaign.hypothesis.steadyState.window.formatted
        return CheckResult(name: "steady state", window: nil, passed: problems.isEmpty,
                           detail: problems.isEmpty ? "held for \(window) (\(figures.joined(separator: ", ")))" : "not met over \(window): " + problems.joined(separator: "; "))
    }

    /// Every check against every window it applies to.
    public func evaluate(windows: [FaultWindow], figures: [WindowFigures], samples: [String: [ProbeSample]]) -> [CheckResult] {
        var results: [CheckResult] = []
        for check in campaign.hypothesis.checks {
            let name = "\(check.probe) \(check.ruleDescription)"
            for window in windows where window.injectedSuccessfully && (check.targets?.contains(window.selector) ?? true) {
                guard let figure = figures.first(where: { $0.probe == check.probe && $0.window == window.index }) else { continue }
                results.append(evaluate(check, name: name, window: window, figure: figure, samples: samples[check.probe] ?? []))
            }
        }
        return results
    }

    func evaluate(_ check: HypothesisCheck, name: String, window: FaultWindow, figure: WindowFigures, samples: [ProbeSample]) -> CheckResult {
        let title = window.title
        switch check.rule {
        case .maxErrorRate(let limit):
            let rate = figure.during.errorRate
            guard figure.during.samples > 0 else {
                return CheckResult(name: name, window: title, passed: false,
                                   detail: "no sample overlapped the window: nothing to judge (probe more often, or make the window longer)")
            }
            return CheckResult(name: name, window: title, passed: rate <= limit,
                               detail: String(format: "error rate during the window %.1f%% (%d of %d samples failed), limit %.1f%%",
                                              rate * 100, figure.during.failures, figure.during.samples, limit * 100))
        case .maxP99(let limit):
            return CheckResult(name: name, window: title, passed: figure.during.samples > 0 && figure.during.p99 <= limit,
                               detail: "p99 during the window \(figure.during.p99.formatted) over \(figure.during.samples) samples, limit \(limit.formatted)")
        case .recoverWithin(let limit):
            if figure.unaffected {
                return CheckResult(name: name, window: title, passed: true,
                                   detail: "unaffected: no check failed from the inject on (\(figure.during.samples) overlapped the window), limit \(limit.formatted)")
            }
            let impact = figure.impact.map { "\(ImpactText.describe($0)); " } ?? ""
            guard let recovered = figure.timeToRecover else {
                return CheckResult(name: name, window: title, passed: false,
                                   detail: "\(impact)did not recover (\(campaign.settings.consecutiveOK) ok samples in a row) after the revert; limit \(limit.formatted)")
            }
            return CheckResult(name: name, window: title, passed: recovered <= limit,
                               detail: "\(impact)back \(recovered.formatted) after the revert, limit \(limit.formatted)")
        case .passesWithin(let limit):
            // Checks that overlapped the window (one in flight at the inject met the fault too); a
            // one-shot fault (restart, kill) acts after its instant, so its window is the limit.
            let end = window.kind.isWindowed ? window.revertAt ?? window.injectAt : window.injectAt + limit
            let overlapping = samples.filter { $0.overlaps(from: window.injectAt, to: end) }
            let first = overlapping.filter(\.outcome.isOK).min { $0.endOffset < $1.endOffset }
            guard let first else {
                let last = overlapping.last
                return CheckResult(name: name, window: title, passed: false,
                                   detail: "no passing check during the window" + (last.map { "; last: \($0.outcome.rawValue), \($0.reason)" } ?? "") + "; limit \(limit.formatted)")
            }
            let seen = first.endOffset - window.injectAt
            return CheckResult(name: name, window: title, passed: seen <= limit,
                               detail: "passed \(seen.formatted) after the inject (\(first.reason)), limit \(limit.formatted)")
        }
    }
}
