import FaultProxy
import Faults
import FaultlineSupport
import Foundation
import Probes

/// Reads a campaign file strictly: unknown keys are errors (with the allowed keys and a
/// did-you-mean), every value is checked, and cross-references (targets, probes) must resolve.
/// Every error names the file, line and column.
public enum CampaignParser {
    public static let topLevelKeys = ["name", "description", "seed", "settings", "targets", "probes", "timeline", "chaos", "hypothesis", "stop_when", "proxies"]

    public static func parse(file path: String) throws(CampaignError) -> CampaignDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CampaignError(file: path, line: nil, column: nil, path: "", message: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses campaign text; `${NAME}` references in values expand from `variables` (by default the
    /// environment and `CAMPAIGN_DIR`).
    public static func parse(_ text: String, file: String, variables: VariableExpansion? = nil) throws(CampaignError) -> CampaignDefinition {
        // A UTF-8 byte-order mark (editors on some systems write one) is not part of the YAML.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let expansion = variables ?? .forCampaign(file: file)
        let root = try YAMLNode.parse(text, file: file, variables: expansion)
        let top = try root.mapping(allowed: topLevelKeys)
        guard let nameNode = top["name"] else { throw root.error("missing 'name'") }
        let proxies = try top["proxies"].map { node throws(CampaignError) in
            try node.namedMapping().map { name, node throws(CampaignError) in try parseProxy(name, node) }
        } ?? []
        if let node = top["proxies"], proxies.isEmpty { throw node.error("define at least one proxy, or leave 'proxies' out") }
        let targetsNode = top["targets"]
        // Only a campaign of node faults (a Swarm drain or isolate) names no containers.
        let missingTargets = targetsNode == nil && proxies.isEmpty
            ? root.error("missing 'targets': name the containers the campaign may act on") : nil
        if let missingTargets, top["chaos"] != nil { throw missingTargets }

        var settings = CampaignSettings()
        if let node = top["settings"] { settings = try parseSettings(node) }
        let targets = try targetsNode.map { node throws(CampaignError) in
            try node.namedMapping().map { name, node throws(CampaignError) in try parseTarget(name, node) }
        } ?? []
        if let targetsNode, targets.isEmpty { throw targetsNode.error("define at least one target") }
        let probes = try (top["probes"]?.sequence() ?? []).map { node throws(CampaignError) in try ProbeParser.parse(node) }
        try requireUnique(probes.map(\.name), nodes: top["probes"], what: "probe")

        let targetNames = targets.map(\.name)
        let proxyNames = proxies.map(\.name)
        let timeline: [TimelineEntry]
        do {
            timeline = try (top["timeline"]?.sequence() ?? []).map { node throws(CampaignError) in
                try parseTimelineEntry(node, targets: targetNames, proxies: proxyNames)
            }
        } catch {
            throw missingTargets ?? error
        }
        if let missingTargets, timeline.isEmpty || timeline.contains(where: { $0.fault.kind.subject != .swarmNode }) { throw missingTargets }
        let chaos = try top["chaos"].map { node throws(CampaignError) in try parseChaos(node, targets: targetNames) }
        if timeline.isEmpty && chaos == nil {
            throw (top["timeline"] ?? root).error("give a 'timeline' of faults or a 'chaos' mode: there is nothing to inject")
        }
        let probeNames = probes.map(\.name)
        let hypothesis = try top["hypothesis"].map { node throws(CampaignError) in
            try HypothesisParser.parse(node, probes: probeNames, targets: targetNames)
        } ?? Hypothesis()
        let stopWhen = try (top["stop_when"]?.sequence() ?? []).map { node throws(CampaignError) in
            try HypothesisParser.parseStop(node, probes: probeNames)
        }
        let seed: UInt64
        if let node = top["seed"] {
            guard let value = UInt64(try node.string()) else { throw node.error("expected a whole number 0 or more") }
            seed = value
        } else {
            seed = 1
        }
        var campaign = CampaignDefinition(
            name: try nameNode.nonEmptyString(), description: try top["description"]?.string(), seed: seed,
            settings: settings, targets: targets, proxies: proxies, probes: probes, timeline: timeline, chaos: chaos,
            hypothesis: hypothesis, stopWhen: stopWhen)
        campaign.variables = .of(text, expansion: expansion)
        return campaign
    }

    static func parseSettings(_ node: YAMLNode) throws(CampaignError) -> CampaignSettings {
        let entries = try node.mapping(allowed: ["blast_radius", "revert_timeout", "recovery_limit", "consecutive_ok", "refresh_neighbours", "trial_plan"])
        var settings = CampaignSettings()
        if let value = entries["blast_radius"] { settings.blastRadius = try value.int(in: 1...1000) }
        if let value = entries["revert_timeout"] { settings.revertTimeout = try value.duration() }
        if let value = entries["recovery_limit"] { settings.recoveryLimit = try value.duration() }
        if let value = entries["consecutive_ok"] { settings.consecutiveOK = try value.int(in: 1...100) }
        if let value = entries["refresh_neighbours"] { settings.refreshNeighbours = try value.bool() }
        if let value = entries["trial_plan"] { settings.trialPlan = TrialPlan(rawValue: try value.choice(TrialPlan.allCases.map(\.rawValue)))! }
        return settings
    }

    /// How a target selector matches containers: exactly one of these (or only `node`).
    static let targetMatchers = ["name", "name_regex", "label", "compose", "swarm"]
    /// Every key a target selector takes.
    static let targetKeys = targetMatchers + ["node", "pick"]

    /// A fleet node's name as a campaign gives it (a target's `node`, a probe's `from`).
    static func nodeName(_ value: YAMLNode) throws(CampaignError) -> String {
        let name = try value.nonEmptyString()
        guard FleetDescription.isValidNodeName(name) else { throw value.error("node name '\(name)': letters, digits, '-', '_' and '.' only") }
        return name
    }

    static func parseTarget(_ name: String, _ node: YAMLNode) throws(CampaignError) -> TargetSelector {
        let matchers = targetMatchers
        let entries = try node.mapping(allowed: targetKeys)
        let given = matchers.filter { entries[$0] != nil }
        let fleetNode = try entries["node"].map { value throws(CampaignError) in try nodeName(value) }
        guard given.count <= 1, given.count == 1 || fleetNode != nil else {
            throw node.error(given.isEmpty ? "give one of: \(matchers.joined(separator: ", ")) (and 'node' to keep to one fleet node)"
                                           : "give only one of \(given.joined(separator: ", "))")
        }
        let match: TargetSelector.Match
        switch given.first {
        case nil: match = .everyContainer
        case "name"?: match = .name(try entries["name"]!.nonEmptyString())
        case "name_regex"?:
            let value = entries["name_regex"]!
            let pattern = try value.nonEmptyString()
            do { _ = try Regex(pattern) } catch { throw value.error("invalid regular expression: \(error)") }
            match = .nameRegex(pattern)
        case "label"?: match = .labels(try entries["label"]!.stringList())
        case "compose"?:
            let value = entries["compose"]!
            let compose = try value.mapping(allowed: ["project", "service"])
            guard !compose.isEmpty else { throw value.error("give project, service or both") }
            match = .compose(project: try compose["project"]?.nonEmptyString(), service: try compose["service"]?.nonEmptyString())
        default:
            let value = entries["swarm"]!
            let swarm = try value.mapping(allowed: ["service", "stack", "slot", "all_replicas"])
            guard swarm["service"] != nil || swarm["stack"] != nil else { throw value.error("give service, stack or both (and slot for one replica)") }
            if let slot = swarm["slot"], swarm["service"] == nil { throw slot.error("slot needs the service it is a replica of") }
            match = .swarm(.init(service: try swarm["service"]?.nonEmptyString(), stack: try swarm["stack"]?.nonEmptyString(),
                                 slot: try swarm["slot"]?.int(in: 1...100_000), allReplicas: try swarm["all_replicas"]?.bool() ?? false))
        }
        var pick = TargetSelector.Pick.all
        if let pickNode = entries["pick"] {
            let (mode, amount) = try pickNode.oneOf(["random", "percent", "all"], what: "pick mode")
            switch mode {
            case "random": pick = .random(try amount.int(in: 1...1000))
            case "percent": pick = .percent(try amount.double(in: 0.01...100))
            default:
                guard try amount.bool() else { throw amount.error("all: true is the only value") }
                pick = .all
            }
        }
        return TargetSelector(name: name, match: match, pick: pick, node: fleetNode)
    }

    static func parseProxy(_ name: String, _ node: YAMLNode) throws(CampaignError) -> ProxyDefinition {
        let entries = try node.mapping(allowed: ["listen", "upstream"])
        guard let listenNode = entries["listen"], let upstreamNode = entries["upstream"] else {
            throw node.error("a proxy needs 'listen' ([HOST:]PORT, host 127.0.0.1 by default) and 'upstream' (HOST:PORT)")
        }
        let listenText = try listenNode.nonEmptyString(), upstreamText = try upstreamNode.nonEmptyString()
        guard let listen = ProxyAddress.parse(listenText, defaultHost: "127.0.0.1"), listen.port > 0 else {
            throw listenNode.error("'\(listenText)' is not [HOST:]PORT with a port 1-65535 (probes need to know it)")
        }
        guard let upstream = ProxyAddress.parse(upstreamText, defaultHost: nil), upstream.port > 0 else {
            throw upstreamNode.error("'\(upstreamText)' is not HOST:PORT")
        }
        return ProxyDefinition(name: name, listenHost: listen.host, listenPort: listen.port, upstreamHost: upstream.host, upstreamPort: upstream.port)
    }

    static func parseTimelineEntry(_ node: YAMLNode, targets: [String], proxies: [String]) throws(CampaignError) -> TimelineEntry {
        let entries = try node.mapping(allowed: ["at", "fault", "for", "repeat"])
        guard let atNode = entries["at"] else { throw node.error("missing 'at' (offset from the start, e.g. 5s)") }
        guard let faultNode = entries["fault"] else { throw node.error("missing 'fault', e.g. { pause: { target: db } }") }
        let fault = try FaultParser.parse(faultNode, targets: targets, proxies: proxies, requireTarget: true)
        let duration = try entries["for"]?.duration()
        try FaultParser.checkWindow(fault, duration: duration, node: entries["for"] ?? node)
        var repeatRule: TimelineEntry.RepeatRule?
        if let repeatNode = entries["repeat"] {
            let rule = try repeatNode.mapping(allowed: ["every", "times", "jitter"])
            guard let every = rule["every"], let times = rule["times"] else { throw repeatNode.error("give 'every' and 'times'") }
            let parsed = TimelineEntry.RepeatRule(every: try every.duration(), times: try times.int(in: 1...10_000),
                                                  jitter: try rule["jitter"]?.duration(allowZero: true) ?? .zero)
            if let duration, parsed.every <= duration + parsed.jitter * 2 {
                throw every.error("every (\(parsed.every.formatted)) must be longer than the window plus twice the jitter (\((duration + parsed.jitter * 2).formatted)), or occurrences could overlap")
            }
            repeatRule = parsed
        }
        return TimelineEntry(at: try atNode.duration(allowZero: true), fault: fault, duration: duration, repeatRule: repeatRule)
    }

    static func parseChaos(_ node: YAMLNode, targets: [String]) throws(CampaignError) -> ChaosMode {
        let entries = try node.mapping(allowed: ["faults", "targets", "count", "between", "duration"])
        guard let faultsNode = entries["faults"], let targetsNode = entries["targets"], let countNode = entries["count"],
              let betweenNode = entries["between"], let durationNode = entries["duration"] else {
            throw node.error("chaos needs faults, targets, count, between [start, end] and duration [min, max]")
        }
        let chosenTargets = try targetsNode.stringList()
        for (index, name) in chosenTargets.enumerated() where !targets.contains(name) {
            throw (try? targetsNode.sequence()[index]) .map { $0.error(unknownTarget(name, targets)) } ?? targetsNode.error(unknownTarget(name, targets))
        }
        let faults = try faultsNode.sequence().map { item throws(CampaignError) -> FaultSpec in
            if case .scalar = item.node {
                let kind = FaultKind(rawValue: try item.choice(FaultKind.allCases.map(\.rawValue)))!
                guard kind.actsOnContainer else { throw item.error("\(kind.rawValue) acts on \(kind.subjectDescription), not on a chaos target: give it in the timeline") }
                do {
                    return FaultSpec(target: chosenTargets.first ?? "", parameters: try kind.definition.read([]))
                } catch {
                    let example = kind.definition.parameters.filter(\.required).map { "\($0.key): \($0.example)" }.joined(separator: ", ")
                    let reason = (error as? ParameterError)?.text.rendered { "'\($0)'" } ?? "\(error)"
                    throw item.error("\(reason): { \(kind.rawValue): { \(example) } }")
                }
            }
            let spec = try FaultParser.parse(item, targets: targets, proxies: [], requireTarget: false)
            guard spec.kind.subject != .swarmNode else {
                throw item.error("\(spec.kind.rawValue) acts on \(spec.kind.subjectDescription), not on a chaos target: give it in the timeline")
            }
            return spec
        }
        guard !faults.isEmpty else { throw faultsNode.error("list at least one fault kind") }
        let between = try betweenNode.sequence()
        let durations = try durationNode.sequence()
        guard between.count == 2, durations.count == 2 else { throw (between.count == 2 ? durationNode : betweenNode).error("expected [first, second]") }
        let start = try between[0].duration(allowZero: true), end = try between[1].duration()
        guard start < end else { throw betweenNode.error("the start must come before the end") }
        let minimum = try durations[0].duration(), maximum = try durations[1].duration()
        guard minimum <= maximum else { throw durationNode.error("the minimum must not exceed the maximum") }
        return ChaosMode(faults: faults, targets: chosenTargets, count: try countNode.int(in: 1...10_000), start: start, end: end,
                         minDuration: minimum, maxDuration: maximum)
    }

    static func unknownTarget(_ name: String, _ targets: [String]) -> String {
        let hint = NameSuggestions.closest(to: name, among: targets, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
        return "unknown target '\(name)'\(hint) (targets: \(targets.joined(separator: ", ")))"
    }

    static func requireUnique(_ names: [String], nodes: YAMLNode?, what: String) throws(CampaignError) {
        var seen = Set<String>()
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            let node = (try? nodes?.sequence()[index]) ?? nil
            throw (node ?? nodes)?.error("duplicate \(what) name '\(name)'")
                ?? CampaignError(file: "", line: nil, column: nil, path: "", message: "duplicate \(what) name '\(name)'")
        }
    }
}
