import DockerEngine
import Faults

/// The Swarm nodes a campaign's drain faults act on, found in a manager's view at plan time and
/// checked before anything is injected: the node exists, is not protected, is not already at the
/// availability asked for, and draining it does not take every running replica of a service.
enum SwarmNodeTargets {
    /// Keyed by the name the campaign gives (a host name or an id). `containers`: the running
    /// containers of every engine the run reaches, whose labels say which node runs which task.
    static func resolve(_ campaign: CampaignDefinition, swarm: SwarmView?, containers: [ContainerSummary]) throws(PlanError) -> [String: PlannedTarget] {
        var resolved: [String: PlannedTarget] = [:]
        for entry in campaign.timeline {
            guard entry.fault.kind.subject == .swarmNode, let drain = entry.fault.parameters as? DrainParameters else { continue }
            guard let swarm else { throw .noSwarmManagerForNode(node: drain.node) }
            guard let node = swarm.nodes.values.first(where: { $0.hostname == drain.node || $0.id == drain.node }) else {
                throw .unknownSwarmNode(node: drain.node, nodes: swarm.nodes.values.map(\.name).sorted())
            }
            if TargetProtection.isProtected(node.labels) { throw .protectedSwarmNode(node: node.name) }
            guard node.availability != drain.availability else {
                throw .swarmNodeAlready(node: node.name, availability: node.availability)
            }
            if drain.availability == "drain" {
                try refuseEveryReplica(on: node, among: containers)
            }
            resolved[drain.node] = PlannedTarget(id: node.id, name: node.name, node: swarm.managerNode)
        }
        return resolved
    }

    /// Draining a node stops its tasks at once: a service whose running tasks all sit there
    /// would be down until Swarm starts them elsewhere.
    static func refuseEveryReplica(on node: SwarmNode, among containers: [ContainerSummary]) throws(PlanError) {
        var byService: [String: (here: Int, elsewhere: Int)] = [:]
        for container in containers {
            let labels = container.labels ?? [:]
            guard let task = SwarmTaskLabels(labels) else { continue }
            let here = labels[SwarmTaskLabels.nodeID] == node.id
            byService[task.service, default: (0, 0)].here += here ? 1 : 0
            byService[task.service, default: (0, 0)].elsewhere += here ? 0 : 1
        }
        if let (service, counts) = byService.sorted(by: { $0.key < $1.key }).first(where: { $0.value.here > 0 && $0.value.elsewhere == 0 }) {
            throw .drainTakesEveryReplica(node: node.name, service: service, replicas: counts.here)
        }
    }
}
