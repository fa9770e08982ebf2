import ArgumentParser
import Campaign
import DockerEngine
import FaultlineCLI
import Faults
import FaultlineSupport
import Foundation
import Logging
import Synchronization

/// Whether faultline's recovery figure matches what a client through the Swarm stack's balancer
/// sees (scripts/stack.sh up --swarm). Round after round a campaign through the fleet's agents
/// pauses the database's task (node2) for 1 s, pauses the balancer's task (node1) for 1 s, and
/// SIGKILLs the balancer's task (Swarm replaces it), while faultline's HTTP probe and an
/// independent dense prober (raw HTTP, its own thread) both ask `/health` through the balancer and
/// every node's engine events are recorded. Each window's recovered instant is compared with the
/// dense prober's and the engine's; each kill's reschedule, as faultline measured it, with the
/// replacement container's start event. Every round is a campaign of its own: the replacement
/// of a killed balancer is a new container, which the next round's plan resolves afresh.
struct SwarmRecoveryBenchmark: Benchmark {
    static let name = "swarm-recovery"
    let agents: FleetAgents
    /// Node name → that node's engine (the witnesses' events).
    let engines: [String: DockerEngineClient]
    /// This machine's engine (the runner's local seam; every fault here goes through an agent).
    let local: DockerEngineClient
    let logger: Logger
    let rounds: Int
    /// The balancer's port on 127.0.0.1 and the stack's name.
    let port: Int
    let stack: String
    let workDirectory: String

    static let probeEvery = Duration.milliseconds(50)
    /// The same time-out for both: each is sequential, so a request that hangs across the recovery
    /// (seen at the replacement balancer's start) keeps either from seeing it for up to its time-out.
    static let probeTimeout = Duration.milliseconds(250)
    static let denseEvery = Duration.milliseconds(20)
    static let denseTimeout = Duration.milliseconds(250)
    static let pauseWindow = Duration.seconds(1)
    static let spacing = Duration.seconds(3)
    /// The targets: selector name → the stack's service.
    static let targets = [("database", "postgres"), ("balancer", "balancer")]

    /// One window compared with its witnesses; instants in seconds since the epoch.
    struct Comparison: Sendable {
        let target: String
        let fault: FaultKind
        let node: String?
        /// The engine's outage: pause → unpause, or the kill → the replacement's start.
        let engineStart: Double?
        let engineEnd: Double?
        let faultlineDetected: Double?
        let faultlineRecovered: Double?
        let denseDetected: Double?
        let denseRecovered: Double?
        /// A kill: when faultline saw the replacement task running, and the node it runs on.
        let rescheduleSeen: Double?
        let rescheduledOn: String?
    }

    typealias Result = [Comparison]

    /// An engine event as a witness saw it.
    struct Witnessed: Sendable {
        let node: String
        let id: String
        let action: String
        let service: String?
        let at: Double
    }

    /// What the engines' event streams delivered, shared by their watchers.
    final class WitnessLog: Sendable {
        let events = Mutex<[Witnessed]>([])
    }

    func run() async throws -> Result {
        var comparisons: [Comparison] = []
        for round in 1...rounds {
            try await awaitHealthy(round: round)
            comparisons += try await pass(round: round)
        }
        return comparisons
    }

    // MARK: - One round: a campaign with its witnesses

    private func pass(round: Int) async throws -> [Comparison] {
        let text = campaignText()
        let file = "bench-swarm-recovery.yaml"
        let campaign = try CampaignParser.parse(text, file: file, variables: VariableExpansion(variables: [:]))
        let ledger = try FaultLedger(stateDirectory: workDirectory + "/state")
        let runner = CampaignRunner(campaign: campaign, source: text, file: file, engine: local, ledger: ledger, fleet: agents,
                                    logger: logger, emit: { _ in })
        let plan = try await runner.plan()

        let since = String(format: "%.6f", Date().timeIntervalSince1970)
        let seen = WitnessLog()
        var watchers: [Task<Void, Never>] = []
        for (node, engine) in engines {
            let stream = try engine.events(filters: ["type": ["container"], "event": ["pause", "unpause", "kill", "start"],
                                                     "label": ["com.docker.stack.namespace=\(stack)"]], since: since)
            watchers.append(Task {
                do {
                    for try await event in stream {
                        let at = Double(event.timeNano ?? (event.time ?? 0) * 1_000_000_000) / 1e9
                        let witnessed = Witnessed(node: node, id: event.actor.id, action: event.action,
                                                  service: event.actor.attributes?["com.docker.swarm.service.name"], at: at)
                        seen.events.withLock { $0.append(witnessed) }
                    }
                } catch {}
            })
        }
        let prober = DenseProber(port: port, protocol: .http(path: "/health"), every: Self.denseEvery, timeout: Self.denseTimeout)
        prober.start()
        let outcome: RunResult
        do {
            outcome = try await runner.run(plan, directory: workDirectory + "/run-\(round)")
        } catch {
            watchers.forEach { $0.cancel() }
            _ = await prober.stop()
            throw error
        }
        try? await Task.sleep(for: .milliseconds(300))
        watchers.forEach { $0.cancel() }
        let checks = await prober.stop()
        let events = seen.events.withLock { $0 }
        guard outcome.verdict.status != .aborted else {
            throw BenchmarkError(message: "round \(round)'s campaign was aborted: \(outcome.verdict.reason); see \(outcome.directory)")
        }
        guard let anchor = outcome.record.samples.values.first(where: { !$0.isEmpty })?.first else {
            throw BenchmarkError(message: "round \(round)'s campaign recorded no samples")
        }
        // Monotonic offsets → wall clock: every sample carries both.
        let origin = anchor.startedAt.timeIntervalSince1970 - anchor.offset.seconds
        return outcome.windows.filter(\.injectedSuccessfully).compactMap { window in
            guard let target = plan.faults.first(where: { $0.index == window.index })?.container else { return nil }
            let figures = outcome.figures.first { $0.window == window.index }
            return Self.compare(window, target: target, origin: origin, events: events, checks: checks,
                                timeToDetect: figures?.timeToDetect, timeToRecover: figures?.timeToRecover)
        }
    }

    /// One window against the engine events and the dense prober's checks.
    static func compare(_ window: FaultWindow, target: PlannedTarget, origin: Double, events: [Witnessed], checks: [DenseProber.Check],
                        timeToDetect: Duration?, timeToRecover: Duration?) -> Comparison {
        let inject = origin + window.injectAt.seconds
        let revert = origin + (window.revertAt ?? window.injectAt).seconds
        let mine = events.filter { $0.id == target.id && $0.at >= inject - 0.05 }
        var engineStart: Double?, engineEnd: Double?
        if window.kind == .kill {
            engineStart = mine.first { $0.action == "kill" }?.at
            let service = mine.first?.service
            // The replacement: another container of the same service that started after the kill.
            engineEnd = engineStart.flatMap { start in
                events.first { $0.action == "start" && $0.id != target.id && $0.service != nil && $0.service == service && $0.at >= start }?.at
            }
        } else {
            engineStart = mine.first { $0.action == "pause" }?.at
            engineEnd = engineStart.flatMap { start in mine.first { $0.action == "unpause" && $0.at >= start }?.at }
        }
        let dense = RecoveryAccuracyBenchmark.outage(in: checks, from: (engineStart ?? inject) - 0.01)
        return Comparison(
            target: window.selector, fault: window.kind, node: window.node, engineStart: engineStart, engineEnd: engineEnd,
            faultlineDetected: timeToDetect.map { inject + $0.seconds },
            faultlineRecovered: timeToRecover.map { revert + $0.seconds },
            denseDetected: dense.detected, denseRecovered: dense.recovered,
            rescheduleSeen: window.reschedule?.seenAfter.map { inject + $0.seconds }, rescheduledOn: window.reschedule?.node)
    }

    // MARK: - The campaign and the stack

    func campaignText() -> String { Self.campaignText(stack: stack, port: port) }

    static func campaignText(stack: String, port: Int) -> String {
        var lines = [
            "name: bench-swarm-recovery",
            "seed: 1",
            "settings: { blast_radius: 2, recovery_limit: 30s }",
            "targets:",
        ]
        for (name, service) in targets {
            lines.append("  \(name): { swarm: { stack: \(stack), service: \(service), all_replicas: true } }")
        }
        lines += [
            "probes:",
            "  - name: through-balancer",
            "    http: { url: \"http://127.0.0.1:\(port)/health\", expect_status: 200 }",
            "    every: \(DurationText.format(probeEvery))",
            "    timeout: \(DurationText.format(probeTimeout))",
            "hypothesis:",
            "  steady_state: { window: 1s }",
            "timeline:",
            "  - at: 0s",
            "    fault: { pause: { target: database } }",
            "    for: \(DurationText.format(pauseWindow))",
            "  - at: \(DurationText.format(spacing))",
            "    fault: { pause: { target: balancer } }",
            "    for: \(DurationText.format(pauseWindow))",
            "  - at: \(DurationText.format(spacing * 2))",
            "    fault: { kill: { target: balancer } }",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Waits until 10 checks in a row through the balancer succeed (after a kill, the replacement
    /// balancer has found the backends again).
    private func awaitHealthy(round: Int) async throws {
        let prober = DenseProber(port: port, protocol: .http(path: "/health"), every: .milliseconds(100), timeout: .seconds(1))
        prober.start()
        let deadline = ContinuousClock.now + .seconds(60)
        var healthy = false
        while !healthy && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(200))
            healthy = await prober.lastChecksOK(10)
        }
        _ = await prober.stop()
        guard healthy else {
            throw BenchmarkError(message: "before round \(round): http://127.0.0.1:\(port)/health did not answer 200 ten times in a row within 60 s (is the Swarm stack up? scripts/stack.sh up --swarm)")
        }
    }
}

extension SwarmRecoveryBenchmark {
    /// The figures as Markdown: differences in milliseconds between faultline's instants and its witnesses'.
    func report(_ result: Result) -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "-" }
        func spread(_ rows: [Comparison], _ a: KeyPath<Comparison, Double?>, _ b: KeyPath<Comparison, Double?>) -> String {
            let p = Percentiles(rows.compactMap { row in row[keyPath: a].flatMap { x in row[keyPath: b].map { (x - $0) * 1000 } } })
            return p.sorted.isEmpty ? "-" : [50.0, 90, 100].map { $0 == 100 ? ms(p.sorted.last) : ms(p.value($0)) }.joined(separator: " / ")
        }
        var lines = [
            "### Recovery through the Swarm stack's balancer (\(rounds) rounds: the database's task paused \(DurationText.format(Self.pauseWindow)), "
                + "the balancer's task paused \(DurationText.format(Self.pauseWindow)), the balancer's task SIGKILLed; faultline's probe every "
                + "\(DurationText.format(Self.probeEvery)) (time-out \(DurationText.format(Self.probeTimeout))), a dense prober every "
                + "\(DurationText.format(Self.denseEvery)), both GET /health on 127.0.0.1:\(port))",
            "",
            "Recovered: faultline's instant (end of window + time to recover) minus the witness's, in ms (p50 / p90 / max); "
                + "detected: faultline's (inject + time to detect) minus the dense prober's.",
            "",
            "| target | fault | windows | recovered: faultline − engine event | dense prober − engine event | faultline − dense prober | detected: faultline − dense prober |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        var groups: [(String, FaultKind)] = []
        for row in result where !groups.contains(where: { $0 == (row.target, row.fault) }) { groups.append((row.target, row.fault)) }
        for (target, fault) in groups {
            let rows = result.filter { $0.target == target && $0.fault == fault }
            lines.append("| \(target) | \(fault.rawValue) | \(rows.count) | \(spread(rows, \.faultlineRecovered, \.engineEnd)) | "
                         + "\(spread(rows, \.denseRecovered, \.engineEnd)) | \(spread(rows, \.faultlineRecovered, \.denseRecovered)) | "
                         + "\(spread(rows, \.faultlineDetected, \.denseDetected)) |")
        }
        let kills = result.filter { $0.fault == .kill }
        let nodes = Set(kills.compactMap(\.rescheduledOn)).sorted().joined(separator: ", ")
        lines += [
            "",
            "Time to reschedule (\(kills.count) kills, replacements on \(nodes.isEmpty ? "-" : nodes)): the engine's kill event → the replacement "
                + "container's start event \(spread(kills, \.engineEnd, \.engineStart)) ms; faultline's figure (the manager polled every 200ms) "
                + "minus the start event \(spread(kills, \.rescheduleSeen, \.engineEnd)) ms (p50 / p90 / max).",
            "",
            "Engine events: pause → unpause on the task's node; a kill → the start of the replacement task's container (Swarm waits its "
                + "restart delay, 5 s by default, first). After that the client through the balancer still waits for the new haproxy to "
                + "resolve the backends by DNS and check them: both probers include that, the engine does not. Both probers send one "
                + "request at a time with the same time-out: a request that hangs across the recovery (a connection made while the "
                + "replacement's port forwarding was being set up) keeps either from seeing it for up to \(DurationText.format(Self.probeTimeout)).",
        ]
        let missing = result.filter { $0.engineEnd == nil || $0.faultlineRecovered == nil || $0.denseRecovered == nil }.count
        if missing > 0 { lines.append("\(missing) windows lacked a figure or a witness (counted in the windows column, left out of the figures).") }
        return lines.joined(separator: "\n")
    }

    /// `--gate`: every window has its figures and witnesses, faultline's recovered instant is
    /// within 250 ms of the dense prober's (p90 of |difference|), and every kill's reschedule was
    /// seen within a second of the replacement's start event.
    func gate(_ result: Result) -> BenchmarkGate { Self.gate(result) }

    static func gate(_ result: Result) -> BenchmarkGate {
        var gate = BenchmarkGate()
        let differences = result.compactMap { row in row.faultlineRecovered.flatMap { ours in row.denseRecovered.map { abs(ours - $0) * 1000 } } }
        gate.require(!result.isEmpty && differences.count == result.count, "every window has faultline's and the dense prober's recovery",
                     figures: "\(differences.count) of \(result.count)")
        let witnessed = result.filter { $0.engineStart != nil && $0.engineEnd != nil }.count
        gate.require(witnessed == result.count, "every window has the engine's events (start and end of the outage)", figures: "\(witnessed) of \(result.count)")
        let p90 = Percentiles(differences).value(90) ?? .infinity
        gate.require(p90 <= 250, "faultline's recovery within 250 ms of the dense prober's through the balancer (p90)", figures: String(format: "%.0f ms", p90))
        let kills = result.filter { $0.fault == .kill }
        let lags = kills.compactMap { row in row.rescheduleSeen.flatMap { seen in row.engineEnd.map { abs(seen - $0) * 1000 } } }
        gate.require(!kills.isEmpty && lags.count == kills.count && lags.allSatisfy { $0 <= 1000 },
                     "every kill's reschedule seen by faultline within 1 s of the replacement's start event",
                     figures: lags.isEmpty ? "none" : lags.map { String(format: "%.0f ms", $0) }.joined(separator: ", "))
        return gate
    }
}

/// `faultline-bench swarm-recovery`: faultline's recovery figures through the Swarm stack's balancer
/// against the engines' events and a dense prober.
struct SwarmRecoveryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm-recovery",
        abstract: "Recovery through the Swarm stack's balancer: pause the database and the balancer, kill the balancer; faultline's figures vs engine events and a dense prober.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var fleet: FleetOption
    @Option(name: .long, help: "Rounds (each a campaign of three windows).") var rounds = 5
    @Option(name: .long, help: "The balancer's port on 127.0.0.1.") var port = 28000
    @Option(name: .long, help: "The Swarm stack's name.") var stack = "faultline"
    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...50).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 50") }
        let context = try await CommandContext.make(global)
        let bed = try await BenchFleet.connect(fleet, global: global, logger: context.logger,
                                               hint: "scripts/stack.sh up --swarm brings up the test bed and writes /tmp/faultline-fleet/fleet.yaml")
        let work = try BenchWorkDirectory.make("swarm-recovery")
        defer { BenchWorkDirectory.remove(work) }
        try await SwarmRecoveryBenchmark(agents: bed.agents, engines: bed.engines, local: context.engine, logger: context.logger, rounds: rounds,
                                         port: port, stack: stack, workDirectory: work).measure(gate: gate.gate)
    }
}
