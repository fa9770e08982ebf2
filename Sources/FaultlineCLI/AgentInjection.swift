import Campaign
import Daemon
import Faults
import FaultlineSupport
import Foundation

/// `inject --node NODE`: the fault goes to that fleet node's faultline agent, which injects it
/// through its own ledger and reverts it when the window ends by itself — also when this command
/// dies or loses the network to it. The window's end here only asks for the same revert early
/// (idempotent); a signal asks for it at once. The ledger deadline the agent records (the warden's
/// backstop should the agent itself die) is the window plus `NodeAgent.deadlineGrace`.
struct AgentInjection: InjectionPath {
    let agent: NodeAgent
    let request: AgentFaultRequest

    init(agent: NodeAgent, kind: FaultKind, target: String, parameters: [(key: String, texts: [String])], window: Duration?) {
        self.agent = agent
        request = NodeAgent.request(kind: kind, target: target, parameters: parameters, window: window)
    }

    func inject() async throws -> InjectedFault {
        let fault = try await agent.inject(request)
        return InjectedFault(id: fault.id, summary: fault.summary, target: fault.container, targetID: fault.containerID,
                             whereabouts: "(\(fault.containerID.prefix(12)) on \(agent.node))", injectDuration: .milliseconds(fault.injectMS),
                             injectedAt: fault.injectedAt)
    }

    func revert(_ fault: InjectedFault) async -> EndedFault {
        let started = ContinuousClock.now
        do {
            let ended = try await agent.end(fault.id)
            let duration = ended.revertMS.map { Duration.milliseconds($0) } ?? (ContinuousClock.now - started)
            if ended.state == .reverted {
                return EndedFault(outcome: ended.outcome ?? "reverted", nothingToRevert: ended.outcome == RevertOutcome.nothingToRevert.description,
                                  failure: nil, duration: duration, revertedAt: ended.revertedAt ?? Date())
            }
            return EndedFault(outcome: nil, nothingToRevert: false,
                              failure: "the agent on node '\(agent.node)' could not revert it: \(ended.error ?? ended.state.rawValue); its ledger keeps it open and its warden retries",
                              duration: duration, revertedAt: ended.revertedAt ?? Date())
        } catch {
            return EndedFault(outcome: nil, nothingToRevert: false,
                              failure: "\(error); the agent reverts it by itself when its window ends (its ledger deadline is the window + \(DurationText.format(NodeAgent.deadlineGrace)))",
                              duration: ContinuousClock.now - started, revertedAt: Date())
        }
    }
}
