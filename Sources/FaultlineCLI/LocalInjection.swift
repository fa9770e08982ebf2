import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Synchronization

/// `inject` on this host's engine: through the write-ahead ledger, the revert run here.
final class LocalInjection: InjectionPath {
    let injector: FaultInjector
    let action: any FaultAction
    let target: ContainerDetails
    let window: Duration?
    let trap: SignalTrap
    let engine: DockerEngineClient
    let output: Output
    private let active = Mutex<ActiveFault?>(nil)

    init(injector: FaultInjector, action: any FaultAction, target: ContainerDetails, window: Duration?, trap: SignalTrap,
         engine: DockerEngineClient, output: Output) {
        self.injector = injector
        self.action = action
        self.target = target
        self.window = window
        self.trap = trap
        self.engine = engine
        self.output = output
    }

    func inject() async throws -> InjectedFault {
        let fault = try await Self.hurryingOnSignal(kind: action.kind, target: target, trap: trap, engine: engine, output: output) {
            try await injector.inject(action, on: target, window: window)
        }
        active.withLock { $0 = fault }
        return InjectedFault(id: fault.id, summary: fault.summary, target: target.name, targetID: target.id,
                             whereabouts: "(\(target.shortID))", injectDuration: fault.injectDuration, injectedAt: fault.injectedAt)
    }

    func revert(_ fault: InjectedFault) async -> EndedFault {
        guard let held = active.withLock({ $0 }) else {
            return EndedFault(outcome: nil, nothingToRevert: false, failure: "fault \(fault.id) was not injected here", duration: .zero, revertedAt: Date())
        }
        let report = await injector.revert(held)
        switch report.result {
        case .success(let outcome):
            return EndedFault(outcome: outcome.description, nothingToRevert: outcome == .nothingToRevert, failure: nil,
                              duration: report.duration, revertedAt: report.revertedAt)
        case .failure(let failure):
            return EndedFault(outcome: nil, nothingToRevert: false, failure: "\(failure); the ledger keeps it open for `faultline recover`",
                              duration: report.duration, revertedAt: report.revertedAt)
        }
    }

    /// Runs the inject; a SIGINT or SIGTERM while a stop or restart waits out its grace hurries
    /// it (SIGKILL to the container), since the engine offers no way to cancel a stop, so the
    /// command gets to its revert (start again) at once instead of after the grace.
    static func hurryingOnSignal(kind: FaultKind, target: ContainerDetails, trap: SignalTrap, engine: DockerEngineClient, output: Output,
                                 _ inject: () async throws -> ActiveFault) async throws -> ActiveFault {
        guard kind == .stop || kind == .restart else { return try await inject() }
        let injecting = Mutex(true)
        trap.onSignal {
            guard injecting.withLock({ $0 }) else { return }
            output.event("interrupt", "signal received during the \(kind.rawValue): hurrying it with SIGKILL, then reverting")
            Task { try? await engine.killContainer(target.id, signal: "SIGKILL") }
        }
        defer { injecting.withLock { $0 = false } }
        return try await inject()
    }
}
