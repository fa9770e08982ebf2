import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging

/// The faults a coordinator asked this agent for (`/v1/faults`), each injected through the
/// ledger on this agent's engine and reverted by the agent itself: when its window ends, earlier
/// when the coordinator asks (`DELETE`), at once when the daemon stops. The coordinator is never
/// needed for a revert: if it dies or the network to it fails, the fault still ends with its
/// window. The ledger entry's hard deadline is the request's `deadline`, so the warden reverts
/// it should this agent itself die or hang.
public actor AgentFaults {
    let environment: FaultEnvironment
    let ledger: FaultLedger
    let revertTimeout: Duration
    /// Counts this agent's faults in the daemon's `/metrics` (nil in unit tests).
    let metrics: DaemonMetrics?
    let logger: Logger
    private var held: [String: Held] = [:]
    /// Set by `shutdown`: no new fault is taken.
    private var stopping = false
    /// Injections under way, which `shutdown` waits for before it ends what is held.
    private var injecting = 0
    /// Faults that ended, newest last, so a late or repeated `DELETE` gets the same answer.
    private var ended: [AgentFault] = []
    static let endedKept = 256

    struct Held {
        var record: AgentFault
        let active: ActiveFault
        let injector: FaultInjector
        let timer: Task<Void, Never>
        /// The revert under way, once one began.
        var ending: Task<AgentFault, Never>? = nil
    }

    public init(environment: FaultEnvironment, ledger: FaultLedger, revertTimeout: Duration = .seconds(30), metrics: DaemonMetrics? = nil,
                logger: Logger) {
        self.metrics = metrics
        self.environment = environment
        self.ledger = ledger
        self.revertTimeout = revertTimeout
        self.logger = logger
    }

    /// Injects the requested fault. A one-shot fault (restart, kill without a window) is done when
    /// this returns; a windowed one is held until its window ends.
    public func inject(_ request: AgentFaultRequest) async throws(APIError) -> AgentFault {
        let checked = try request.checked()
        guard !stopping else { throw APIError(status: 503, message: "the agent is stopping: it takes no new fault") }
        injecting += 1
        defer { injecting -= 1 }
        // The ledger's deadline is the request's: the warden reverts by then if this agent cannot.
        let grace = checked.window.map { (checked.deadline ?? $0) - $0 } ?? .zero
        let injector = FaultInjector(environment: environment, ledger: ledger, revertTimeout: revertTimeout, deadlineGrace: grace)
        let active: ActiveFault
        if let drain = checked.parameters as? DrainParameters {
            active = try await Self.answering(what: "\(drain.summary) of Swarm node \(request.target)") {
                try await injector.inject(drain.nodeFault, onSwarmNode: request.target, window: checked.window)
            }
        } else if let isolate = checked.parameters as? IsolateParameters {
            let node = try await thisSwarmNode(request.target, named: isolate.node)
            active = try await Self.answering(what: "\(isolate.summary) of Swarm node \(node.name)") {
                try await injector.inject(isolate.nodeFault, onThisNode: node, window: checked.window)
            }
        } else {
            let target: ContainerDetails
            do {
                target = try await TargetResolver(containers: environment.containers).resolve(request.target)
            } catch let error as TargetError {
                switch error {
                case .notFound: throw APIError.notFound("\(error)")
                case .empty, .ambiguous: throw APIError.badRequest("\(error)")
                case .protected, .ownContainer: throw APIError(status: 403, message: "\(error)")
                }
            } catch {
                throw APIError(status: 502, message: "engine: listing containers to find '\(request.target)': \(error)")
            }
            active = try await Self.answering(what: "\(checked.parameters.summary) on \(target.name)") {
                try await injector.inject(checked.action, on: target, window: checked.window)
            }
        }
        metrics?.faultInjected(kind: active.kind.rawValue)
        var record = AgentFault(active: active, containerName: active.target.name, window: checked.window, deadline: checked.deadline)
        guard let window = checked.window else {
            let report = await injector.revert(active)
            record.finish(with: report, reason: NodeFaultEnd.oneShot)
            remember(record)
            return record
        }
        let id = active.id
        let timer = Task { [weak self] in
            try? await Task.sleep(for: window)
            guard !Task.isCancelled else { return }
            _ = await self?.end(id, reason: NodeFaultEnd.windowEnded)
        }
        held[id] = Held(record: record, active: active, injector: injector, timer: timer)
        logger.notice("agent fault injected", metadata: [LogKey.faultID: "\(id)", LogKey.faultKind: "\(active.kind.rawValue)",
                                                         LogKey.container: "\(active.target.name)", "window": "\(DurationText.format(window))"])
        return record
    }

    /// The Swarm node an isolate names (by id), when it is the one this agent's engine is: an
    /// agent isolates only its own node. 409 for another node, 502 when the engine cannot say.
    private func thisSwarmNode(_ id: String, named name: String) async throws(APIError) -> LedgerRecord.Target {
        let own: String?
        do { own = try await environment.swarmNodes?.swarmNodeID() } catch {
            throw APIError(status: 502, message: "engine: GET /info to learn which Swarm node this is: \(error)")
        }
        guard let own else { throw APIError(status: 409, message: "this agent's engine is in no Swarm: it cannot isolate Swarm node \(name)") }
        guard own == id else {
            throw APIError(status: 409, message: "this agent's engine is Swarm node \(own), not \(id) (\(name)): isolate goes to the agent on that node")
        }
        return LedgerRecord.Target(id: own, name: name)
    }

    /// An injection's failure as the coordinator hears it: a refused target 403, a fault that does
    /// not apply to its target as it is now (a node the manager does not have, a container already
    /// stopped) 409, the rest 502.
    private static func answering(what: String, _ inject: () async throws -> ActiveFault) async throws(APIError) -> ActiveFault {
        do {
            return try await inject()
        } catch let refusal as TargetError {
            throw APIError(status: 403, message: "\(refusal)")
        } catch let error as FaultError {
            if case .notApplicable = error { throw APIError(status: 409, message: "\(error)") }
            throw APIError(status: 502, message: "\(error)")
        } catch {
            throw APIError(status: 502, message: "inject \(what): \(error)")
        }
    }

    /// Ends a held fault now (a coordinator's `DELETE`); a fault that already ended answers as it ended.
    public func revert(_ id: String) async throws(APIError) -> AgentFault {
        if let record = await end(id, reason: NodeFaultEnd.askedByCoordinator) { return record }
        throw APIError.notFound("no fault '\(id)' on this agent (\(held.count) held: \(held.keys.sorted().joined(separator: ", ")))")
    }

    /// One fault, held or recently ended.
    public func fault(_ id: String) throws(APIError) -> AgentFault {
        if let held = held[id] { return held.record }
        if let record = ended.last(where: { $0.id == id }) { return record }
        throw APIError.notFound("no fault '\(id)' on this agent")
    }

    /// Held faults first (oldest first), then the recently ended ones.
    public func list() -> [AgentFault] {
        held.values.map(\.record).sorted { $0.injectedAt < $1.injectedAt } + ended
    }

    public var heldCount: Int { held.count }

    /// Reverts everything held (the daemon is stopping).
    public func shutdown() async {
        stopping = true
        while injecting > 0 { try? await Task.sleep(for: .milliseconds(10)) }
        for id in held.keys.sorted() { _ = await end(id, reason: "the agent is stopping") }
    }

    /// Reverts a held fault once: whoever comes first (window, coordinator, shutdown) does it,
    /// and whoever comes while it runs waits for the same answer.
    private func end(_ id: String, reason: String) async -> AgentFault? {
        guard var taken = held[id] else { return ended.last(where: { $0.id == id }) }
        if let ending = taken.ending { return await ending.value }
        taken.timer.cancel()
        let (injector, active, asHeld) = (taken.injector, taken.active, taken.record)
        let ending = Task {
            let report = await injector.revert(active)
            var record = asHeld
            record.finish(with: report, reason: reason)
            return record
        }
        taken.ending = ending
        taken.record.state = .reverting
        held[id] = taken
        let record = await ending.value
        held[id] = nil
        remember(record)
        logger.notice("agent fault ended", metadata: [LogKey.faultID: "\(id)", "reason": "\(reason)", "state": "\(record.state.rawValue)"])
        return record
    }

    private func remember(_ record: AgentFault) {
        metrics?.faultReverted(kind: record.kind.rawValue, succeeded: record.state == .reverted)
        ended.append(record)
        if ended.count > Self.endedKept { ended.removeFirst(ended.count - Self.endedKept) }
    }
}
