import DockerEngine
import FaultProxy
import Faults
import FaultlineSupport
import Foundation
import Logging
import Probes
import Synchronization

/// What a run reports while it goes (for the live view).
public enum RunEvent: Sendable {
    case phase(String)
    case sample(ProbeSample)
    case window(FaultWindow)
    case steadyState(CheckResult)
    case aborting(String)
}

/// The result of a run: its verdict, its directory and what happened.
public struct RunResult: Sendable {
    public let directory: String
    /// What the journal holds, assembled in memory (reports render from it without re-reading the journal).
    public let record: RunRecord
    public let figures: [WindowFigures]
    /// Host neighbour entries refreshed after a target started again (see `BridgeNeighbourRefresher`).
    public var neighbourRefreshes = 0

    public var verdict: CampaignVerdict { record.verdict ?? CampaignVerdict(status: .aborted, reason: "no verdict", checks: []) }
    public var windows: [FaultWindow] { record.windows }
}

/// Runs one campaign: probes, steady state, the scheduled faults through the ledger, stop
/// conditions, recovery, analysis, journal and reports. Everything injected is reverted before
/// `run` returns, whatever happens (a stop condition, `abort()` on a signal, an error).
public final class CampaignRunner: Sendable {
    public let campaign: CampaignDefinition
    let source: String
    let file: String
    /// Everything the run does to containers goes through these seams (the engine, or a fake).
    let environment: FaultEnvironment
    /// Sets the host's neighbour entry of a target that starts again (nil: not done).
    let neighbours: BridgeNeighbourRefresher?
    let ledger: FaultLedger
    /// The fleet's agents when targets run on fleet nodes (nil: the one engine of `environment`).
    let fleet: (any NodeFaults)?
    /// `run --baseline DIR`: its regressions become failed checks of the verdict (nil: none).
    let baseline: Baseline?
    let logger: Logger
    let emit: @Sendable (RunEvent) -> Void
    private let abortReason = Mutex<String?>(nil)
    private let scheduler = Mutex<CampaignScheduler<PreciseClock>?>(nil)

    /// A runner on the real engine.
    public convenience init(campaign: CampaignDefinition, source: String, file: String, engine: DockerEngineClient, ledger: FaultLedger,
                            fleet: (any NodeFaults)? = nil, baseline: Baseline? = nil, logger: Logger, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.init(campaign: campaign, source: source, file: file, environment: .live(engine: engine, logger: logger),
                  neighbours: fleet == nil ? BridgeNeighbourRefresher(engine: engine, logger: logger) : nil, ledger: ledger, fleet: fleet,
                  baseline: baseline, logger: logger, emit: emit)
    }

    /// A runner on any fault environment (a fake engine in unit tests).
    public init(campaign: CampaignDefinition, source: String, file: String, environment: FaultEnvironment,
                neighbours: BridgeNeighbourRefresher?, ledger: FaultLedger, fleet: (any NodeFaults)? = nil, baseline: Baseline? = nil,
                logger: Logger, emit: @escaping @Sendable (RunEvent) -> Void) {
        self.fleet = fleet
        self.baseline = baseline
        self.campaign = campaign
        self.source = source
        self.file = file
        self.environment = environment
        self.neighbours = neighbours
        self.ledger = ledger
        self.logger = logger
        self.emit = emit
    }

    /// Resolves the targets and expands the plan (nothing is injected).
    public func plan() async throws -> CampaignPlan {
        if let fleet { return try await Self.plan(campaign, fleet: fleet) }
        if let remote = campaign.probes.first(where: { $0.node != nil }), let node = remote.node {
            throw CampaignRunError.fleet("probe '\(remote.name)' runs from node '\(node)', which takes a fleet: --fleet FILE (or $FAULTLINE_FLEET)")
        }
        return try await Self.plan(campaign, containers: environment.containers, swarm: environment.containers as? any SwarmManaging)
    }

    /// Resolves `campaign`'s targets on every node of `fleet` and expands its plan.
    public static func plan(_ campaign: CampaignDefinition, fleet: any NodeFaults) async throws -> CampaignPlan {
        for probe in campaign.probes {
            if let node = probe.node, !fleet.nodes.contains(node) {
                throw CampaignRunError.fleet("probe '\(probe.name)' runs from node '\(node)', which the fleet does not name (nodes: \(fleet.nodes.joined(separator: ", ")))")
            }
        }
        let engines = try await fleet.inventory()
        let swarm = needsSwarmView(campaign, engines.flatMap(\.containers)) ? try await fleet.swarmView() : nil
        let targets = try TargetMatcher().resolve(campaign.targets, on: engines, swarm: swarm)
        let swarmNodes = try SwarmNodeTargets.resolve(campaign, swarm: swarm, containers: engines.flatMap(\.containers))
        return try PlanExpander.expand(campaign, targets: targets, swarmNodes: swarmNodes, swarm: swarm)
    }

    /// Resolves `campaign`'s targets against the running containers and expands its plan (no run
    /// needed). `swarm`: the engine when it may be a Swarm manager (asked only when tasks are about).
    public static func plan(_ campaign: CampaignDefinition, containers: any ContainerInspecting,
                            swarm manager: (any SwarmManaging)? = nil) async throws -> CampaignPlan {
        let running = try await containers.listContainers(all: false, filters: ContainerFilters())
        var swarm: SwarmView?
        if let manager, needsSwarmView(campaign, running) {
            swarm = try await SwarmView.ask(manager)
            if campaign.timeline.contains(where: { $0.fault.kind == .isolate }) { swarm?.localNodeID = try await manager.swarmNodeID() }
        }
        let targets = try TargetMatcher().resolve(campaign.targets, among: running, swarm: swarm)
        let swarmNodes = try SwarmNodeTargets.resolve(campaign, swarm: swarm, containers: running)
        return try PlanExpander.expand(campaign, targets: targets, swarmNodes: swarmNodes, swarm: swarm)
    }

    /// The Swarm manager that measures reschedules, when the plan kills or stops containers: the
    /// fleet's manager, or the run's one engine (a watch on an engine that is no manager finds
    /// no task and records nothing).
    func rescheduleManager(_ plan: CampaignPlan) async -> (any SwarmManaging)? {
        guard plan.faults.contains(where: { [.kill, .stop].contains($0.fault.kind) }) else { return nil }
        if let fleet { return await fleet.swarmManager() }
        return environment.containers as? any SwarmManaging
    }

    /// Whether planning needs a Swarm manager's view: a selector names Swarm tasks, a fault acts
    /// on a Swarm node, or some container is a task (its service or node may be protected).
    static func needsSwarmView(_ campaign: CampaignDefinition, _ containers: [ContainerSummary]) -> Bool {
        campaign.targets.contains { if case .swarm = $0.match { return true } else { return false } }
            || campaign.timeline.contains { $0.fault.kind.subject == .swarmNode }
            || containers.contains { SwarmTaskLabels($0.labels ?? [:]) != nil }
    }

    /// A past run's realized plan, its containers found again by name.
    public func replayPlan(_ past: CampaignPlan) async throws -> CampaignPlan {
        if let node = past.containers.compactMap(\.node).first {
            throw CampaignRunError.replay("the run acted on fleet nodes (\(node)…); replaying a fleet run is not supported yet: run its campaign again with --fleet")
        }
        let containers = try await environment.containers.listContainers(all: false, filters: ContainerFilters())
        var byName: [String: PlannedTarget] = [:]
        for container in containers { byName[container.name] = PlannedTarget(id: container.id, name: container.name) }
        let faults = try past.faults.map { fault throws -> PlannedFault in
            guard fault.fault.kind.actsOnContainer else { return fault }
            guard let current = byName[fault.container.name] else {
                throw CampaignRunError.replay("container '\(fault.container.name)' of fault #\(fault.index) is not running now")
            }
            return PlannedFault(index: fault.index, at: fault.at, duration: fault.duration, fault: fault.fault, container: current, origin: fault.origin)
        }
        let targets = past.targets.mapValues { list in list.compactMap { byName[$0.name] } }
        return CampaignPlan(seed: past.seed, faults: faults, targets: targets)
    }

    /// Stops the run: pending faults are skipped, injected ones reverted, the verdict is `aborted`.
    public func abort(_ reason: String) {
        let first = abortReason.withLock { current -> Bool in
            if current != nil { return false }
            current = reason
            return true
        }
        guard first else { return }
        emit(.aborting(reason))
        if let scheduler = scheduler.withLock({ $0 }) { Task { await scheduler.abort() } }
    }

    var aborted: String? { abortReason.withLock { $0 } }

    /// Runs the plan and writes the journal and reports into `directory`.
    public func run(_ plan: CampaignPlan, directory: String) async throws -> RunResult {
        // Every node the plan touches answers before anything starts: nothing is injected
        // anywhere when one node is missing.
        let nodes = plan.nodes
        let probeNodes = Array(Set(campaign.probes.compactMap(\.node))).sorted()
        if !nodes.isEmpty || !probeNodes.isEmpty {
            guard let fleet else {
                throw CampaignRunError.fleet("the plan acts on nodes \((nodes + probeNodes).joined(separator: ", ")) but the run has no fleet")
            }
            do { try await Self.reachAll(Array(Set(nodes + probeNodes)).sorted(), of: fleet) } catch {
                throw CampaignRunError.fleet("nothing was injected: \(error)")
            }
        }
        let nodeProbes = try await measureClocks(of: probeNodes)
        try TrustedDirectory.prepare((directory as NSString).deletingLastPathComponent, purpose: "runs directory", sharedParent: true)
        guard mkdir(directory, 0o700) == 0 else {
            throw CampaignRunError.journal("cannot create the run directory \(directory): \(String(cString: strerror(errno)))")
        }
        let journal = try Journal(path: directory + "/journal.jsonl")
        journal.onFailure { [weak self] reason in
            self?.abort("\(reason): the run's record cannot be kept, so it stops here and every fault is reverted")
        }
        let startedAt = Date()
        // The opening records in one write and one fsync, not one each.
        journal.append([.campaign(name: campaign.name, file: file, source: source, startedAt: startedAt),
                        .settings(consecutiveOK: campaign.settings.consecutiveOK), .variables(campaign.variables), .plan(plan)]
                       + nodeProbes.map { .nodeProbe($0) })
        for probe in nodeProbes { emit(.phase("probe \(probe.summary)")) }
        var probes: [ProbeRunner.Scheduled] = []
        for definition in campaign.probes where definition.node == nil {
            probes.append(.init(probe: try definition.config.makeProbe(name: definition.name, timeout: definition.timeout, logger: logger),
                                every: definition.every))
        }
        // Proxies first: probes may connect through them. Nothing below throws, so they are stopped below.
        let proxies = try await startProxies()
        let runner = ProbeRunner(probes)
        let store = SampleStore()
        let stopWatch = StopWatch(conditions: campaign.stopWhen)
        let (merged, feed) = AsyncStream.makeStream(of: ProbeSample.self)
        let localSamples = Task { for await sample in runner.samples { feed.yield(sample) } }
        let consumer = Task { [emit] in
            for await sample in merged {
                journal.append(.sample(sample))
                await store.add(sample)
                emit(.sample(sample))
                if let reason = stopWatch.observe(sample) { self.abort(reason) }
            }
        }
        runner.start()
        let (firstAnswers, firstAnswer) = AsyncStream.makeStream(of: Void.self)
        let remoteSamples = streamNodeProbes(nodeProbes, onto: runner, into: feed, firstAnswer: firstAnswer,
                                             bound: campaign.hypothesis.steadyState.window + plan.length + campaign.settings.recoveryLimit + .seconds(60))
        if !remoteSamples.isEmpty {
            // Each node probe has answered (a sample, or its refusal) before steady state begins:
            // a node that refuses its probe aborts the run before anything is injected.
            let within = (campaign.probes.filter { $0.node != nil }.map(\.timeout).max() ?? .zero) + Self.nodeProbeStartLimit
            emit(.phase("waiting for the first samples of the probes on fleet nodes (up to \(within.formatted))"))
            if !(await Self.count(remoteSamples.count, of: firstAnswers, within: within)) {
                abort("probes on fleet nodes gave no first sample within \(within.formatted); the run cannot judge what it does not see")
            }
        }
        let neighbours = campaign.settings.refreshNeighbours ? self.neighbours : nil
        let neighbourWatch = neighbours?.watch(Array(Set(plan.targets.values.flatMap { $0.map(\.id) })), since: startedAt)
        let evaluator = HypothesisEvaluator(campaign: campaign)

        // Steady state: observe, then decide whether to inject at all.
        emit(.phase("steady state (\(campaign.hypothesis.steadyState.window.formatted))"))
        try? await Task.sleep(for: campaign.hypothesis.steadyState.window)
        let steady = evaluator.steadyState(await store.snapshot())
        emit(.steadyState(steady))
        let steadyAt = ContinuousClock.now - runner.origin
        journal.append(.steadyState(held: steady.passed, detail: steady.detail, at: steadyAt))

        var windows: [FaultWindow] = []
        if steady.passed && aborted == nil {
            emit(.phase("faults (\(plan.faults.count) planned over \(plan.length.formatted))"))
            let injector = FaultInjector(environment: environment, ledger: ledger, revertTimeout: campaign.settings.revertTimeout)
            let executor = CampaignFaultExecutor(injector: injector, containers: environment.containers, origin: runner.origin, journal: journal,
                                                 proxies: proxies, fleet: fleet, onWindow: { [emit] in emit(.window($0)) },
                                                 onEngineOutage: { [weak self] reason in self?.abort(reason) },
                                                 onNodeLost: { [weak self] reason in self?.abort(reason) },
                                                 swarmManager: await rescheduleManager(plan))
            let nodeWatch = fleet.map { fleet in watchNodes(nodes, of: fleet) }
            let faultScheduler = CampaignScheduler(plan: plan, clock: PreciseClock()) { [logger] event in
                if case .injectFailed(let fault, _, let error) = event {
                    logger.warning("inject failed", metadata: ["fault": "\(fault.index)", "error": "\(error)"])
                }
            }
            scheduler.withLock { $0 = faultScheduler }
            if aborted != nil { await faultScheduler.abort() }
            await faultScheduler.run(with: executor)
            nodeWatch?.cancel()
            windows = executor.recorded
            if aborted == nil {
                emit(.phase("recovery (up to \(campaign.settings.recoveryLimit.formatted))"))
                await waitForRecovery(store: store, after: windows.compactMap(\.revertAt).max() ?? .zero,
                                      firstInject: windows.map(\.injectAt).min())
            }
            // An aborted run ends now: its open watches record how long they waited.
            await executor.finishWatches(grace: aborted == nil ? .seconds(15) : .zero)
            windows = executor.recorded
        }
        await runner.stop()
        remoteSamples.forEach { $0.cancel() }
        for task in remoteSamples { await task.value }
        await localSamples.value
        feed.finish()
        await consumer.value
        neighbourWatch?.cancel()
        for proxy in proxies.values { await proxy.stop() }
        let runEnd = ContinuousClock.now - runner.origin
        if let reason = aborted { journal.append(.abort(reason: reason, at: runEnd)) }

        let samples = await store.snapshot()
        let figures = WindowAnalysis.figures(windows: windows, samples: samples, probes: campaign.probes.map(\.name),
                                   runEnd: runEnd, consecutive: campaign.settings.consecutiveOK)
        var record = RunRecord()
        record.name = campaign.name
        record.file = file
        record.source = source
        record.startedAt = startedAt
        record.plan = plan
        record.steadyState = (steady.passed, steady.detail, steadyAt)
        record.windows = windows
        record.samples = samples
        record.nodeProbes = nodeProbes
        var checks = [steady] + evaluator.evaluate(windows: windows, figures: figures, samples: samples)
        // A run that injected everything is also judged against its baseline (one cut short has
        // nothing to compare figure by figure).
        if let baseline, steady.passed, aborted == nil, !windows.contains(where: { $0.error != nil }) {
            checks += baseline.checks(candidate: [ComparedRun(record: record, figures: figures)])
        }
        var verdict = Self.verdict(steady: steady, checks: checks, windows: windows, aborted: aborted)
        journal.append(.verdict(verdict))
        await journal.flush()
        // The verdict itself (or a record just before it) may be what could not be written.
        if let failure = journal.failure, aborted == nil {
            abort("\(failure): the run's record is incomplete")
            verdict = Self.verdict(steady: steady, checks: checks, windows: windows, aborted: aborted)
        }
        record.abortReason = aborted
        record.verdict = verdict
        return RunResult(directory: directory, record: record, figures: figures, neighbourRefreshes: neighbours?.refreshed ?? 0)
    }

    /// The clock offset of each node that runs a probe, with the probes it runs; nothing was
    /// injected when one cannot be measured.
    func measureClocks(of nodes: [String]) async throws -> [NodeProbe] {
        guard let fleet, !nodes.isEmpty else { return [] }
        var result: [NodeProbe] = []
        for node in nodes {
            let clock: ClockOffset
            do { clock = try await fleet.clockOffset(of: node) } catch {
                throw CampaignRunError.fleet("nothing was injected: measuring the clock of node '\(node)' for its probes: \(error)")
            }
            for probe in campaign.probes where probe.node == node {
                result.append(NodeProbe(probe: probe.name, node: node, clock: clock))
            }
        }
        return result
    }

    /// Starts each node probe on its agent; its samples go into `feed` on the run's timeline (the
    /// node's times moved by its clock offset). A stream that breaks or ends early aborts the run
    /// naming the probe and the node. `bound` is how long an agent runs it should this run vanish.
    func streamNodeProbes(_ nodeProbes: [NodeProbe], onto runner: ProbeRunner, into feed: AsyncStream<ProbeSample>.Continuation,
                          firstAnswer: AsyncStream<Void>.Continuation, bound: Duration) -> [Task<Void, Never>] {
        guard let fleet else { return [] }
        return nodeProbes.compactMap { nodeProbe in
            guard let definition = campaign.probes.first(where: { $0.name == nodeProbe.probe }) else { return nil }
            return Task { [weak self] in
                let stop: String
                var answered = false
                // Told after the abort, so that whoever waits for first answers sees the abort too.
                defer { if !answered { firstAnswer.yield(()) } }
                do {
                    for try await sample in fleet.probe(definition, on: nodeProbe.node, for: min(bound, .seconds(24 * 3600))) {
                        if !answered {
                            answered = true
                            firstAnswer.yield(())
                        }
                        let startedAt = nodeProbe.clock.local(sample.startedAt)
                        feed.yield(ProbeSample(probe: definition.name, sequence: sample.sequence, startedAt: startedAt,
                                               offset: .seconds(startedAt.timeIntervalSince(runner.originDate)), latency: sample.latency,
                                               outcome: sample.outcome, reason: sample.reason, attempts: sample.attempts))
                    }
                    stop = "ended before the run did"
                } catch {
                    stop = "stopped: \(error)"
                }
                if Task.isCancelled { return }
                self?.abort("probe '\(definition.name)' on node '\(nodeProbe.node)' \(stop); the run cannot judge what it no longer sees")
            }
        }
    }

    /// How long a node probe may take to give its first sample beyond its own time-out (the
    /// request, the agent's start, the first check).
    static let nodeProbeStartLimit: Duration = .seconds(5)

    /// Whether `count` elements arrive on `stream` within `limit`.
    static func count(_ count: Int, of stream: AsyncStream<Void>, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var seen = 0
                for await _ in stream {
                    seen += 1
                    if seen >= count { return true }
                }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Asks every node's agent at once; one error naming each node that did not answer.
    static func reachAll(_ nodes: [String], of fleet: any NodeFaults) async throws(UnreachableNodes) {
        let failures = await withTaskGroup(of: (node: String, reason: String)?.self) { group in
            for node in nodes {
                group.addTask {
                    do { try await fleet.reach(node); return nil } catch { return (node, "\(error)") }
                }
            }
            var failed: [(node: String, reason: String)] = []
            for await failure in group { if let failure { failed.append(failure) } }
            return failed.sorted { $0.reason < $1.reason }
        }
        guard failures.isEmpty else { throw UnreachableNodes(failures: failures) }
    }

    /// Nodes whose agents did not answer, with what each call said (`node 'edge-2': GET /v1/health: …`).
    struct UnreachableNodes: Error, CustomStringConvertible {
        let failures: [(node: String, reason: String)]
        var description: String { failures.map(\.reason).joined(separator: "; ") }
        /// `node 'edge-2'`, `node 'a', node 'b'`.
        var named: String { failures.map { "node '\($0.node)'" }.joined(separator: ", ") }
    }

    /// How often the agents of the plan's nodes are asked whether they still answer while faults are held.
    static let nodeWatchInterval: Duration = .seconds(1)

    /// While faults are held, asks each node's agent every `nodeWatchInterval`; one that stops
    /// answering aborts the run, naming the node (its faults are reverted by its warden or at
    /// their deadline; the coordinator's own end requests follow).
    func watchNodes(_ nodes: [String], of fleet: any NodeFaults) -> Task<Void, Never> {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.nodeWatchInterval)
                if Task.isCancelled { return }
                // Every node at once: a slow node does not delay noticing another one's loss.
                do throws(UnreachableNodes) { try await Self.reachAll(nodes, of: fleet) } catch let lost {
                    if Task.isCancelled { return }
                    let reason: String = "\(lost.named) stopped answering while faults were held (\(lost)); "
                        + "its agent's faults are reverted by its warden or at their deadline"
                    self?.abort(reason)
                    return
                }
            }
        }
    }

    /// Starts the campaign's proxies (stopping those already started when one cannot listen).
    func startProxies() async throws -> [String: ProxyServer] {
        var started: [String: ProxyServer] = [:]
        for definition in campaign.proxies {
            do {
                started[definition.name] = try await ProxyServer.start(
                    listenHost: definition.listenHost, listenPort: definition.listenPort,
                    upstreamHost: definition.upstreamHost, upstreamPort: definition.upstreamPort, logger: logger)
            } catch {
                for proxy in started.values { await proxy.stop() }
                throw CampaignRunError.proxy("'\(definition.name)' cannot listen on \(definition.listenHost):\(definition.listenPort): \(error)")
            }
        }
        return started
    }

    /// How long probing goes on once the probes have recovered, for the figures after the last window.
    public static let afterRecoveryTail: Duration = .milliseconds(300)

    /// Keeps probing after the last window until every probe that must recover has (up to
    /// `recovery_limit`): those with a `recover_within` check, and every probe that was healthy
    /// before the first inject, so that each gets its time to recover instead of a run that ended
    /// first. A probe already failing before the faults is not waited for.
    func waitForRecovery(store: SampleStore, after lastRevert: Duration, firstInject: Duration?) async {
        var names = Set(campaign.hypothesis.checks.compactMap { check -> String? in
            if case .recoverWithin = check.rule { return check.probe } else { return nil }
        })
        if let firstInject { names.formUnion(await store.healthy(before: firstInject, consecutive: campaign.settings.consecutiveOK)) }
        let end = ContinuousClock.now + campaign.settings.recoveryLimit
        let consecutive = campaign.settings.consecutiveOK
        while ContinuousClock.now < end && aborted == nil {
            if await store.allRecovered(Array(names), after: lastRevert, consecutive: consecutive) {
                try? await Task.sleep(for: Self.afterRecoveryTail)
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    static func verdict(steady: CheckResult, checks: [CheckResult], windows: [FaultWindow], aborted: String?) -> CampaignVerdict {
        if let aborted {
            return CampaignVerdict(status: .aborted, reason: "aborted: \(aborted); everything injected was reverted", checks: checks)
        }
        if !steady.passed {
            return CampaignVerdict(status: .violated, reason: "steady state not met, nothing was injected: \(steady.detail)", checks: checks)
        }
        let failedInjects = windows.filter { $0.error != nil }
        if let failed = failedInjects.first {
            return CampaignVerdict(status: .aborted, reason: "fault \(failed.title) failed: \(failed.error ?? "")", checks: checks)
        }
        let failures = checks.filter { !$0.passed }
        if failures.isEmpty {
            return CampaignVerdict(status: .held, reason: "hypothesis held: \(checks.count) checks passed", checks: checks)
        }
        let first = failures[0]
        return CampaignVerdict(status: .violated,
                               reason: "hypothesis violated: \(failures.count) of \(checks.count) checks failed; first: \(first.name)\(first.window.map { " (\($0))" } ?? ""): \(first.detail)",
                               checks: checks)
    }
}

/// Watches samples for stop conditions: a probe failing continuously for at least its limit.
final class StopWatch: Sendable {
    private let conditions: [StopCondition]
    private let failingSince = Mutex<[String: Duration]>([:])

    init(conditions: [StopCondition]) { self.conditions = conditions }

    /// The abort reason when a condition is met by this sample.
    func observe(_ sample: ProbeSample) -> String? {
        let relevant = conditions.filter { $0.probe == sample.probe }
        guard !relevant.isEmpty else { return nil }
        return failingSince.withLock { since -> String? in
            if sample.outcome.isOK {
                since[sample.probe] = nil
                return nil
            }
            let start = since[sample.probe] ?? sample.offset
            since[sample.probe] = start
            let failing = sample.offset + sample.latency - start
            for condition in relevant where failing >= condition.failingFor {
                return "stop condition: probe \(condition.probe) failing for \(failing.formatted) (limit \(condition.failingFor.formatted)); last: \(sample.outcome.rawValue), \(sample.reason)"
            }
            return nil
        }
    }
}
