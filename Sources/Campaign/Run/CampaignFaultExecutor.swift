import DockerEngine
import FaultProxy
import Faults
import FaultlineSupport
import Foundation
import Synchronization

/// A window's fault as the run holds it: in this process's ledger, or with a fleet node's agent.
enum CampaignFaultHandle: Sendable {
    case local(ActiveFault)
    case node(NodeFault)
}

/// Injects planned faults through the ledger (`FaultInjector`), or through the agent of the
/// container's fleet node, and records each window on the run's timeline and in the journal.
final class CampaignFaultExecutor: FaultExecutor {
    typealias Handle = CampaignFaultHandle

    let injector: FaultInjector
    let containers: any ContainerInspecting
    let origin: ContinuousClock.Instant
    let journal: Journal
    let onWindow: @Sendable (FaultWindow) -> Void
    /// Told when a revert had to wait for an unreachable engine (a restarting dockerd): the run
    /// stops there, since what the probes saw is no longer the planned fault alone.
    let onEngineOutage: @Sendable (String) -> Void
    /// The campaign's proxies, running, by name.
    let proxies: [String: ProxyServer]
    /// The fleet's agents, for faults on containers of a node.
    let fleet: (any NodeFaults)?
    /// Told when a node's agent could not be asked to end its fault: the run stops there.
    let onNodeLost: @Sendable (String) -> Void
    /// A Swarm manager, to measure how Swarm replaces a task a kill or stop ended (nil: none).
    let swarmManager: (any SwarmManaging)?
    private let windows = Mutex<[Int: FaultWindow]>([:])
    private let watches = Mutex<[Task<Void, Never>]>([])

    init(injector: FaultInjector, containers: any ContainerInspecting, origin: ContinuousClock.Instant, journal: Journal,
         proxies: [String: ProxyServer] = [:], fleet: (any NodeFaults)? = nil, onWindow: @escaping @Sendable (FaultWindow) -> Void,
         onEngineOutage: @escaping @Sendable (String) -> Void = { _ in }, onNodeLost: @escaping @Sendable (String) -> Void = { _ in },
         swarmManager: (any SwarmManaging)? = nil) {
        self.swarmManager = swarmManager
        self.onEngineOutage = onEngineOutage
        self.fleet = fleet
        self.onNodeLost = onNodeLost
        self.proxies = proxies
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

    func inject(_ fault: PlannedFault) async throws -> CampaignFaultHandle {
        let started = ContinuousClock.now
        let window = FaultWindow(index: fault.index, kind: fault.fault.kind, summary: fault.fault.summary,
                                 selector: fault.fault.target, container: fault.container.name, node: fault.container.node, injectAt: now)
        windows.withLock { $0[fault.index] = window }
        do {
            let handle: CampaignFaultHandle
            if let node = fault.container.node {
                guard let fleet else { throw CampaignRunError.fleet("fault #\(fault.index) is planned on node '\(node)' but the run has no fleet") }
                handle = .node(try await fleet.inject(fault, window: fault.duration))
            } else if fault.fault.kind.actsOnContainer {
                let details = try await containers.inspectContainer(fault.container.id)
                handle = .local(try await injector.inject(fault.fault.action(hasWindow: fault.duration != nil), on: details, window: fault.duration) { reapply in
                    let at = self.now
                    let note = "container restarted at \(at.formatted); " + (reapply.error.map { "could not apply the fault again: \($0)" } ?? "fault applied again")
                    self.update(fault.index) { $0.notes = ($0.notes ?? []) + [note] }
                })
            } else if let drain = fault.fault.parameters as? DrainParameters {
                handle = .local(try await injector.inject(drain.nodeFault, onSwarmNode: fault.container.id, window: fault.duration))
            } else if let isolate = fault.fault.parameters as? IsolateParameters {
                let node = LedgerRecord.Target(id: fault.container.id, name: fault.container.name)
                handle = .local(try await injector.inject(isolate.nodeFault, onThisNode: node, window: fault.duration))
            } else {
                handle = .local(try await injectToxics(fault))
            }
            update(fault.index) { $0.injectedAt = self.now }
            watchReschedule(of: fault, since: started)
            return handle
        } catch {
            update(fault.index) { $0.error = "\(error)" }
            throw error
        }
    }

    /// Turns the window's toxics on in its proxy; the revert turns exactly those off again. The
    /// ledger records them too (they die with this process, so `recover` only closes the entry).
    private func injectToxics(_ fault: PlannedFault) async throws -> ActiveFault {
        guard let parameters = fault.fault.parameters as? ToxicParameters else {
            throw CampaignRunError.proxy("fault #\(fault.index) is not a toxic window")
        }
        let name = parameters.proxy
        guard let proxy = proxies[name] else { throw CampaignRunError.proxy("proxy '\(name)' of fault #\(fault.index) is not running") }
        let toxics = try parameters.toxics.map { spec in
            var toxic = try Toxic.parse(spec)
            toxic.name = "window\(fault.index)-\(toxic.typeName)-\(toxic.stream.rawValue)"
            return toxic
        }
        let summary = fault.fault.summary
        let prepared = PreparedFault(revert: .inProcess(InProcessStep(what: summary, pid: getpid()))) { _ in
            for toxic in toxics { proxy.toxics.add(toxic) }
        }
        return try await injector.inject(prepared, kind: .toxic, summary: summary,
                                         target: LedgerRecord.Target(id: fault.container.id, name: fault.container.name),
                                         window: fault.duration) {
            let removed = toxics.filter { proxy.toxics.remove(named: $0.name) }.count
            return removed > 0 ? .restored : .alreadyClear("no toxic of this window was left")
        }
    }

    /// A kill or stop of a Swarm task: Swarm replaces it; the window records how (`Reschedule`).
    private func watchReschedule(of fault: PlannedFault, since started: ContinuousClock.Instant) {
        guard let swarmManager, [.kill, .stop].contains(fault.fault.kind) else { return }
        let watch = RescheduleWatch(manager: swarmManager)
        let task = Task {
            guard let reschedule = await watch.watch(containerID: fault.container.id, since: started) else { return }
            self.update(fault.index) { window in
                window.reschedule = reschedule
                window.notes = (window.notes ?? []) + [reschedule.described]
            }
        }
        watches.withLock { $0.append(task) }
    }

    /// Waits up to `grace` for the reschedule watches still open, then ends them (each records
    /// how long it waited).
    func finishWatches(grace: Duration) async {
        let open = watches.withLock { $0 }
        let timer = Task {
            try? await Task.sleep(for: grace)
            for task in open { task.cancel() }
        }
        for task in open { await task.value }
        timer.cancel()
    }

    func revert(_ handle: CampaignFaultHandle, of fault: PlannedFault) async {
        update(fault.index) { $0.revertAt = self.now }
        switch handle {
        case .local(let active): await revertLocal(active, of: fault)
        case .node(let held): await endOnNode(held, of: fault)
        }
    }

    private func revertLocal(_ handle: ActiveFault, of fault: PlannedFault) async {
        let report = await injector.revert(handle)
        update(fault.index) { window in
            window.revertedAt = self.now
            switch report.result {
            case .success(let outcome):
                window.outcome = outcome.description
                window.packets = outcome.packetCounts
            case .failure(let failure): window.error = "revert failed: \(failure.message)"
            }
            if let away = report.engineUnreachable {
                window.notes = (window.notes ?? []) + ["the engine could not be reached for \(DurationText.format(away)); the revert waited and ran once it answered"]
            }
        }
        if let away = report.engineUnreachable {
            onEngineOutage("the engine could not be reached for \(DurationText.format(away)) during window #\(fault.index) "
                           + "(\(fault.fault.kind.rawValue) on \(fault.container.name)); its fault was reverted once the engine answered again")
        }
    }

    /// Asks the node's agent to end the fault. An agent that cannot be asked reverts by itself at
    /// the fault's deadline; the run stops, naming the node (what the probes saw is no longer
    /// the planned fault alone).
    private func endOnNode(_ held: NodeFault, of fault: PlannedFault) async {
        guard let fleet else { return }
        let end = await fleet.end(held)
        update(fault.index) { window in
            window.revertedAt = self.now
            switch end {
            case .reverted(let outcome, let endedBy, let packets):
                window.outcome = outcome
                window.packets = packets
                if let endedBy, !NodeFaultEnd.isExpected(endedBy) {
                    window.notes = (window.notes ?? []) + ["node \(held.node) had ended it already (\(endedBy))"]
                }
            case .failed(let reason): window.error = "revert failed on node \(held.node): \(reason)"
            case .unreachable(let reason): window.error = "node \(held.node) could not be asked to end it: \(reason)"
            }
        }
        if case .unreachable(let reason) = end {
            onNodeLost("node '\(held.node)' could not be asked to end window #\(fault.index) (\(fault.fault.summary) on \(fault.container.name)): \(reason)")
        }
    }
}
