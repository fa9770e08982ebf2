import ArgumentParser
import FaultlineCLI
import Fixtures
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Synchronization

/// Scheduler precision on the real clock: N planned pause faults (short windows, spread over a
/// few containers) injected through the ledger; how late each inject started against its plan.
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

    /// Milliseconds late per fault (actual inject start − planned offset).
    func run() async throws -> [Double] {
        let faults = (0..<count).map { index in
            PlannedFault(index: index + 1, at: spacing * index, duration: window,
                         fault: FaultSpec(kind: .pause, target: "bench"), container: containers[index % containers.count], origin: "bench")
        }
        let plan = CampaignPlan(seed: 1, faults: faults, targets: ["bench": containers])
        let ledger = try FaultLedger(stateDirectory: stateDirectory)
        let injector = FaultInjector(environment: environment, ledger: ledger)
        let lateness = Mutex<[Double]>([])
        let scheduler = CampaignScheduler(plan: plan, clock: ContinuousClock()) { event in
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

    func report(_ lateness: [Double]) -> String {
        let containers = self.containers.count
        let stats = Percentiles(lateness)
        func ms(_ value: Double?) -> String { value.map { String(format: "%.2f ms", $0) } ?? "-" }
        return """
        ### Scheduler precision (\(count) pause faults through the ledger, one every \(DurationText.format(spacing)), \(DurationText.format(window)) windows, \(containers) containers)

        | planned → actual inject start | p50 | p99 | max |
        |---|---:|---:|---:|
        | faultline scheduler (real clock) | \(ms(stats.median)) | \(ms(stats.value(99))) | \(ms(stats.sorted.last)) |
        """
    }
}

extension SchedulerBenchmark {
    /// `--gate`: injects start on time (p99 within 50 ms of the plan).
    func gate(_ lateness: [Double]) -> BenchmarkGate {
        var gate = BenchmarkGate()
        let p99 = Percentiles(lateness).value(99) ?? .infinity
        gate.require(p99 < 50, "p99 inject lateness under 50 ms", figures: String(format: "%.2f ms over %d faults", p99, lateness.count))
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
    @Option(name: .long, help: "Time between planned faults.") var spacing = "20ms"
    @Option(name: .long, help: "Window of each pause.") var window = "30ms"
    @Option(name: .long, help: "Image for the throw-away containers (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...100_000).contains(faults), (1...50).contains(containers) else { throw ValidationError("--faults 1…100000, --containers 1…50") }
        let spacingValue = try DurationText.parse(spacing), windowValue = try DurationText.parse(window)
        guard spacingValue * containers > windowValue + .milliseconds(20) else {
            throw ValidationError("each container gets a fault every \(DurationText.format(spacingValue * containers)): make it longer than the window plus 20ms")
        }
        let context = try await CommandContext.make(global)
        try await BenchContainers.with(containers, image: image, engine: context.engine) { created in
            try await SchedulerBenchmark(engine: context.engine, environment: context.environment, count: faults,
                                         spacing: spacingValue, window: windowValue,
                                         containers: created.map { PlannedTarget(id: $0.id, name: $0.name) },
                                         stateDirectory: NSTemporaryDirectory() + "faultline-bench-" + UUID().uuidString).measure(gate: gate.gate)
        }
    }
}
