import ArgumentParser
import FaultlineCLI
import Fixtures
import DockerEngine
import Faults
import FaultlineSupport
import Foundation

/// Measures, side by side in one run on one container, what a pause+unpause round trip and a
/// `/_ping` cost through faultline (inject+revert through the ledger), through faultline's engine
/// client alone (the raw engine call), through one `curl --unix-socket` process per call, through
/// `docker pause`/`docker unpause` CLI processes, and through Chaos Toolkit (inside one running
/// experiment, and one `chaos run` per round trip). The first four are interleaved round by round
/// so that they share the same machine noise; Chaos Toolkit runs after them, as whole experiments.
struct EngineBenchmark: Benchmark {
    static let name = "engine"
    let engine: DockerEngineClient
    let injector: FaultInjector
    let socketPath: String
    let rounds: Int
    let docker: String?
    let curl: String?
    let chaos: ChaosToolkitPeer?
    /// The throw-away container paused and unpaused.
    let container: String
    let engineVersion: String

    struct Result {
        /// method → milliseconds per round
        var pauseRoundTrip: [String: [Double]] = [:]
        var ping: [String: [Double]] = [:]
        /// The engine's own time for pause+unpause (request sent → first response byte, both calls).
        var engineTime: [Double] = []
    }

    static let faultline = "faultline inject+revert (ledger: intent fsynced, engine call)"
    static let client = "raw engine call (faultline's libcurl client, kept-alive)"
    static let curlProcess = "curl process per call"
    static let dockerCLI = "docker CLI per call"
    static let chaosInExperiment = "Chaos Toolkit actions inside one experiment (Python, engine API)"
    static let chaosPerRun = "Chaos Toolkit, one `chaos run` per round trip"
    /// `chaos run` processes for the per-run row (each costs a quarter of a second or more).
    static let chaosRuns = 10

    func run() async throws -> Result {
        var result = Result()
        let base = "http://engine/v\(engine.apiVersion)/containers/\(container)"
        let clock = ContinuousClock()
        func timed(_ body: () async throws -> Void) async rethrows -> Double {
            let start = clock.now
            try await body()
            return (clock.now - start).milliseconds
        }
        let details = try await engine.inspectContainer(container)
        for round in 0..<(rounds + 3) {
            let warmup = round < 3
            var engineOwn = 0.0
            let viaFaultline = try await timed {
                let active = try await injector.inject(PauseFault(), on: details, window: .seconds(10))
                let report = await injector.revert(active)
                if case .failure(let failure) = report.result { throw BenchmarkError(message: "faultline's revert of the pause failed: \(failure)") }
            }
            let viaClient = try await timed {
                engineOwn += try await engine.timedPause(container).engine.milliseconds
                engineOwn += try await engine.timedUnpause(container).engine.milliseconds
            }
            let pingClient = try await timed { _ = try await engine.timedPing() }
            var viaCurl: Double?, pingCurl: Double?, viaDocker: Double?
            if let curl {
                viaCurl = try await timed {
                    try check(ProcessSpawner.run([curl, "-sf", "-o", "/dev/null", "--unix-socket", socketPath, "-X", "POST", "\(base)/pause"]), "curl pause")
                    try check(ProcessSpawner.run([curl, "-sf", "-o", "/dev/null", "--unix-socket", socketPath, "-X", "POST", "\(base)/unpause"]), "curl unpause")
                }
                pingCurl = try await timed {
                    try check(ProcessSpawner.run([curl, "-sf", "-o", "/dev/null", "--unix-socket", socketPath, "http://engine/_ping"]), "curl ping")
                }
            }
            if let docker {
                viaDocker = try await timed {
                    try check(ProcessSpawner.run([docker, "pause", container]), "docker pause")
                    try check(ProcessSpawner.run([docker, "unpause", container]), "docker unpause")
                }
            }
            guard !warmup else { continue }
            result.engineTime.append(engineOwn)
            result.pauseRoundTrip[Self.faultline, default: []].append(viaFaultline)
            result.pauseRoundTrip[Self.client, default: []].append(viaClient)
            result.ping[Self.client, default: []].append(pingClient)
            if let viaCurl { result.pauseRoundTrip[Self.curlProcess, default: []].append(viaCurl) }
            if let pingCurl { result.ping[Self.curlProcess, default: []].append(pingCurl) }
            if let viaDocker { result.pauseRoundTrip[Self.dockerCLI, default: []].append(viaDocker) }
        }
        if let chaos { try await measure(chaos, on: container, into: &result) }
        return result
    }

    /// Chaos Toolkit: one experiment with every round as a pause and an unpause action (per round:
    /// the pause's start to the unpause's end in the journal, 3 warm-up rounds left out), then
    /// `chaosRuns` experiments of one round each (wall time of the whole `chaos run`).
    private func measure(_ chaos: ChaosToolkitPeer, on container: String, into result: inout Result) async throws {
        let base = "/v\(engine.apiVersion)/containers/\(container)"
        func experiment(rounds: Int) -> [String: Any] {
            ["title": "faultline-bench-engine", "description": "pause+unpause round trips through the engine API",
             "method": (0..<rounds).flatMap { round in
                 [ChaosToolkitPeer.engineAction("pause-\(round)", socketPath: socketPath, path: "\(base)/pause"),
                  ChaosToolkitPeer.engineAction("unpause-\(round)", socketPath: socketPath, path: "\(base)/unpause")]
             }]
        }
        let activities = try await chaos.run(experiment: experiment(rounds: rounds + 3), named: "engine-rounds").activities
        guard activities.count == 2 * (rounds + 3) else {
            throw BenchmarkError(message: "Chaos Toolkit's journal has \(activities.count) activities, \(2 * (rounds + 3)) expected")
        }
        for round in 3..<(rounds + 3) {
            let pause = activities[2 * round], unpause = activities[2 * round + 1]
            result.pauseRoundTrip[Self.chaosInExperiment, default: []].append((unpause.end - pause.start) * 1000)
        }
        _ = try await chaos.run(experiment: experiment(rounds: 1), named: "engine-warm-up")
        for _ in 0..<Self.chaosRuns {
            let wall = try await chaos.run(experiment: experiment(rounds: 1), named: "engine-one").wallMilliseconds
            result.pauseRoundTrip[Self.chaosPerRun, default: []].append(wall)
        }
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == 0 else { throw BenchmarkError(message: "\(what) failed with exit status \(status)") }
    }

    /// The figures as a Markdown table, ratios relative to faultline's client.
    func report(_ result: Result) -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.2f ms", $0) } ?? "-" }
        var lines = ["### Engine call cost (\(rounds) rounds, engine \(engineVersion))", ""]
        lines.append("| operation | method | samples | median | p90 | × faultline |")
        lines.append("|---|---|---:|---:|---:|---:|")
        for (operation, table, reference) in [("pause+unpause", result.pauseRoundTrip, Self.faultline), ("/_ping", result.ping, Self.client)] {
            let referenceMedian = Percentiles(table[reference] ?? []).median ?? .nan
            for method in [Self.faultline, Self.client, Self.curlProcess, Self.dockerCLI, Self.chaosInExperiment, Self.chaosPerRun] {
                guard let samples = table[method] else { continue }
                let stats = Percentiles(samples)
                let ratio = (stats.median ?? .nan) / referenceMedian
                lines.append("| \(operation) | \(method) | \(samples.count) | \(ms(stats.median)) | \(ms(stats.value(90))) | \(String(format: "%.2f×", ratio)) |")
            }
        }
        let engineOwn = Percentiles(result.engineTime).median ?? .nan
        let clientMedian = Percentiles(result.pauseRoundTrip[Self.client] ?? []).median ?? .nan
        let faultlineMedian = Percentiles(result.pauseRoundTrip[Self.faultline] ?? []).median ?? .nan
        lines.append("")
        lines.append(String(format: "Engine's own time for pause+unpause (request sent → first byte): %.2f ms median; the raw call adds %.1f%% on top, "
                            + "faultline's inject+revert (three ledger records, the intent fsynced before the call; the state checks after each call) %.2f ms more.",
                            engineOwn, (clientMedian - engineOwn) / engineOwn * 100, faultlineMedian - clientMedian))
        if result.pauseRoundTrip[Self.chaosInExperiment] != nil {
            lines.append("Chaos Toolkit's rows run after the interleaved ones: one experiment holding every round, then \(Self.chaosRuns) `chaos run`s of one round each.")
        }
        return lines.joined(separator: "\n")
    }
}

/// A benchmark step that could not run.
struct BenchmarkError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension EngineBenchmark {
    /// `--gate`: faultline beats the process-per-call alternatives, and the ledger costs little.
    func gate(_ result: Result) -> BenchmarkGate {
        var gate = BenchmarkGate()
        func median(_ method: String) -> Double? { Percentiles(result.pauseRoundTrip[method] ?? []).median }
        guard let viaFaultline = median(Self.faultline), let raw = median(Self.client) else {
            gate.require(false, "faultline's rows measured", figures: "no samples")
            return gate
        }
        if let docker = median(Self.dockerCLI) {
            gate.require(viaFaultline < docker, "faultline inject+revert faster than the docker CLI",
                         figures: String(format: "%.1f ms vs %.1f ms", viaFaultline, docker))
        }
        if let curl = median(Self.curlProcess) {
            gate.require(raw < curl, "the raw engine call faster than a curl process per call", figures: String(format: "%.1f ms vs %.1f ms", raw, curl))
        }
        gate.require(viaFaultline - raw < 25, "the ledger adds under 25 ms to a pause+unpause", figures: String(format: "%.1f ms", viaFaultline - raw))
        if let chaos = median(Self.chaosPerRun) {
            gate.require(viaFaultline < chaos, "faultline faster than one chaos run per round trip", figures: String(format: "%.1f ms vs %.1f ms", viaFaultline, chaos))
        }
        return gate
    }
}

/// `faultline-bench engine`: pause+unpause and /_ping through faultline vs curl vs the docker CLI.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Pause+unpause round trips and /_ping: faultline vs the raw engine call vs curl vs the docker CLI vs Chaos Toolkit.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Measured rounds per method (after 3 warm-up rounds).") var rounds = 50
    @Option(name: .long, help: "Chaos Toolkit's `chaos` program (default: .build/bench-venv/bin/chaos, else PATH).") var chaos: String?
    @Option(name: .long, help: "Image for the throw-away benchmark container (built by scripts/setup.sh).")
    var image = "faultline-test/hostroot:1"

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...10_000).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 10000") }
        let context = try await CommandContext.make(global)
        guard let socket = context.engine.endpoint.socketPath else {
            throw ValidationError("bench engine compares against curl --unix-socket: use a unix:// engine address")
        }
        let version = try await context.engine.version()
        let docker = ExecutablePath.find(anyOf: ["/usr/bin/docker", "/usr/local/bin/docker"])
        let curl = ExecutablePath.find(anyOf: ["/usr/bin/curl"])
        let chaosProgram = try ChaosToolkitPeer.locate(chaos)
        let work = try BenchWorkDirectory.make("engine")
        defer { BenchWorkDirectory.remove(work) }
        let injector = FaultInjector(environment: context.environment, ledger: try FaultLedger(stateDirectory: work + "/state"))
        try await BenchContainers.with(1, image: image, engine: context.engine) { containers in
            try await EngineBenchmark(engine: context.engine, injector: injector, socketPath: socket, rounds: rounds, docker: docker, curl: curl,
                                      chaos: chaosProgram.map { ChaosToolkitPeer(program: $0, workDirectory: work + "/chaos") },
                                      container: containers[0].id, engineVersion: version.version).measure(gate: gate.gate)
        }
        if docker == nil { Output.note("no docker CLI found: its row is missing") }
        if curl == nil { Output.note("no curl found: its rows are missing") }
        if chaosProgram == nil { Output.note("no Chaos Toolkit found (pip install chaostoolkit, or --chaos PATH): its rows are missing") }
    }
}
