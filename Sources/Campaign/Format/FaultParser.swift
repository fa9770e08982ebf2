import FaultProxy
import Faults
import FaultlineSupport

/// Reads `{ KIND: { target: NAME, …parameters } }`: the target (or partition groups) here, the
/// parameters by the kind's one definition, each refusal located at the key it is about.
enum FaultParser {
    static func parse(_ node: YAMLNode, targets: [String], proxies: [String], requireTarget: Bool) throws(CampaignError) -> FaultSpec {
        let (kindName, body) = try node.oneOf(FaultKind.allCases.map(\.rawValue), what: "fault kind")
        let kind = FaultKind(rawValue: kindName)!
        let campaignKeys = (kind.actsOnContainer ? ["target"] : []) + (kind == .partition ? ["groups"] : [])
        let entries = body.isNull ? [] : try body.keyedEntries(expecting: campaignKeys + kind.definition.parameters.map(\.key))
        let entry = { (key: String) in entries.first { $0.key == key }?.value }
        // A key no kind has is a typo: name this kind's keys (one of another kind's parameters
        // is refused by the definition, saying which kind it belongs to).
        let allowed = campaignKeys + kind.definition.parameters.map(\.key)
        let anyKinds = Set(FaultKind.allCases.flatMap { $0.definition.parameters.map(\.key) })
        if let unknown = entries.first(where: { !allowed.contains($0.key) && !anyKinds.contains($0.key) }) {
            let hint = NameSuggestions.closest(to: unknown.key, among: allowed, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw unknown.value.error("unknown key '\(unknown.key)'\(hint) (allowed: \(allowed.joined(separator: ", ")))")
        }
        if let groups = entry("groups") { return try parseGroups(groups, entries: entries, targets: targets, inTimeline: requireTarget) }
        var target = ""
        if let targetNode = entry("target") {
            target = try targetNode.nonEmptyString()
            guard targets.contains(target) else { throw targetNode.error(CampaignParser.unknownTarget(target, targets)) }
        } else if requireTarget && kind.actsOnContainer {
            throw body.error("missing 'target' (targets: \(targets.joined(separator: ", ")))")
        }
        let parameters = try readParameters(kind, entries.filter { !campaignKeys.contains($0.key) }, body: body)
        if let toxic = parameters as? ToxicParameters {
            let proxyNode = entry("proxy") ?? body
            guard proxies.contains(toxic.proxy) else {
                if proxies.isEmpty { throw proxyNode.error("no proxies are defined: add a 'proxies' section (name: { listen: PORT, upstream: HOST:PORT })") }
                let hint = NameSuggestions.closest(to: toxic.proxy, among: proxies, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
                throw proxyNode.error("unknown proxy '\(toxic.proxy)'\(hint) (proxies: \(proxies.joined(separator: ", ")))")
            }
            target = ProxyDefinition.targetID(toxic.proxy)
        }
        // A drain's or an isolate's node is checked at plan time, against the Swarm manager's nodes.
        if let drain = parameters as? DrainParameters { target = drain.node }
        if let isolate = parameters as? IsolateParameters { target = isolate.node }
        return FaultSpec(target: target, parameters: parameters)
    }

    /// The kind's parameters from their nodes (a scalar is one value, a list its items), read by
    /// the kind's definition; a refusal is located at its key (or list item).
    static func readParameters(_ kind: FaultKind, _ entries: [(key: String, value: YAMLNode)], body: YAMLNode) throws(CampaignError) -> any FaultParameters {
        var given: [(key: String, texts: [String])] = []
        for (key, value) in entries {
            if case .sequence = value.node {
                given.append((key, try value.sequence().map { item throws(CampaignError) in try item.string() }))
            } else {
                given.append((key, [try value.string()]))
            }
        }
        do {
            return try kind.definition.read(given)
        } catch {
            var located = body
            var atKey = false
            if let key = error.key, let node = entries.first(where: { $0.key == key })?.value {
                located = node
                atKey = true
                if let index = error.index, let items = try? node.sequence(), index < items.count { located = items[index] }
            }
            // The location already names the key: a message that starts with it drops it there.
            let text = atKey ? error.text.droppingLeading(parameter: error.key ?? "") : error.text
            throw located.error(text.rendered { "'\($0)'" })
        }
    }

    /// `{ partition: { groups: [[api, cache], [db]] } }`: every target in a group loses the targets of
    /// the other groups (both ways) and keeps its own group (Blockade's partitions).
    static func parseGroups(_ node: YAMLNode, entries: [(key: String, value: YAMLNode)], targets: [String], inTimeline: Bool) throws(CampaignError) -> FaultSpec {
        guard inTimeline else { throw node.error("partition groups go in the timeline (chaos mode draws one target at a time)") }
        if let other = entries.first(where: { $0.key != "groups" }) {
            throw other.value.error("groups name every target themselves; leave out '\(other.key)'")
        }
        let items = try node.sequence()
        guard items.count >= 2 else { throw node.error("give at least two groups, e.g. [[api, cache], [db]]") }
        var groups: [[String]] = []
        var seen = Set<String>()
        for item in items {
            let names = try item.stringList()
            guard !names.isEmpty else { throw item.error("a group names at least one target") }
            for (index, name) in names.enumerated() {
                let located = (try? item.sequence()[index]) ?? item
                guard targets.contains(name) else { throw located.error(CampaignParser.unknownTarget(name, targets)) }
                guard seen.insert(name).inserted else { throw located.error("target '\(name)' is in two groups") }
            }
            groups.append(names)
        }
        return FaultSpec(target: groups[0][0], parameters: PartitionParameters(), groups: groups)
    }

    /// Windowed kinds need `for`; restart takes none.
    static func checkWindow(_ fault: FaultSpec, duration: Duration?, node: YAMLNode) throws(CampaignError) {
        if fault.kind.isWindowed && duration == nil {
            throw node.error("\(fault.kind.rawValue) needs 'for' (how long the fault lasts, e.g. 3s)")
        }
        if fault.kind == .restart && duration != nil {
            throw node.error("restart is one-shot and takes no 'for'; use stop with 'for' to keep it down")
        }
    }
}
