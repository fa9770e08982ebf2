import DockerEngine
import Faults
import FaultlineSupport

/// Resolves a campaign's target selectors against the engine's containers. Protected containers
/// (`faultline.protect=true`) and faultline's own never match; an empty selection is an error.
public struct TargetMatcher: Sendable {
    let ownContainerID: String?

    public init(ownContainerID: String? = SelfContainer.current) { self.ownContainerID = ownContainerID }

    /// The containers of one engine: a fleet node's (named), or the one engine of a run without a fleet.
    public struct Engine: Sendable {
        public let node: String?
        public let containers: [ContainerSummary]
        public init(node: String?, containers: [ContainerSummary]) {
            self.node = node
            self.containers = containers
        }
    }

    /// Resolves against the containers of one engine (a run without a fleet).
    public func resolve(_ selectors: [TargetSelector], among containers: [ContainerSummary], swarm: SwarmView? = nil) throws(PlanError) -> [String: [PlannedTarget]] {
        try resolve(selectors, on: [Engine(node: nil, containers: containers)], swarm: swarm)
    }

    /// Resolves against the containers of every engine: a selector naming a node keeps to that
    /// node's; every other selector matches across the fleet. `swarm` (a manager's view) keeps
    /// tasks of protected services and nodes out; a Swarm selector needs it.
    public func resolve(_ selectors: [TargetSelector], on engines: [Engine], swarm: SwarmView? = nil) throws(PlanError) -> [String: [PlannedTarget]] {
        let nodes = engines.compactMap(\.node)
        let eligible = engines.flatMap { engine in
            engine.containers.filter { container in
                let protected = TargetProtection.isProtected(container.labels) || swarm?.protection(of: container.labels ?? [:]) != nil
                let own = TargetProtection.isOwn(container.id, ownContainerID: ownContainerID)
                return !protected && !own && container.state != "removing" && container.state != "dead"
            }.map { (node: engine.node, container: $0) }
        }
        var resolved: [String: [PlannedTarget]] = [:]
        for selector in selectors {
            if let node = selector.node {
                guard !nodes.isEmpty else { throw PlanError.noFleet(target: selector.name, node: node) }
                guard nodes.contains(node) else { throw PlanError.unknownNode(target: selector.name, node: node, nodes: nodes) }
            }
            let matched = eligible.filter { candidate in
                (selector.node == nil || candidate.node == selector.node) && matches(selector.match, candidate.container)
            }.map { PlannedTarget(id: $0.container.id, name: $0.container.name, node: $0.node) }.sorted(by: PlannedTarget.inOrder)
            guard !matched.isEmpty else {
                let names = eligible.filter { selector.node == nil || $0.node == selector.node }.map(\.container.name).sorted()
                throw PlanError.emptySelection(target: selector.name, match: selector.matchDescription,
                                               suggestions: Self.suggestions(for: selector, among: names))
            }
            // A degraded service first: it says more than "every replica" of what is left of it.
            try Self.checkServicesWhole(selector, matched: matched, among: eligible.map(\.container), swarm: swarm)
            try Self.checkReplicas(selector, matched: matched, among: eligible.map(\.container))
            resolved[selector.name] = matched
        }
        return resolved
    }

    /// A Swarm selector whose faults would act on every running replica of a service at once takes
    /// the service down, not one task: refused unless it says `all_replicas: true`.
    static func checkReplicas(_ selector: TargetSelector, matched: [PlannedTarget], among containers: [ContainerSummary]) throws(PlanError) {
        guard case .swarm(let swarm) = selector.match, !swarm.allReplicas else { return }
        let running = containers.filter { $0.state == "running" }
        let services = Dictionary(grouping: running.compactMap { container in
            SwarmTaskLabels(container.labels ?? [:]).map { (service: $0.service, id: container.id) }
        }, by: \.service).mapValues { Set($0.map(\.id)) }
        let chosen = Set(matched.map(\.id))
        // A fault may act on every replica when the candidates hold them all and its count reaches theirs.
        let perFault = selector.pick.count(of: matched.count)
        for (service, replicas) in services.sorted(by: { $0.key < $1.key }) {
            if replicas.isSubset(of: chosen) && perFault >= replicas.count {
                throw PlanError.everyReplica(target: selector.name, service: service, replicas: replicas.count)
            }
        }
    }

    /// A Swarm selector needs a manager's view, and every service it touches must run all the
    /// tasks it wants: a fault on a service that is already short is refused.
    static func checkServicesWhole(_ selector: TargetSelector, matched: [PlannedTarget], among containers: [ContainerSummary],
                                   swarm: SwarmView?) throws(PlanError) {
        guard case .swarm = selector.match else { return }
        guard let swarm else { throw PlanError.noSwarmManager(target: selector.name) }
        let chosen = Set(matched.map(\.id))
        let services = Set(containers.filter { chosen.contains($0.id) }.compactMap { SwarmTaskLabels($0.labels ?? [:])?.service })
        for name in services.sorted() {
            guard let service = swarm.services[name], let running = service.runningTasks, let desired = service.desiredTasks else { continue }
            if running < desired {
                throw PlanError.degradedService(target: selector.name, service: name, running: running, desired: desired)
            }
        }
    }

    func matches(_ match: TargetSelector.Match, _ container: ContainerSummary) -> Bool {
        let labels = container.labels ?? [:]
        switch match {
        case .everyContainer: return true
        case .name(let name): return container.names.contains { $0 == name || $0 == "/" + name }
        case .nameRegex(let pattern):
            guard let regex = try? Regex(pattern) else { return false }
            // Searched in the name, like grep: anchor with ^ and $ for the whole name.
            return container.name.firstMatch(of: regex) != nil
        case .labels(let wanted):
            return wanted.allSatisfy { label in
                if let equals = label.firstIndex(of: "=") {
                    return labels[String(label[..<equals])] == String(label[label.index(after: equals)...])
                }
                return labels[label] != nil
            }
        case .compose(let project, let service):
            return (project.map { labels[TargetResolver.composeProjectLabel] == $0 } ?? true)
                && (service.map { labels[TargetResolver.composeServiceLabel] == $0 } ?? true)
        case .swarm(let swarm):
            return SwarmTaskLabels(labels)?.matches(swarm) ?? false
        }
    }

    static func suggestions(for selector: TargetSelector, among names: [String]) -> [String] {
        if case .name(let name) = selector.match {
            return NameSuggestions.closest(to: name, among: names)
        }
        return []
    }
}
