import Foundation

/// Where `faultline inject` puts its one fault: this host's engine through the ledger
/// (`LocalInjection`), or a fleet node's agent (`AgentInjection`). The command's timing, probes
/// and output are the same for both.
protocol InjectionPath: Sendable {
    /// Injects the fault; refusals and failures are thrown with what was being done.
    func inject() async throws -> InjectedFault
    /// Ends the fault (at the window's end or on a signal); never throws.
    func revert(_ fault: InjectedFault) async -> EndedFault
}

/// A fault as `inject` reports it.
struct InjectedFault: Sendable {
    let id: String
    let summary: String
    let target: String
    let targetID: String
    /// `(3f2a9c1b04de)` locally, `(3f2a9c1b04de on node2)` through an agent.
    let whereabouts: String
    let injectDuration: Duration
    let injectedAt: Date
}

/// How a fault ended.
struct EndedFault: Sendable {
    /// The revert's outcome (`restored`, `nothing to revert`…), nil when it failed.
    let outcome: String?
    let nothingToRevert: Bool
    /// Why the revert failed, and what holds the fault now.
    let failure: String?
    let duration: Duration
    let revertedAt: Date
}
