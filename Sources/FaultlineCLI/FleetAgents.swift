import Campaign
import Daemon
import DockerEngine
import Fleet
import FaultlineSupport
import Foundation
import Logging
import Probes
import Synchronization

/// A campaign's fleet (`run --fleet`): the nodes' engines for the inventory, their agents for
/// the faults. Every node named in the fleet file must have an agent.
public struct FleetAgents: NodeFaults {
    public let description: FleetDescription
    public let agents: [String: NodeAgent]
    let engineCallTimeout: Duration
    let logger: Logger
    /// The nodes' engines as the inventory connected them, reused to ask about Swarm.
    private let engines = SharedFlag<[String: DockerEngineClient]>()
    /// The engine that answered `swarmView()` as a manager.
    private let manager = SharedFlag<DockerEngineClient>()

    public init(_ description: FleetDescription, engineCallTimeout: Duration, logger: Logger) throws {
        self.description = description
        self.engineCallTimeout = engineCallTimeout
        self.logger = logger
        var agents: [String: NodeAgent] = [:]
        for node in description.nodes { agents[node.name] = try NodeAgent(node: node.name, in: description) }
        self.agents = agents
    }

    public var nodes: [String] { description.nodes.map(\.name) }

    public func inventory() async throws -> [TargetMatcher.Engine] {
        let inventory = try await FleetInventory.list(description, all: false, callTimeout: engineCallTimeout, logger: logger)
        engines.set(Dictionary(inventory.map { ($0.node.name, $0.engine) }, uniquingKeysWith: { first, _ in first }))
        return inventory.map { TargetMatcher.Engine(node: $0.node.name, containers: $0.containers) }
    }

    func agent(_ node: String) throws -> NodeAgent {
        guard let agent = agents[node] else {
            throw CampaignRunError.fleet("no node '\(node)' in \(description.file) (nodes: \(nodes.joined(separator: ", ")))")
        }
        return agent
    }

    public func reach(_ node: String) async throws { try await agent(node).reach() }

    /// The container is named by its id: names may repeat across nodes, ids within a node do not.
    public func inject(_ fault: PlannedFault, window: Duration?) async throws -> NodeFault {
        guard let node = fault.container.node else { throw CampaignRunError.fleet("fault #\(fault.index) names no node") }
        let request = NodeAgent.request(kind: fault.fault.kind, target: fault.container.id, parameters: fault.fault.parameters.texts, window: window)
        let held = try await agent(node).inject(request)
        return NodeFault(node: node, id: held.id, summary: held.summary, deadline: held.deadlineMS.map { Duration.milliseconds($0) })
    }

    /// Asks the nodes' engines in the fleet file's order; the first manager answers, and a drain
    /// goes to its node's agent. Every engine says which Swarm node it is (`GET /info`).
    public func swarmView() async throws -> SwarmView? {
        var found: SwarmView?
        var fleetNodes: [String: String] = [:]
        for node in description.nodes {
            let engine: DockerEngineClient
            if let connected = engines.value?[node.name] {
                engine = connected
            } else {
                engine = try await DockerEngineClient.connect(to: node.engine, logger: logger, callTimeout: engineCallTimeout)
            }
            do {
                // Which Swarm node each fleet node is: an isolate goes to the agent on it.
                if let id = try await engine.swarmNodeID() { fleetNodes[id] = node.name }
                if found == nil, var view = try await SwarmView.ask(engine) {
                    view.managerNode = node.name
                    manager.set(engine)
                    found = view
                }
            } catch {
                throw CampaignRunError.fleet("node '\(node.name)': asking its engine about Swarm services: \(error)")
            }
        }
        found?.fleetNodes = fleetNodes
        return found
    }

    public func swarmManager() async -> (any SwarmManaging)? { manager.value }

    public func clockOffset(of node: String) async throws -> ClockOffset { try await agent(node).clockOffset() }

    public func probe(_ probe: ProbeDefinition, on node: String, for duration: Duration) -> AsyncThrowingStream<ProbeSample, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ProbeSample.self)
        let request = AgentProbeRequest(name: probe.name, probe: probe.config, every: DurationText.format(probe.every),
                                        timeout: DurationText.format(probe.timeout), for: DurationText.format(duration))
        let hungUp = SharedFlag<Bool>()
        let task = Task {
            do {
                let nodeAgent = try agent(node)
                try await nodeAgent.probe(request, stop: { hungUp.value == true }) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            hungUp.set(true)
            task.cancel()
        }
        return stream
    }

    public func end(_ fault: NodeFault) async -> NodeFaultEnd {
        let ended: AgentFault
        do { ended = try await agent(fault.node).end(fault.id) } catch {
            let deadline = fault.deadline.map { " (\(DurationText.format($0)) after it was injected)" } ?? ""
            return .unreachable("\(error); the agent reverts it by itself at its deadline\(deadline)")
        }
        switch ended.state {
        case .reverted: return .reverted(outcome: ended.outcome ?? "reverted", endedBy: ended.endedBy, packets: ended.packets)
        case .revertFailed: return .failed("\(ended.error ?? "the revert failed"); its ledger keeps the fault open and its warden retries")
        case .active, .reverting: return .failed("the agent answered with the fault still \(ended.state.rawValue)")
        }
    }
}
