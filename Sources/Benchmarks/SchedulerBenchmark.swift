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
struct SchedulerBenchmark {
    let engine: DockerEngineClient
    let environment: FaultEnvironment
    let count: Int
    let spacing: Duration
    let window: Duration
    let containers: [PlannedTarget]

    /// Milliseconds late per fault (actual inject start − planned offset).
    func run(stateDirectory: String) async throws -> [Double] {
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

    static func report(_ lateness: [Double], count: Int, spacing: Duration, window: Duration, containers: Int) -> String {
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
    static func gate(_ lateness: [Double]) -> BenchmarkGate {
        var gate = BenchmarkGate()
        let p99 = Percentiles(lateness).value(99) ?? .infinity
        gate.require(p99 < 50, "p99 inject lateness under 50 ms", figures: String(format: "%.2f ms over %d faults", p99, lateness.count))
        return gate
    }
}
