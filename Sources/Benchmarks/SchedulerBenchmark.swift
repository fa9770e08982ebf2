import ArgumentParser
import FaultlineCLI
import Fixtures
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging
import Probes
import Synchronization

/// Scheduler precision on the real clock: N planned pause faults (short windows, spread over a
/// few containers) injected through the ledger, with a campaign's worth of HTTP probes running in
/// the same process; how late each inject started against its plan.
struct SchedulerBenchmark: Benchmark {
    static let name = "scheduler"
    let engine: DockerEngineClient
    let environment: FaultEnvironment
    let count: Int
    let spacing: Duration
    let window: Duration
    let containers: [PlannedTarget]
    /// Where its ledger goes.
    let stateDirectory: String
    /// HTTP probes checking a server on loopback every 100 ms while the faults run.
    let probes: Int
    let logger: Logger

    struct Figures {
        /// Milliseconds late per fault (actual inject start − planned offset), on faultline's
        /// clock and, the same plan run before it, sleeping with `Task.sleep`.
        var lateness: [Double]
        var taskSleepLateness: [Double]
        /// Probe checks made meanwhile, and how many failed (the server never fails).
        var checks = 0, failedChecks = 0
    }

    func run() async throws -> Figures {
        let listener = try LoopbackPort.listener()
        let server = FixedHTTPServer(listener: listener.descriptor)
        defer { server.stop() }
        let runner = ProbeRunner(try (0..<probes).map { index in
            ProbeRunner.Scheduled(probe: try ProbeConfig.http(HTTPProbeConfig(url: "http://127.0.0.1:\(listener.port)/"))
                                    .makeProbe(name: "http\(index)", timeout: .seconds(1), logger: logger),
                                  every: .milliseconds(100))
        })
        runner.start()
        let counted = Task { await runner.samples.reduce(into: (0, 0)) { $0.0 += 1; if !$1.outcome.isOK { $0.1 += 1 } } }
        let taskSleep = try await schedule(on: ContinuousClock(), ledger: "task-sleep")
        let precise = try await schedule(on: PreciseClock(), ledger: "precise")
        await runner.stop()
        let (checks, failed) = await counted.value
        return Figures(lateness: precise, taskSleepLateness: taskSleep, checks: checks, failedChecks: failed)
    }

    private func schedule<C: Clock>(on clock: C, ledger name: String) async throws -> [Double] where C.Duration == Duration {
        let faults = (0..<count).map { index in
            PlannedFault(index: index + 1, at: spacing * index, duration: window,
                         fault: FaultSpec(kind: .pause, target: "bench"), container: containers[index % containers.count], origin: "bench")
        }
        let plan = CampaignPlan(seed: 1, faults: faults, targets: ["bench": containers])
        let ledger = try FaultLedger(stateDirectory: stateDirectory + "/" + name)
        let injector = FaultInjector(environment: environment, ledger: ledger)
        let lateness = Mutex<[Double]>([])
        let scheduler = CampaignScheduler(plan: plan, clock: clock) { event in
            if case .injecting(let fault, let at) = event {
                lateness.withLock { $0.append((at - fault.at).milliseconds) }
            }
        }
        await scheduler.run(with: DirectExecutor(injector: injector, engine: engine))
        return lateness.withLock { $0 }
    }

    /// Injects through the ledger, like a campaign does.
    struct DirectExecutor: FaultExecutor {
        let injector: FaultInjector
        let engine: DockerEngineClient

        func inject(_ fault: PlannedFault) async throws -> ActiveFault {
            let details = try await engine.inspectContainer(fault.container.id)
            return try await injector.inject(PauseFault(), on: details, window: fault.duration)
        }

        func revert(_ handle: ActiveFault, of fault: PlannedFault) async {
            _ = await injector.revert(handle)
        }
    }

    func report(_ figures: Figures) -> String {
        let containers = self.containers.count
        let stats = Percentiles(figures.lateness), taskSleep = Percentiles(figures.taskSleepLateness)
        func ms(_ value: Double?) -> String { value.map { String(format: "%.2f ms", $0) } ?? "-" }
        return """
        ### Scheduler precision (\(count) pause faults through the ledger, one every \(DurationText.format(spacing)), \(DurationText.format(window)) windows, \(containers) containers; \(probes) HTTP probes every 100 ms meanwhile: \(figures.checks) checks, \(figures.failedChecks) failed)

        | planned → actual inject start | p50 | p99 | max |
        |---|---:|---:|---:|
        | faultline scheduler on its precise clock | \(ms(stats.median)) | \(ms(stats.value(99))) | \(ms(stats.sorted.last)) |
        | the same scheduler sleeping with Task.sleep | \(ms(taskSleep.median)) | \(ms(taskSleep.value(99))) | \(ms(taskSleep.sorted.last)) |
        """
    }
}

extension SchedulerBenchmark {
    /// `--gate`: injects start on time (p99 within 10 ms of the plan; 0.3–1.3 ms here) and the probes ran.
    func gate(_ figures: Figures) -> BenchmarkGate {
        var gate = BenchmarkGate()
        let p99 = Percentiles(figures.lateness).value(99) ?? .infinity
        gate.require(p99 < 10, "p99 inject lateness under 10 ms", figures: String(format: "%.2f ms over %d faults", p99, figures.lateness.count))
        gate.require(figures.failedChecks == 0 && (probes == 0 || figures.checks > 0), "the probes checked the loopback server without a failure",
                     figures: "\(figures.checks) checks, \(figures.failedChecks) failed")
        return gate
    }
}

/// `faultline-bench scheduler`: planned vs actual inject times on the real clock.
struct SchedulerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Scheduler precision: N planned pause faults through the ledger; planned vs actual inject start (p50, p99, max).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Planned faults.") var faults = 1000
    @Option(name: .long, help: "Throw-away containers the faults rotate over.") var containers = 5
    @Option(name: .long, help: "Time between planned faults (at 20ms the engine's own work for 50 faults a second fills both cores here and sets the tail).") var spacing = "100ms"
    @Option(name: .long, help: "Window of each pause.") var window = "30ms"
    @Option(name: .long, help: "Image for the throw-away containers (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"
    @Option(name: .long, help: "HTTP probes checking a loopback server every 100 ms meanwhile (0-500).") var probes = 20

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...100_000).contains(faults), (1...50).contains(containers), (0...500).contains(probes) else {
            throw ValidationError("--faults 1…100000, --containers 1…50, --probes 0…500")
        }
        let spacingValue = try DurationText.parse(spacing), windowValue = try DurationText.parse(window)
        guard spacingValue * containers > windowValue + .milliseconds(20) else {
            throw ValidationError("each container gets a fault every \(DurationText.format(spacingValue * containers)): make it longer than the window plus 20ms")
        }
        let context = try await CommandContext.make(global)
        let work = try BenchWorkDirectory.make("scheduler")
        defer { BenchWorkDirectory.remove(work) }
        try await BenchContainers.with(containers, image: image, engine: context.engine) { created in
            try await SchedulerBenchmark(engine: context.engine, environment: context.environment, count: faults,
                                         spacing: spacingValue, window: windowValue,
                                         containers: created.map { PlannedTarget(id: $0.id, name: $0.name) },
                                         stateDirectory: work,
                                         probes: probes, logger: context.logger).measure(gate: gate.gate)
        }
    }
}
