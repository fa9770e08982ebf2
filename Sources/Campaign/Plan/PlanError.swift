import Faults
import FaultlineSupport

/// A campaign whose plan cannot be made against the containers that exist.
public enum PlanError: Error, CustomStringConvertible, Equatable, ExitCodeClassified {
    case emptySelection(target: String, match: String, suggestions: [String])
    case blastRadius(containers: [String], limit: Int)
    case overlapping(kind: String, container: String, first: Duration, second: Duration)
    /// A selector names a node, but the run has no fleet.
    case noFleet(target: String, node: String)
    /// A selector names a node the fleet does not have.
    case unknownNode(target: String, node: String, nodes: [String])
    /// A partition's peer runs on another node than its target (whose engine resolves the peers).
    case peerOnOtherNode(container: String, peer: String)
    /// A Swarm selector's faults would act on every running replica of a service at once.
    case everyReplica(target: String, service: String, replicas: Int)
    /// A Swarm selector names tasks of a service that already runs fewer tasks than it wants.
    case degradedService(target: String, service: String, running: Int, desired: Int)
    /// A Swarm selector, but no engine the run reaches is a Swarm manager to ask about services.
    case noSwarmManager(target: String)
    /// A drain or isolate, but no engine the run reaches is a Swarm manager.
    case noSwarmManagerForNode(node: String, kind: FaultKind = .drain)
    /// A drain or isolate names a node the Swarm does not have (its node, or one of its `from`).
    case unknownSwarmNode(node: String, nodes: [String], kind: FaultKind = .drain)
    /// A drain or isolate names a node labelled `faultline.protect`.
    case protectedSwarmNode(node: String, kind: FaultKind = .drain)
    /// An isolate's node is no node of the fleet (no agent runs there to add the rules).
    case noAgentOnSwarmNode(node: String, fleetNodes: [String])
    /// An isolate without a fleet, on a node that is not the one the run's engine is.
    case isolateElsewhere(node: String)
    /// An isolate that would cut the node off from itself, or from nothing.
    case isolateFrom(node: String, reason: String)
    /// A drain asks for the availability the node already has.
    case swarmNodeAlready(node: String, availability: String)
    /// Draining the node would stop every running replica of a service at once.
    case drainTakesEveryReplica(node: String, service: String, replicas: Int)

    public var description: String {
        switch self {
        case .emptySelection(let target, let match, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "target '\(target)' (\(match)) matches no container that may be targeted\(hint) (see `faultline targets`)"
        case .blastRadius(let containers, let limit):
            return "the plan touches \(containers.count) containers (\(containers.sorted().joined(separator: ", "))) but settings.blast_radius allows \(limit)"
        case .overlapping(let kind, let container, let first, let second):
            return "the plan has overlapping \(kind) faults on \(container) (at \(first.formatted) and \(second.formatted)); space them out or use another seed"
        case .noFleet(let target, let node):
            return "target '\(target)' keeps to node '\(node)', but this run has no fleet: give --fleet FILE (or set $FAULTLINE_FLEET)"
        case .unknownNode(let target, let node, let nodes):
            let hint = NameSuggestions.closest(to: node, among: nodes, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            return "target '\(target)' names node '\(node)', which the fleet does not have\(hint) (nodes: \(nodes.joined(separator: ", ")))"
        case .peerOnOtherNode(let container, let peer):
            return "partition of \(container) from \(peer): a peer is looked up by the target's own engine, so it must run on the same node (name a peer on another node by its address as a CIDR)"
        case .everyReplica(let target, let service, let replicas):
            return "target '\(target)' would act on every running replica of service '\(service)' (\(replicas)) at once: that takes the service down; pick fewer (pick: { random: 1 }, slot: N) or say all_replicas: true"
        case .degradedService(let target, let service, let running, let desired):
            return "target '\(target)': service '\(service)' is already degraded (\(running) of \(desired) tasks running); faultline adds no fault to a service that is not whole: wait until it is (`docker service ps \(service)`)"
        case .noSwarmManager(let target):
            return "target '\(target)' selects Swarm tasks, but no engine this run reaches is a Swarm manager, so whether the service is whole or protected cannot be checked: run against a manager's engine (or name one in the fleet)"
        case .noSwarmManagerForNode(let node, let kind):
            return "\(kind.rawValue) of node '\(node)': no engine this run reaches is a Swarm manager, and Swarm nodes are looked up through one: run against a manager's engine (or name one in the fleet)"
        case .unknownSwarmNode(let node, let nodes, let kind):
            let hint = NameSuggestions.closest(to: node, among: nodes, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            return "\(kind.rawValue) of node '\(node)': the Swarm has no such node\(hint) (nodes: \(nodes.joined(separator: ", ")))"
        case .protectedSwarmNode(let node, let kind):
            return "\(kind.rawValue) of node '\(node)': the node is protected (label \(TargetProtection.label))"
        case .noAgentOnSwarmNode(let node, let fleetNodes):
            return "isolate of node '\(node)': no node of the fleet is that Swarm node (fleet nodes: \(fleetNodes.joined(separator: ", "))), and the rules are added by the agent on it: add the node to the fleet file"
        case .isolateElsewhere(let node):
            return "isolate of node '\(node)': the rules are added on that node, and this run's engine is not it: run there, or with --fleet and an agent on it"
        case .isolateFrom(let node, let reason):
            return "isolate of node '\(node)': \(reason)"
        case .swarmNodeAlready(let node, let availability):
            return "drain of node '\(node)': its availability is already \(availability); faultline sets back only what it changed, so it changes nothing here (`docker node update --availability active \(node)` first)"
        case .drainTakesEveryReplica(let node, let service, let replicas):
            return "drain of node '\(node)' would stop every running replica of service '\(service)' (\(replicas)) at once: that takes the service down; spread the service first (`docker service update --replicas-max-per-node 1 \(service)`), drain another node, or say all_replicas: true in the drain"
        }
    }

    public var exitCode: FaultlineExitCode { .invalidInput }
}
