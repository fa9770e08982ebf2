import DockerEngine
import Faults
import Foundation
import Synchronization

/// Injects planned faults through the ledger (`FaultInjector`) and records each window on the
/// run's timeline and in the journal.
final class CampaignFaultExecutor: FaultExecutor {
    typealias Handle = ActiveFault

    let injector: FaultInjector
    let containers: any ContainerInspecting
    let origin: ContinuousClock.Instant
    let journal: Journal
    let onWindow: @Sendable (FaultWindow) -> Void
    private let windows = Mutex<[Int: FaultWindow]>([:])

    init(injector: FaultInjector, containers: any ContainerInspecting, origin: ContinuousClock.Instant, journal: Journal,
         onWindow: @escaping @Sendable (FaultWindow) -> Void) {
        self.injector = injector
        self.containers = containers
        self.origin = origin
        self.journal = journal
        self.onWindow = onWindow
    }

    var recorded: [FaultWindow] { windows.withLock { $0.values.sorted { $0.index < $1.index } } }

    private var now: Duration { ContinuousClock.now - origin }

    private func update(_ index: Int, _ change: (inout FaultWindow) -> Void) {
        let window = windows.withLock { all -> FaultWindow? in
            guard var window = all[index] else { return nil }
            change(&window)
            all[index] = window
            return window
        }
        if let window {
            journal.append(.window(window))
            onWindow(window)
        }
    }

    func inject(_ fault: PlannedFault) async throws -> ActiveFault {
        let window = FaultWindow(index: fault.index, kind: fault.fault.kind, summary: fault.fault.summary,
                                 selector: fault.fault.target, container: fault.container.name, injectAt: now)
        windows.withLock { $0[fault.index] = window }
        do {
            let details = try await containers.inspectContainer(fault.container.id)
            let active = try await injector.inject(fault.fault.action(hasWindow: fault.duration != nil), on: details, window: fault.duration)
            update(fault.index) { $0.injectedAt = self.now }
            return active
        } catch {
            update(fault.index) { $0.error = "\(error)" }
            throw error
        }
    }

    func revert(_ handle: ActiveFault, of fault: PlannedFault) async {
        update(fault.index) { $0.revertAt = self.now }
        let report = await injector.revert(handle)
        update(fault.index) { window in
            window.revertedAt = self.now
            switch report.result {
            case .success(let outcome): window.outcome = outcome.description
            case .failure(let failure): window.error = "revert failed: \(failure.message)"
            }
        }
    }
}
