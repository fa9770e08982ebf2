import Campaign
import Daemon
import FaultlineSupport

/// `recover --fleet`: asks every node's agent for the faults it holds and ends each of them now
/// (a campaign's or an `inject --node`'s, whether or not its coordinator still runs: on-call's
/// "put everything back"). Every node is asked, also after one fails; each failure names the node
/// and the call. Faults a crashed agent left in its ledger are its own start-up recovery's and
/// its warden's.
struct FleetRecovery {
    let description: FleetDescription

    struct Summary {
        var ended = 0
        var failures = 0
    }

    func recover(to output: Output) async throws -> Summary {
        let agents = try description.nodes.map { try NodeAgent(node: $0.name, in: description) }
        var summary = Summary()
        for agent in agents {
            let held: [AgentFault]
            do { held = try await agent.faults().filter { $0.state == .active || $0.state == .revertFailed } } catch {
                summary.failures += 1
                output.event("unreachable", "\(error)", fields: ["node": .string(agent.node), "error": .string("\(error)")])
                continue
            }
            for fault in held {
                let fields: [String: JSONValue] = ["node": .string(agent.node), "fault_id": .string(fault.id), "kind": .string(fault.kind.rawValue),
                                                   "target": .string(fault.container)]
                do {
                    let ended = try await agent.end(fault.id)
                    if ended.state == .reverted {
                        summary.ended += 1
                        output.event("recovered", "\(fault.summary) on \(fault.container) (node \(agent.node)): \(ended.outcome ?? "reverted")",
                                     fields: fields.merging(["outcome": .string(ended.outcome ?? "reverted")]) { $1 })
                    } else {
                        summary.failures += 1
                        let reason = ended.error ?? ended.state.rawValue
                        output.event("recovered", "\(fault.summary) on \(fault.container) (node \(agent.node)): REVERT FAILED: \(reason)",
                                     fields: fields.merging(["error": .string(reason)]) { $1 })
                    }
                } catch {
                    summary.failures += 1
                    output.event("recovered", "\(fault.summary) on \(fault.container) (node \(agent.node)): REVERT FAILED: \(error)",
                                 fields: fields.merging(["error": .string("\(error)")]) { $1 })
                }
            }
        }
        if summary.ended == 0 && summary.failures == 0 {
            if output.json { output.line(#"{"event":"nothing-to-recover"}"#) } else {
                output.line("nothing to recover: no node's agent holds a fault (\(agents.map(\.node).joined(separator: ", ")))")
            }
        }
        return summary
    }
}
