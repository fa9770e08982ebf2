import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging

/// Every run the daemon knows: accepts submissions (validated and planned first, refused with a
/// clear reason when they conflict with a running one unless they ask to queue), runs them
/// concurrently, starts queued ones when their conflict ends, aborts, and keeps their records.
public actor RunRegistry {
    let engine: DockerEngineClient
    let ledger: FaultLedger
    let paths: DaemonPaths
    let store: RunStore
    let metrics: DaemonMetrics
    let logger: Logger
    let environment: [String: String]
    /// The fleet whose nodes' containers submitted campaigns act on (nil: this daemon's engine).
    let fleet: (any NodeFaults)?
    private var runs: [String: ManagedRun] = [:]
    private var finished: [String: RunSummary] = [:]
    private var order: [String] = []
    private var shuttingDown = false

    /// Finished runs kept in memory (and listed); older records stay on disk only.
    static let keptFinished = 500

    public init(engine: DockerEngineClient, ledger: FaultLedger, paths: DaemonPaths, metrics: DaemonMetrics, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment, fleet: (any NodeFaults)? = nil) throws {
        self.fleet = fleet
        self.engine = engine
        self.ledger = ledger
        self.paths = paths
        self.store = try RunStore(directory: paths.runRecords, logger: logger)
        self.metrics = metrics
        self.logger = logger
        self.environment = environment
    }

    /// Loads the records of earlier daemons; runs that were queued or running when their daemon
    /// died are marked interrupted, with the reason (start-up recovery has reverted their faults).
    public func loadRecords(recovered: Int) async -> [RunSummary] {
        var interrupted: [RunSummary] = []
        for var record in store.loadAll() {
            if !record.status.isFinished {
                let was = record.status.rawValue
                record.status = .interrupted
                record.reason = "the daemon (pid \(record.daemonPID)) stopped while this run was \(was); what it injected was reverted "
                    + "by the warden or by start-up recovery (which reverted \(recovered) open fault(s))"
                record.endedAt = record.endedAt ?? Date()
                store.save(record)
                metrics.runEnded(.interrupted)
                interrupted.append(record)
                if let directory = record.directory { await Self.noteInterruption(in: directory, reason: record.reason ?? "") }
            }
            remember(record)
        }
        return interrupted
    }

    /// Adds an abort record to an interrupted run's journal, so its reports tell what happened.
    static func noteInterruption(in directory: String, reason: String) async {
        guard FileManager.default.fileExists(atPath: directory + "/journal.jsonl"),
              let journal = try? Journal(path: directory + "/journal.jsonl", existing: true) else { return }
        journal.append(.abort(reason: "interrupted: " + reason, at: .zero))
        await journal.flush()
        // Reports from what the journal holds, so the interrupted run reads like any other.
        _ = try? ReportWriter.rewrite(directory: directory)
    }

    private func remember(_ record: RunSummary) {
        if !order.contains(record.id) { order.append(record.id) }
        finished[record.id] = record
        while finished.count > Self.keptFinished, let oldest = order.first(where: { finished[$0] != nil }) {
            finished[oldest] = nil
            order.removeAll { $0 == oldest }
        }
    }

    // MARK: - Submitting

    /// Validates, plans and starts (or queues) a campaign; throws an `APIError` and starts nothing
    /// when the campaign is invalid, cannot be planned, or conflicts with a running one.
    public func submit(_ request: SubmitRequest, schedule: String? = nil) async throws(APIError) -> RunSummary {
        guard !shuttingDown else { throw APIError(status: 503, message: "the daemon is shutting down") }
        let file = request.file ?? "submitted.yaml"
        let campaign = try SubmittedCampaign.parse(request.campaign, file: file, variables: request.variables, environment: environment)
        let plan: CampaignPlan
        do { plan = try await self.plan(campaign, source: request.campaign, file: file) } catch { throw APIError.planning(error) }

        let id = Self.newID()
        let conflicts = self.conflicts(of: plan, campaign: campaign)
        if let conflict = conflicts.first, request.queue != true {
            throw APIError.conflict("\(conflict); submit with queue to wait for it")
        }
        var summary = RunSummary(id: id, campaign: campaign.name, file: file, status: conflicts.isEmpty ? .running : .queued,
                                 submittedAt: Date(), containers: plan.containers.map(\.name).sorted(), faults: plan.faults.count,
                                 schedule: schedule)
        if !conflicts.isEmpty { summary.reason = "queued: " + conflicts.joined(separator: "; ") }
        let run = ManagedRun(summary: summary, campaign: campaign, source: request.campaign, file: file, plan: plan)
        runs[id] = run
        order.append(id)
        store.save(summary)
        logger.info("run accepted", metadata: ["run": "\(id)", "campaign": "\(campaign.name)", "status": "\(summary.status.rawValue)"])
        if conflicts.isEmpty { start(run, plan: plan) }
        return run.summary
    }

    /// Resolves the campaign's targets against the running containers (of every fleet node, with
    /// a fleet) and expands its plan.
    private func plan(_ campaign: CampaignDefinition, source: String, file: String) async throws -> CampaignPlan {
        if let fleet { return try await CampaignRunner.plan(campaign, fleet: fleet) }
        return try await CampaignRunner.plan(campaign, containers: engine, swarm: engine)
    }

    static func newID() -> String {
        let stamp = RunDirectoryName.timestamp(Date())
        return "\(stamp)-\(UUID().uuidString.prefix(6).lowercased())"
    }

    /// Why `plan` may not run now: a running or queued run acts on one of its containers or
    /// listens on one of its proxy ports. For a queued run (`id`), only runs queued before it
    /// count besides running ones (first come, first served). The daemon treats a whole run as
    /// one window: two runs never act on one container at the same time.
    func conflicts(of plan: CampaignPlan, campaign: CampaignDefinition, excluding id: String? = nil) -> [String] {
        let containers = Set(plan.containers.map(\.name))
        let ports = Set(campaign.proxies.map(\.listenPort))
        let position = id.flatMap { order.firstIndex(of: $0) }
        var reasons: [String] = []
        for (index, otherID) in order.enumerated() where otherID != id {
            guard let other = runs[otherID], !other.summary.status.isFinished else { continue }
            if let position, index > position, other.summary.status == .queued { continue }
            let shared = containers.intersection(other.plan.map { Set($0.containers.map(\.name)) } ?? Set(other.summary.containers))
            let sharedPorts = ports.intersection(other.campaign.proxies.map(\.listenPort))
            if !shared.isEmpty {
                reasons.append("run \(otherID) (\(other.campaign.name), \(other.summary.status.rawValue)) acts on \(shared.sorted().joined(separator: ", "))")
            } else if !sharedPorts.isEmpty {
                reasons.append("run \(otherID) (\(other.campaign.name)) runs a proxy on port \(sharedPorts.sorted().map(String.init).joined(separator: ", "))")
            }
        }
        return reasons
    }

    // MARK: - Running

    private func start(_ run: ManagedRun, plan: CampaignPlan) {
        let directory = paths.runsDirectory + "/" + run.id + "-" + RunDirectoryName.slug(run.campaign.name)
        let summary = run.update { summary in
            summary.status = .running
            summary.reason = nil
            summary.startedAt = Date()
            summary.directory = directory
        }
        store.save(summary)
        metrics.runStarted()
        let metrics = self.metrics
        let runner = CampaignRunner(campaign: run.campaign, source: run.source, file: run.file, engine: engine, ledger: ledger,
                                    fleet: fleet, logger: logger) { event in
            let (injected, reverted) = run.observe(event)
            if case .sample(let sample) = event { metrics.sample(probe: sample.probe, ok: sample.outcome.isOK) }
            if let injected { metrics.faultInjected(kind: injected.kind.rawValue, node: injected.node) }
            if let reverted { metrics.faultReverted(kind: reverted.kind.rawValue, succeeded: reverted.error == nil, node: reverted.node) }
            for line in run.narrator.narrate(event) { run.log.append(line) }
        }
        run.attach(runner: runner, plan: plan)
        let task = Task { [weak self] in
            let outcome: (RunStatus, String, [CheckResult], [String])
            do {
                let result = try await runner.run(plan, directory: directory)
                let reports = (try? ReportWriter.write(result.record, figures: result.figures, to: directory)) ?? []
                if result.verdict.status != .aborted {
                    metrics.latest(campaign: run.campaign.name, figures: result.figures, held: result.verdict.status == .held)
                }
                outcome = (RunStatus(result.verdict.status), result.verdict.reason, result.verdict.checks,
                           reports.map { ($0 as NSString).lastPathComponent })
            } catch {
                outcome = (.failed, "\(error)", [], [])
            }
            await self?.finish(run, status: outcome.0, reason: outcome.1, checks: outcome.2, reports: outcome.3)
        }
        run.attach(task: task)
    }

    private func finish(_ run: ManagedRun, status: RunStatus, reason: String, checks: [CheckResult], reports: [String]) {
        run.finish(checks: checks, reports: reports)
        let started = run.summary.startedAt != nil
        let summary = run.update { summary in
            summary.status = status
            summary.reason = reason
            summary.endedAt = Date()
        }
        store.save(summary)
        if started { metrics.runFinished(status) } else { metrics.runEnded(status) }
        var line = RunEventLine(event: status.rawValue, text: reason)
        line.reason = reason
        run.log.append(line)
        run.log.finish()
        logger.info("run ended", metadata: ["run": "\(run.id)", "status": "\(status.rawValue)", "reason": "\(reason)"])
        runs[run.id] = nil
        remember(summary)
        details[run.id] = run
        detailOrder.append(run.id)
        if detailOrder.count > Self.keptDetails { details[detailOrder.removeFirst()] = nil }
        startQueued()
    }

    /// The newest finished runs, whose event logs and live figures are still at hand.
    private var details: [String: ManagedRun] = [:]
    private var detailOrder: [String] = []
    static let keptDetails = 50

    /// Starts every queued run, oldest first, whose conflicts have ended (planned again: the
    /// containers may have changed while it waited).
    private func startQueued() {
        guard !shuttingDown else { return }
        for id in order {
            guard let run = runs[id], run.summary.status == .queued, run.runner == nil, let plan = run.plan else { continue }
            guard conflicts(of: plan, campaign: run.campaign, excluding: id).isEmpty else { continue }
            // Running from now on, so that later queued runs wait for it and no pass starts it twice.
            _ = run.update { $0.status = .running }
            Task { await self.replanAndStart(run) }
        }
    }

    private func replanAndStart(_ run: ManagedRun) async {
        let plan: CampaignPlan
        do {
            plan = try await self.plan(run.campaign, source: run.source, file: run.file)
        } catch {
            guard runs[run.id] != nil else { return }
            finish(run, status: .failed, reason: "could not plan when its turn came: \(APIError.planning(error).message)", checks: [], reports: [])
            return
        }
        // Aborted while it was being planned: it has ended already.
        guard runs[run.id] != nil, !shuttingDown else { return }
        start(run, plan: plan)
    }

    // MARK: - Reading and aborting

    public func list() -> [RunSummary] {
        order.compactMap { runs[$0]?.summary ?? finished[$0] }
    }

    public func detail(_ id: String) throws(APIError) -> RunDetail {
        if let run = runs[id] ?? details[id] { return run.detail }
        if let record = finished[id] { return RunDetail(run: record, phase: "ended", probes: [:], windows: [], checks: [], reports: Self.reports(in: record.directory)) }
        throw unknownRun(id)
    }

    func managed(_ id: String) -> ManagedRun? { runs[id] ?? details[id] }

    public func summary(_ id: String) throws(APIError) -> RunSummary {
        if let run = runs[id] { return run.summary }
        if let record = finished[id] { return record }
        throw unknownRun(id)
    }

    func unknownRun(_ id: String) -> APIError {
        let known = order.suffix(5).joined(separator: ", ")
        return .notFound("no run '\(id)'" + (known.isEmpty ? " (the daemon knows no runs yet)" : " (latest: \(known); `faultline runs` lists them)"))
    }

    static func reports(in directory: String?) -> [String] {
        guard let directory else { return [] }
        return ["report.json", "junit.xml", "summary.md", "report.html"].filter { FileManager.default.fileExists(atPath: directory + "/" + $0) }
    }

    /// Aborts a run: a queued one ends at once; a running one reverts everything and ends `aborted`.
    public func abort(_ id: String, reason: String = "aborted through the API") throws(APIError) -> RunSummary {
        guard let run = runs[id] else {
            if let record = finished[id] { throw APIError.conflict("run \(id) already ended (\(record.status.rawValue))") }
            throw unknownRun(id)
        }
        if run.runner == nil {
            // Queued (or about to start): it ends here, before anything is injected.
            finish(run, status: .aborted, reason: reason + " while queued; nothing was injected", checks: [], reports: [])
            return run.summary
        }
        run.runner?.abort(reason)
        return run.summary
    }

    /// Whether a schedule's previous run is still queued or running.
    func hasActiveRun(ofSchedule schedule: String) -> Bool {
        runs.values.contains { $0.summary.schedule == schedule && !$0.summary.status.isFinished }
    }

    public var activeCount: Int { runs.count }

    /// Aborts every run and waits until each has reverted everything and ended.
    public func shutdown(reason: String) async {
        shuttingDown = true
        let active = Array(runs.values)
        for run in active where run.runner == nil {
            finish(run, status: .aborted, reason: reason + " while queued; nothing was injected", checks: [], reports: [])
        }
        for run in active {
            run.runner?.abort(reason)
        }
        for run in active { await run.task?.value }
    }
}
