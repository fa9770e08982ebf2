import Campaign
import Daemon
import Faults
import FaultlineSupport
import Foundation

/// `inject --node NODE`: the fault goes to that fleet node's faultline agent, which injects it
/// through its own ledger and reverts it when the window ends by itself — also when this command
/// dies or loses the network to it. The window's end here only asks for the same revert early
/// (idempotent); a signal asks for it at once. The ledger deadline the agent records (the warden's
/// backstop should the agent itself die) is the window plus `deadlineGrace`.
struct AgentInjection: InjectionPath {
    let client: DaemonClient
    let node: String
    let request: AgentFaultRequest

    static let deadlineGrace: Duration = .seconds(10)

    /// The node's agent from the fleet file, or one line naming the nodes there are.
    static func client(for nodeName: String, in fleet: FleetDescription) throws -> DaemonClient {
        guard let node = fleet.node(named: nodeName) else {
            let names = fleet.nodes.map(\.name)
            let hint = NameSuggestions.closest(to: nodeName, among: names, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw DaemonClient.Failure(description: "no node '\(nodeName)' in the fleet file \(fleet.file)\(hint) (nodes: \(names.joined(separator: ", ")))",
                                       exitCode: .invalidInput)
        }
        guard let agent = node.agent else {
            throw DaemonClient.Failure(description: "node '\(nodeName)' in \(fleet.file) names no agent: add `agent: unix:///PATH/daemon.sock` (or its URL) to it",
                                       exitCode: .invalidInput)
        }
        if agent.hasPrefix("unix://") { return DaemonClient(socket: String(agent.dropFirst("unix://".count)), baseURL: "http://faultline", token: nil) }
        if agent.hasPrefix("/") { return DaemonClient(socket: agent, baseURL: "http://faultline", token: nil) }
        if agent.hasPrefix("http://") || agent.hasPrefix("https://") {
            return DaemonClient(socket: nil, baseURL: agent.hasSuffix("/") ? String(agent.dropLast()) : agent,
                                token: try TokenSource.read(argument: nil, file: nil))
        }
        throw DaemonClient.Failure(description: "node '\(nodeName)' in \(fleet.file): agent '\(agent)' is neither unix:///PATH nor http(s)://HOST:PORT",
                                   exitCode: .invalidInput)
    }

    init(client: DaemonClient, node: String, kind: FaultKind, target: String, parameters: [(key: String, texts: [String])], window: Duration?) {
        self.client = client
        self.node = node
        request = AgentFaultRequest(kind: kind.rawValue, target: target,
                                    parameters: Dictionary(parameters.map { ($0.key, $0.texts) }, uniquingKeysWith: +),
                                    window: window.map(DurationText.format), deadline: window.map { DurationText.format($0 + Self.deadlineGrace) })
    }

    func inject() async throws -> InjectedFault {
        let fault: AgentFault
        do {
            fault = try await client.call("POST", "/v1/faults", body: Array(JSONCoding.encode(request)), as: AgentFault.self)
        } catch let failure as DaemonClient.Failure {
            throw DaemonClient.Failure(description: "node '\(node)': POST /v1/faults (\(request.kind) on \(request.target)): \(failure.description)",
                                       exitCode: failure.exitCode)
        }
        return InjectedFault(id: fault.id, summary: fault.summary, target: fault.container, targetID: fault.containerID,
                             whereabouts: "(\(fault.containerID.prefix(12)) on \(node))", injectDuration: .milliseconds(fault.injectMS),
                             injectedAt: fault.injectedAt)
    }

    func revert(_ fault: InjectedFault) async -> EndedFault {
        let started = ContinuousClock.now
        do {
            let ended = try await client.call("DELETE", "/v1/faults/\(fault.id)", as: AgentFault.self)
            let duration = ended.revertMS.map { Duration.milliseconds($0) } ?? (ContinuousClock.now - started)
            if ended.state == .reverted {
                return EndedFault(outcome: ended.outcome ?? "reverted", nothingToRevert: ended.outcome == RevertOutcome.nothingToRevert.description,
                                  failure: nil, duration: duration, revertedAt: ended.revertedAt ?? Date())
            }
            return EndedFault(outcome: nil, nothingToRevert: false,
                              failure: "the agent on node '\(node)' could not revert it: \(ended.error ?? ended.state.rawValue); its ledger keeps it open and its warden retries",
                              duration: duration, revertedAt: ended.revertedAt ?? Date())
        } catch {
            return EndedFault(outcome: nil, nothingToRevert: false,
                              failure: "node '\(node)': DELETE /v1/faults/\(fault.id): \(error); the agent reverts it by itself when its window ends (its ledger deadline is the window + \(DurationText.format(Self.deadlineGrace)))",
                              duration: ContinuousClock.now - started, revertedAt: Date())
        }
    }
}
