import FaultProxy
import Faults
import FaultlineSupport

/// Reads `{ KIND: { target: NAME, …parameters } }`.
enum FaultParser {
    static let parameters: [FaultKind: [String]] = [
        .stop: ["grace"], .restart: ["grace"], .kill: ["signal"], .pause: [], .cpu: ["cpus"], .memory: ["limit"], .partition: ["networks", "peers", "direction", "groups"],
        .loss: ["probability", "direction", "ports"], .blackhole: ["ports", "direction"], .bandwidth: ["rate"], .latency: ["delay", "jitter"],
        .toxic: ["proxy", "toxics"],
    ]

    static func parse(_ node: YAMLNode, targets: [String], proxies: [String], requireTarget: Bool) throws(CampaignError) -> FaultSpec {
        let (kindName, body) = try node.oneOf(FaultKind.allCases.map(\.rawValue), what: "fault kind")
        let kind = FaultKind(rawValue: kindName)!
        if !kind.actsOnContainer { return try parseToxic(body, proxies: proxies) }
        let allowed = ["target"] + (parameters[kind] ?? [])
        let entries = body.isNull ? [:] : try body.mapping(allowed: allowed)
        if let groups = entries["groups"] { return try parseGroups(groups, entries: entries, targets: targets, inTimeline: requireTarget) }
        var target = ""
        if let targetNode = entries["target"] {
            target = try targetNode.nonEmptyString()
            guard targets.contains(target) else { throw targetNode.error(CampaignParser.unknownTarget(target, targets)) }
        } else if requireTarget {
            throw body.error("missing 'target' (targets: \(targets.joined(separator: ", ")))")
        }
        var spec = FaultSpec(kind: kind, target: target)
        if let grace = entries["grace"] {
            let seconds = try grace.duration(allowZero: true).seconds.rounded(.up)
            guard seconds <= Double(StopFault.maximumGraceSeconds) else {
                throw grace.error("the grace must be 0s … \(StopFault.maximumGraceSeconds / 60)m (how long the engine waits before SIGKILL)")
            }
            spec.grace = Int(seconds)
        }
        if let signal = entries["signal"] {
            do { spec.signal = try SignalName.normalize(try signal.string()) } catch let error as SignalName.InvalidSignal {
                throw signal.error(error.description)
            } catch let located as CampaignError { throw located } catch { throw signal.error("\(error)") }
        }
        if kind == .cpu {
            guard let cpus = entries["cpus"] else { throw body.error("cpu needs 'cpus' (cores, e.g. 0.2)") }
            spec.cpus = try cpus.double(in: 0.01...1024)
        }
        if kind == .memory {
            guard let limit = entries["limit"] else { throw body.error("memory needs 'limit' (e.g. 64m)") }
            do {
                let bytes = try ByteSize.parse(try limit.string())
                guard bytes >= MemoryFault.minimumBytes else { throw limit.error("the limit must be at least \(ByteSize.format(MemoryFault.minimumBytes))") }
                spec.memory = bytes
            } catch let error as ByteSize.ParseError { throw limit.error(error.description) } catch let located as CampaignError { throw located } catch { throw limit.error("\(error)") }
        }
        if let networks = entries["networks"] { spec.networks = try networks.stringList() }
        if let peers = entries["peers"] {
            guard entries["networks"] == nil else { throw peers.error("give 'peers' (cut off those only) or 'networks' (disconnect), not both") }
            spec.peers = try peers.stringList()
            guard !(spec.peers ?? []).isEmpty else { throw peers.error("name at least one peer (a target, container or CIDR)") }
        }
        if let direction = entries["direction"] {
            spec.direction = TrafficDirection(rawValue: try direction.choice(TrafficDirection.allCases.map(\.rawValue)))
            if kind == .partition && spec.peers == nil { throw direction.error("direction applies to a partition from 'peers'") }
        }
        if kind == .loss {
            guard let probability = entries["probability"] else { throw body.error("loss needs 'probability' (the share of packets dropped, e.g. 0.3)") }
            spec.probability = try probability.double(in: 0.001...1)
        }
        if kind == .blackhole && entries["ports"] == nil { throw body.error("blackhole needs 'ports' (e.g. [5432] or [53/udp])") }
        if let ports = entries["ports"] {
            let texts = try ports.stringList()
            for text in texts where BlackholeFault.Port.parse(text) == nil { throw ports.error("'\(text)' is not a port (1-65535, optionally /tcp or /udp)") }
            guard !texts.isEmpty else { throw ports.error("name at least one port") }
            spec.ports = texts
        }
        if kind == .bandwidth {
            guard let rate = entries["rate"] else { throw body.error("bandwidth needs 'rate' (e.g. 1mbit, 500kbit)") }
            let text = try rate.string()
            do { _ = try RateText.parse(text) } catch { throw rate.error(error.description) }
            spec.rate = text
        }
        if kind == .latency {
            guard let delay = entries["delay"] else { throw body.error("latency needs 'delay' (e.g. 200ms)") }
            spec.delay = try delay.duration()
            spec.jitter = try entries["jitter"]?.duration(allowZero: true)
        }
        return spec
    }

    /// `{ partition: { groups: [[api, cache], [db]] } }`: every target in a group loses the targets of
    /// the other groups (both ways) and keeps its own group (Blockade's partitions).
    static func parseGroups(_ node: YAMLNode, entries: [String: YAMLNode], targets: [String], inTimeline: Bool) throws(CampaignError) -> FaultSpec {
        guard inTimeline else { throw node.error("partition groups go in the timeline (chaos mode draws one target at a time)") }
        for key in ["target", "peers", "networks", "direction"] where entries[key] != nil {
            throw entries[key]!.error("groups name every target themselves; leave out '\(key)'")
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
        var spec = FaultSpec(kind: .partition, target: groups[0][0])
        spec.groups = groups
        return spec
    }

    /// `{ toxic: { proxy: NAME, toxics: ["latency=2s", …] } }`: each toxic as `faultline proxy --toxic` reads it.
    static func parseToxic(_ body: YAMLNode, proxies: [String]) throws(CampaignError) -> FaultSpec {
        let entries = try body.mapping(allowed: parameters[.toxic] ?? [])
        guard let proxyNode = entries["proxy"], let toxicsNode = entries["toxics"] else {
            throw body.error("toxic needs 'proxy' (one of the campaign's proxies) and 'toxics' (e.g. [\"latency=2s\"])")
        }
        let proxy = try proxyNode.nonEmptyString()
        guard proxies.contains(proxy) else {
            if proxies.isEmpty { throw proxyNode.error("no proxies are defined: add a 'proxies' section (name: { listen: PORT, upstream: HOST:PORT })") }
            let hint = NameSuggestions.closest(to: proxy, among: proxies, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw proxyNode.error("unknown proxy '\(proxy)'\(hint) (proxies: \(proxies.joined(separator: ", ")))")
        }
        let items = try toxicsNode.sequence()
        guard !items.isEmpty else { throw toxicsNode.error("name at least one toxic (\(Toxic.typeNames.joined(separator: ", ")))") }
        var specs: [String] = []
        var types = Set<String>()
        for item in items {
            let text = try item.nonEmptyString()
            let toxic: Toxic
            do { toxic = try Toxic.parse(text) } catch { throw item.error(error.description) }
            guard types.insert("\(toxic.typeName)/\(toxic.stream.rawValue)").inserted else {
                throw item.error("two \(toxic.typeName) toxics on the \(toxic.stream.rawValue) stream: give one")
            }
            specs.append(text)
        }
        var spec = FaultSpec(kind: .toxic, target: ProxyDefinition.targetID(proxy))
        spec.proxy = proxy
        spec.toxics = specs
        return spec
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
