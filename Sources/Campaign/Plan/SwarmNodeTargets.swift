import DockerEngine
import Faults

/// The Swarm nodes a campaign's drain and isolate faults act on, found in a manager's view at plan
/// time and checked before anything is injected: the node exists, is not protected; a drain's is
/// not already at the availability asked for and does not run every replica of a service (unless
/// the drain says `all_replicas: true`); an
/// isolate's has an agent (or is the run's engine) and others to be cut off from.
enum SwarmNodeTargets {
    /// Keyed by the name the campaign gives (a host name or an id). `containers`: the running
    /// containers of every engine the run reaches, whose labels say which node runs which task.
    static func resolve(_ campaign: CampaignDefinition, swarm: SwarmView?, containers: [ContainerSummary]) throws(PlanError) -> [String: PlannedTarget] {
        var resolved: [String: PlannedTarget] = [:]
        for entry in campaign.timeline {
            if let isolate = entry.fault.parameters as? IsolateParameters {
                resolved[isolate.node] = try resolve(isolate, swarm: swarm)
                continue
            }
            guard entry.fault.kind.subject == .swarmNode, let drain = entry.fault.parameters as? DrainParameters else { continue }
            guard let swarm else { throw .noSwarmManagerForNode(node: drain.node) }
            guard let node = swarm.node(named: drain.node) else {
                throw .unknownSwarmNode(node: drain.node, nodes: swarm.nodes.values.map(\.name).sorted())
            }
            if TargetProtection.isProtected(node.labels) { throw .protectedSwarmNode(node: node.name) }
            guard node.availability != drain.availability else {
                throw .swarmNodeAlready(node: node.name, availability: node.availability)
            }
            if drain.availability == "drain" && !drain.allReplicas {
                try refuseEveryReplica(on: node, among: containers)
            }
            resolved[drain.node] = PlannedTarget(id: node.id, name: node.name, node: swarm.managerNode)
        }
        return resolved
    }

    /// An isolate's node, carried out by the agent on it (or by this process when the run's one
    /// engine is that node); its `from` checked as `peers` will turn it into addresses.
    static func resolve(_ isolate: IsolateParameters, swarm: SwarmView?) throws(PlanError) -> PlannedTarget {
        guard let swarm else { throw .noSwarmManagerForNode(node: isolate.node, kind: .isolate) }
        guard let node = swarm.node(named: isolate.node) else {
            throw .unknownSwarmNode(node: isolate.node, nodes: swarm.nodes.values.map(\.name).sorted(), kind: .isolate)
        }
        if TargetProtection.isProtected(node.labels) { throw .protectedSwarmNode(node: node.name, kind: .isolate) }
        _ = try peers(of: isolate, on: node, in: swarm)
        if swarm.managerNode != nil {
            guard let fleetNode = swarm.fleetNodes[node.id] else {
                throw .noAgentOnSwarmNode(node: node.name, fleetNodes: Array(Set(swarm.fleetNodes.values)).sorted())
            }
            return PlannedTarget(id: node.id, name: node.name, node: fleetNode)
        }
        guard swarm.localNodeID == node.id else { throw .isolateElsewhere(node: node.name) }
        return PlannedTarget(id: node.id, name: node.name)
    }

    /// The addresses `node` is cut off from: those of the nodes `from` names (host names or ids;
    /// addresses and CIDRs as given), or of every other node of the Swarm.
    static func peers(of isolate: IsolateParameters, on node: SwarmNode, in swarm: SwarmView) throws(PlanError) -> [String] {
        var addresses: [String] = []
        if let from = isolate.from {
            for entry in from {
                if let peer = swarm.node(named: entry) {
                    guard peer.id != node.id else { throw .isolateFrom(node: node.name, reason: "'\(entry)' is the node itself") }
                    guard !peer.address.isEmpty else { throw .isolateFrom(node: node.name, reason: "the manager gives no address for node \(peer.name)") }
                    addresses.append(peer.address)
                } else if PeerPartitionFault.isAddress(entry) {
                    addresses.append(entry)
                } else {
                    let nodes = swarm.nodes.values.map(\.name).sorted()
                    throw .isolateFrom(node: node.name, reason: "'\(entry)' in from is neither a node of the Swarm (\(nodes.joined(separator: ", "))) nor an address/CIDR")
                }
            }
        } else {
            addresses = swarm.nodes.values.filter { $0.id != node.id && !$0.address.isEmpty }.map(\.address)
        }
        // A node's own address among its peers would cut it off from itself.
        addresses = Array(Set(addresses.filter { $0 != node.address })).sorted()
        guard !addresses.isEmpty else { throw .isolateFrom(node: node.name, reason: "there is no other node (with an address) to cut it off from") }
        return addresses
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
