import FaultlineCLI
import Fixtures
import ArgumentParser
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation

/// `faultline-bench`: figures that compare faultline with the obvious alternatives. A program of
/// its own, so the product carries no benchmark code or fixtures.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultline-bench",
        abstract: "Benchmarks that compare faultline with the alternatives, side by side in one run.",
        subcommands: [EngineBench.self, ProbeBench.self, SchedulerBench.self, CampaignBench.self, RecoveryBench.self, ProxyBench.self, DaemonBench.self])
}

/// The `faultline` program the benchmarks run: `$FAULTLINE_BIN`, else the one built beside this one.
enum FaultlineBinary {
    static func beside() throws -> String {
        if let given = ProcessInfo.processInfo.environment["FAULTLINE_BIN"], !given.isEmpty { return given }
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = (own as NSString).deletingLastPathComponent + "/faultline"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("no faultline program beside \(own): build it (swift build -c release) or set FAULTLINE_BIN")
        }
        return path
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

    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false

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
        let benchmark = EngineBenchmark(engine: context.engine, injector: injector, socketPath: socket, rounds: rounds, docker: docker, curl: curl,
                                        chaos: chaosProgram.map { ChaosToolkitPeer(program: $0, workDirectory: work + "/chaos") })
        let result = try await BenchContainers.with(1, image: image, engine: context.engine) { containers in
            try await benchmark.run(on: containers[0].id)
        }
        Output(json: false).line(EngineBenchmark.report(result, rounds: rounds, engineVersion: version.version))
        if gate { try EngineBenchmark.gate(result).finish("engine") }
        if docker == nil { Output.note("no docker CLI found: its row is missing") }
        if curl == nil { Output.note("no curl found: its rows are missing") }
        if chaosProgram == nil { Output.note("no Chaos Toolkit found (pip install chaostoolkit, or --chaos PATH): its rows are missing") }
    }
}

/// `faultline-bench probes`: how many probes one faultline process sustains.
struct ProbeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probes",
        abstract: "Probe capacity: N concurrent TCP/HTTP/Redis probes against local servers, vs a process-per-sample loop.")

    @Option(name: .long, help: "Concurrent probes.") var count = 500
    @Option(name: .long, help: "Interval of each probe.") var every = "100ms"
    @Option(name: .customLong("for"), help: "How long the probes run.") var duration = "30s"
    @Option(name: .long, help: "How long the process-per-sample loop runs.") var loopFor = "5s"
    @Option(name: .long, help: "Redis (and TCP) target on loopback, host:port.") var redis = "127.0.0.1:16379"
    @Option(name: .long, help: "HTTP target on loopback.") var http = "http://127.0.0.1:18080/"

    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false

    func run() async throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be between 1 and 10000") }
        let parts = redis.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--redis must be host:port") }
        let host = String(parts[0])
        guard LoopbackAddress.contains(host), let httpHost = URLComponents(string: http)?.host, LoopbackAddress.contains(httpHost) else {
            throw ValidationError("benchmarks send traffic to loopback only (127.0.0.0/8)")
        }
        let benchmark = ProbeCapacityBenchmark(
            count: count, every: try DurationText.parse(every), duration: try DurationText.parse(duration),
            redisHost: host, redisPort: port, httpURL: http, logger: try GlobalOptions.logger(level: "error"))
        let result = try await benchmark.run(loopFor: try DurationText.parse(loopFor))
        Output(json: false).line(benchmark.report(result))
        if gate { try ProbeCapacityBenchmark.gate(result).finish("probes") }
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

    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false

    func run() async throws {
        guard (1...100_000).contains(faults), (1...50).contains(containers) else { throw ValidationError("--faults 1…100000, --containers 1…50") }
        let spacingValue = try DurationText.parse(spacing), windowValue = try DurationText.parse(window)
        guard spacingValue * containers > windowValue + .milliseconds(20) else {
            throw ValidationError("each container gets a fault every \(DurationText.format(spacingValue * containers)): make it longer than the window plus 20ms")
        }
        let context = try await CommandContext.make(global)
        let lateness = try await BenchContainers.with(containers, image: image, engine: context.engine) { created in
            let benchmark = SchedulerBenchmark(engine: context.engine, environment: context.environment, count: faults,
                                               spacing: spacingValue, window: windowValue,
                                               containers: created.map { PlannedTarget(id: $0.id, name: $0.name) })
            return try await benchmark.run(stateDirectory: NSTemporaryDirectory() + "faultline-bench-" + UUID().uuidString)
        }
        Output(json: false).line(SchedulerBenchmark.report(lateness, count: faults, spacing: spacingValue, window: windowValue, containers: containers))
        if gate { try SchedulerBenchmark.gate(lateness).finish("scheduler") }
    }
}

/// `faultline-bench campaign`: a trivial campaign end to end vs Chaos Toolkit's equivalent experiment.
struct CampaignBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Campaign overhead: a trivial campaign (HTTP check, one 200ms pause) through `faultline run` vs `chaos run`, interleaved.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Measured runs per tool (after one warm-up run each).") var runs = 10
    @Option(name: .long, help: "Chaos Toolkit's `chaos` program (default: .build/bench-venv/bin/chaos, else PATH).") var chaos: String?
    @Option(name: .long, help: "HTTP endpoint both tools check, on loopback.") var http = "http://127.0.0.1:18080/"
    @Option(name: .long, help: "Image for the throw-away container (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"

    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false

    func run() async throws {
        guard (1...1000).contains(runs) else { throw ValidationError("--runs must be between 1 and 1000") }
        guard http.hasPrefix("http://127.") || http.hasPrefix("http://localhost") else {
            throw ValidationError("benchmarks send traffic to loopback only (127.0.0.0/8)")
        }
        let context = try await CommandContext.make(global)
        guard let socket = context.engine.endpoint.socketPath else {
            throw ValidationError("bench campaign drives the engine over its unix socket: use a unix:// engine address")
        }
        guard let curl = ExecutablePath.find(anyOf: ["/usr/bin/curl"]) else { throw ValidationError("bench campaign needs curl for Chaos Toolkit's engine calls") }
        let chaosProgram = try ChaosToolkitPeer.locate(chaos)
        let faultline = try FaultlineBinary.beside()
        let work = try BenchWorkDirectory.make("campaign")
        defer { BenchWorkDirectory.remove(work) }
        let result = try await BenchContainers.with(1, image: image, engine: context.engine) { containers in
            try await CampaignOverheadBenchmark(faultline: faultline, chaos: chaosProgram, curl: curl, socketPath: socket,
                                                apiVersion: context.engine.apiVersion, httpURL: http, container: containers[0].name,
                                                runs: runs, workDirectory: work).run()
        }
        Output(json: false).line(CampaignOverheadBenchmark.report(result, runs: runs))
        if gate { try CampaignOverheadBenchmark.gate(result).finish("campaign") }
        if chaosProgram == nil { Output.note("no Chaos Toolkit found (pip install chaostoolkit, or --chaos PATH): its row is missing") }
    }
}

/// `faultline-bench recovery`: faultline's time to detect / recover against the engine's events and a dense prober.
struct RecoveryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Recovery measurement accuracy: pause and restart Redis and PostgreSQL; faultline's figures vs engine events and a dense prober.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Rounds (each pauses and restarts both servers once), per pass; two passes run (neighbour refresh off, on).")
    var rounds = 10
    @Option(name: .long, help: "Image for the throw-away servers (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"

    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false

    func run() async throws {
        guard (1...200).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 200") }
        let context = try await CommandContext.make(global)
        let work = try BenchWorkDirectory.make("recovery")
        defer { BenchWorkDirectory.remove(work) }
        let benchmark = RecoveryAccuracyBenchmark(engine: context.engine, logger: context.logger, image: image, rounds: rounds, workDirectory: work)
        let result = try await benchmark.run()
        Output(json: false).line(RecoveryAccuracyBenchmark.report(result, rounds: rounds))
        if gate { try RecoveryAccuracyBenchmark.gate(result).finish("recovery") }
    }
}

/// `faultline-bench proxy`: the TCP fault proxy's added latency and throughput against a direct connection.
struct ProxyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "The fault proxy with no toxics vs a direct connection on loopback: added round-trip latency (p50/p99) and bulk throughput.")

    @Option(name: .long, help: "Measured 64-byte round trips per path.") var requests = 5000
    @Option(name: .long, help: "Bulk transfer size per path, e.g. 1g.") var size = "1g"

    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false

    func run() async throws {
        guard (1...1_000_000).contains(requests) else { throw ValidationError("--requests must be between 1 and 1000000") }
        let bytes = try ByteSize.parse(size)
        guard bytes > 0 && bytes <= 64 << 30 else { throw ValidationError("--size must be between 1 byte and 64g") }
        let benchmark = ProxyBenchmark(requests: requests, bytes: Int(bytes), logger: try GlobalOptions.logger(level: "error"))
        let result = try await benchmark.run()
        Output(json: false).line(ProxyBenchmark.report(result, requests: requests, bytes: Int(bytes)))
        if gate { try ProxyBenchmark.gate(result).finish("proxy") }
    }
}

/// `faultline-bench daemon`: the daemon's resident memory idle and after many small runs.
struct DaemonBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Daemon footprint: resident memory of a `faultline daemon` idle and after N small runs (goal: idle under 30 MiB, no growth).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Small runs to submit, one after another.") var runs = 1000
    @Option(name: .long, help: "Image for the throw-away container (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"

    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false

    func run() async throws {
        guard (1...100_000).contains(runs) else { throw ValidationError("--runs must be between 1 and 100000") }
        let context = try await CommandContext.make(global)
        let faultline = try FaultlineBinary.beside()
        let work = try BenchWorkDirectory.make("daemon")
        defer { BenchWorkDirectory.remove(work) }
        let result = try await BenchContainers.with(1, image: image, engine: context.engine) { containers in
            try await DaemonFootprintBenchmark(faultline: faultline, container: containers[0].name, runs: runs, workDirectory: work).run()
        }
        Output(json: false).line(DaemonFootprintBenchmark.report(result, runs: runs))
        if gate { try DaemonFootprintBenchmark.gate(result).finish("daemon") }
    }
}
