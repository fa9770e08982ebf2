import FaultlineSupport

/// Reads `hypothesis:` and `stop_when:`.
enum HypothesisParser {
    static let rules = ["max_error_rate", "max_p99", "recover_within", "passes_within"]

    static func parse(_ node: YAMLNode, probes: [String], targets: [String]) throws(CampaignError) -> Hypothesis {
        let entries = try node.mapping(allowed: ["steady_state", "checks"])
        var hypothesis = Hypothesis()
        if let steady = entries["steady_state"] {
            let parts = try steady.mapping(allowed: ["window", "probes", "max_error_rate"])
            if let window = parts["window"] { hypothesis.steadyState.window = try window.duration() }
            if let list = parts["probes"] {
                let names = try list.stringList()
                for name in names { try requireProbe(name, probes, list) }
                hypothesis.steadyState.probes = names
            }
            if let rate = parts["max_error_rate"] { hypothesis.steadyState.maxErrorRate = try rate.double(in: 0...1) }
        }
        hypothesis.checks = try (entries["checks"]?.sequence() ?? []).map { check throws(CampaignError) -> HypothesisCheck in
            let parts = try check.mapping(allowed: ["probe", "targets"] + rules)
            guard let probeNode = parts["probe"] else { throw check.error("missing 'probe'") }
            let probe = try probeNode.nonEmptyString()
            try requireProbe(probe, probes, probeNode)
            let given = rules.filter { parts[$0] != nil }
            guard given.count == 1, let ruleName = given.first, let value = parts[ruleName] else {
                throw check.error(given.isEmpty ? "give one rule: \(rules.joined(separator: ", "))" : "give one rule per check, not \(given.joined(separator: " and "))")
            }
            let rule: HypothesisCheck.Rule
            switch ruleName {
            case "max_error_rate": rule = .maxErrorRate(try value.double(in: 0...1))
            case "max_p99": rule = .maxP99(try value.duration())
            case "recover_within": rule = .recoverWithin(try value.duration())
            default: rule = .passesWithin(try value.duration())
            }
            var limitTo: [String]?
            if let targetsNode = parts["targets"] {
                let names = try targetsNode.stringList()
                for name in names where !targets.contains(name) { throw targetsNode.error(CampaignParser.unknownTarget(name, targets)) }
                limitTo = names
            }
            return HypothesisCheck(probe: probe, rule: rule, targets: limitTo)
        }
        return hypothesis
    }

    static func parseStop(_ node: YAMLNode, probes: [String]) throws(CampaignError) -> StopCondition {
        let parts = try node.mapping(allowed: ["probe", "failing_for"])
        guard let probe = parts["probe"], let failing = parts["failing_for"] else { throw node.error("give 'probe' and 'failing_for'") }
        let name = try probe.nonEmptyString()
        try requireProbe(name, probes, probe)
        return StopCondition(probe: name, failingFor: try failing.duration())
    }

    static func requireProbe(_ name: String, _ probes: [String], _ node: YAMLNode) throws(CampaignError) {
        guard probes.contains(name) else {
            let hint = NameSuggestions.closest(to: name, among: probes, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw node.error("unknown probe '\(name)'\(hint) (probes: \(probes.isEmpty ? "none defined" : probes.joined(separator: ", ")))")
        }
    }
}
