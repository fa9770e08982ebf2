import ArgumentParser
import FaultlineCLI
import Fixtures
import FaultlineSupport
import Foundation
import Logging
import Probes

/// Runs many probes at once (TCP, HTTP and Redis, in equal parts) against local servers and
/// reports the sample rate achieved against the rate planned, CPU used and peak memory, and each
/// kind's latency beside what one probe of that kind alone reports against the same servers (what
/// faultline's own load adds to the figures a campaign reads); then, for comparison, what a
/// shell-style loop (one `redis-cli`/`curl` process per sample) achieves.
struct ProbeCapacityBenchmark: Benchmark {
    static let name = "probes"
    let count: Int
    let every: Duration
    let duration: Duration
    let redisHost: String
    let redisPort: Int
    let httpURL: String
    let logger: Logger
    /// How long the process-per-sample loop runs.
    let loopFor: Duration

    struct Result {
        var planned: Double = 0
        var achieved: Double = 0
        var cpu: Duration = .zero
        var wall: Duration = .zero
        var peakRSS: Int64 = 0
        var statistics: [String: ProbeStatistics] = [:]
        /// One probe of each kind alone, first, against the same servers.
        var alone: [String: ProbeStatistics] = [:]
        var loopRate: Double = 0
        var loopCPU: Duration = .zero
        var loopWall: Duration = .zero
        var loopFailures = 0
        var loopSamples = 0
    }

    func run() async throws -> Result {
        let loopDuration = loopFor
        func probes(_ count: Int) throws -> [ProbeRunner.Scheduled] {
            try (0..<count).map { index in
                let config: ProbeConfig
                switch index % 3 {
                case 0: config = .tcp(TCPProbeConfig(host: redisHost, port: redisPort))
                case 1: config = .http(HTTPProbeConfig(url: httpURL))
                default: config = .redis(RedisProbeConfig(host: redisHost, port: redisPort))
                }
                return .init(probe: try config.makeProbe(name: "\(config.kind)", timeout: .seconds(1), logger: logger), every: every)
            }
        }
        var result = Result()
        let baseline = ProbeRunner(try probes(3))
        baseline.start(for: min(duration, .seconds(5)))
        for await sample in baseline.samples { result.alone[sample.probe, default: ProbeStatistics()].record(sample) }
        await baseline.stop()
        let scheduled = try probes(count)
        result.planned = Double(count) / every.seconds
        let before = ResourceUsage.now()
        let clock = ContinuousClock()
        let started = clock.now
        let runner = ProbeRunner(scheduled)
        runner.start(for: duration)
        var total = 0
        for await sample in runner.samples {
            total += 1
            result.statistics[sample.probe, default: ProbeStatistics()].record(sample)
        }
        await runner.stop()
        result.wall = clock.now - started
        result.cpu = ResourceUsage.now().cpu - before.cpu
        result.achieved = Double(total) / result.wall.seconds
        result.peakRSS = ResourceUsage.peakResidentBytes()

        // The obvious alternative: a loop that starts one client process per sample.
        let redisCLI = ExecutablePath.find(anyOf: ["/usr/bin/redis-cli"])
        let curl = ExecutablePath.find(anyOf: ["/usr/bin/curl"])
        if let redisCLI, let curl {
            let loopBefore = ResourceUsage.now()
            let loopStart = clock.now
            var samples = 0, failures = 0
            while clock.now - loopStart < loopDuration {
                let status = samples % 2 == 0
                    ? ProcessSpawner.run([redisCLI, "-h", redisHost, "-p", String(redisPort), "ping"])
                    : ProcessSpawner.run([curl, "-sf", "-o", "/dev/null", "--max-time", "1", httpURL])
                samples += 1
                if status != 0 { failures += 1 }
            }
            result.loopWall = clock.now - loopStart
            result.loopSamples = samples
            result.loopFailures = failures
            result.loopRate = Double(samples) / result.loopWall.seconds
            let after = ResourceUsage.now()
            result.loopCPU = (after.cpu - loopBefore.cpu) + (after.childrenCPU - loopBefore.childrenCPU)
        }
        return result
    }

    func report(_ result: Result) -> String {
        func ms(_ duration: Duration) -> String { String(format: "%.2f ms", duration.milliseconds) }
        let cores = result.cpu.seconds / result.wall.seconds
        var lines = [
            "### Probe capacity (\(count) probes: TCP, HTTP, Redis in equal parts, every \(DurationText.format(every)), \(DurationText.format(duration)))",
            "",
            "| runner | samples/s planned | samples/s achieved | achieved/planned | CPU (cores) | CPU per 1000 samples | peak RSS |",
            "|---|---:|---:|---:|---:|---:|---:|",
            String(format: "| faultline (one process) | %.0f | %.0f | %.1f%% | %.2f | %.0f ms | %@ |", result.planned, result.achieved,
                   result.achieved / result.planned * 100, cores, result.cpu.milliseconds / (result.achieved * result.wall.seconds) * 1000,
                   ByteSize.format(result.peakRSS)),
        ]
        if result.loopSamples > 0 {
            let loopCores = result.loopCPU.seconds / result.loopWall.seconds
            lines.append(String(format: "| shell-style loop (a redis-cli/curl process per sample) | as fast as it can | %.0f | — | %.2f | %.0f ms | — |",
                                result.loopRate, loopCores, result.loopCPU.milliseconds / Double(result.loopSamples) * 1000))
            lines.append("")
            lines.append(String(format: "faultline sustains %.0f× the sample rate of a process-per-sample loop, at %.0f× less CPU per sample.",
                                result.achieved / result.loopRate,
                                (result.loopCPU.seconds / Double(result.loopSamples)) / (result.cpu.seconds / (result.achieved * result.wall.seconds))))
        }
        lines.append("")
        lines.append("| probe kind | samples | not ok | p50 | p99 | max | one alone: p50 | p99 |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for (kind, stats) in result.statistics.sorted(by: { $0.key < $1.key }) {
            let alone = result.alone[kind] ?? ProbeStatistics()
            lines.append("| \(kind) | \(stats.count) | \(stats.failures) | \(ms(stats.latency(percentile: 50))) | \(ms(stats.latency(percentile: 99))) | \(ms(stats.maxLatency)) "
                         + "| \(ms(alone.latency(percentile: 50))) | \(ms(alone.latency(percentile: 99))) |")
        }
        lines.append("")
        lines.append("All three kinds run as non-blocking steps on \(ProbePoller.all.count) poller thread(s) (one per core); latency is timed there, "
                     + "from the request to the answer, and each probe's ticks fall on an instant of its own in the first \(DurationText.format(ProbeRunner.phaseSpread)).")
        return lines.joined(separator: "\n")
    }
}

extension ProbeCapacityBenchmark {
    /// `--gate`: the probes keep 95% of their planned rate and out-sample a process-per-sample loop.
    func gate(_ result: Result) -> BenchmarkGate {
        var gate = BenchmarkGate()
        let share = result.planned > 0 ? result.achieved / result.planned : 0
        gate.require(share >= 0.95, "probes achieve 95% of the planned sample rate", figures: String(format: "%.1f%%", share * 100))
        gate.require(result.achieved > result.loopRate, "faultline samples faster than the shell-style loop",
                     figures: String(format: "%.0f/s vs %.0f/s", result.achieved, result.loopRate))
        // CPU per sample: 52–93 ms per 1000 samples on the pollers (500–2,000 probes here), 157 ms
        // with a task and a blocking thread per probe; the gate catches a return to that.
        let perThousand = result.achieved > 0 ? result.cpu.milliseconds / (result.achieved * result.wall.seconds) * 1000 : .infinity
        gate.require(perThousand <= 120, "probes cost at most 120 ms of CPU per 1000 samples",
                     figures: String(format: "%.0f ms", perThousand))
        // What the load adds to a kind's latency, against one probe alone: on the pollers nothing
        // measurable at 500 and 1,000 probes (a loaded machine answers faster than an idle one), +2–9 ms
        // at p99 with 2,000; a task and a thread per probe added +0.3–0.4 / +1.5–2.0 ms at 500.
        // #19's goal is +1 / +5 ms; the gate leaves room for a busier machine.
        for (kind, stats) in result.statistics.sorted(by: { $0.key < $1.key }) {
            let alone = result.alone[kind] ?? ProbeStatistics()
            let added50 = stats.latency(percentile: 50) - alone.latency(percentile: 50)
            let added99 = stats.latency(percentile: 99) - alone.latency(percentile: 99)
            gate.require(stats.failures == 0 && added50 < .milliseconds(2) && added99 < .milliseconds(8),
                         "\(kind) probes among \(count) report p50 within 2 ms and p99 within 8 ms of one alone, none failing",
                         figures: String(format: "%+.2f ms / %+.2f ms, %d not ok", added50.milliseconds, added99.milliseconds, stats.failures))
        }
        return gate
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

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...10_000).contains(count) else { throw ValidationError("--count must be between 1 and 10000") }
        let parts = redis.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--redis must be host:port") }
        let host = String(parts[0])
        guard LoopbackAddress.contains(host), let httpHost = URLComponents(string: http)?.host, LoopbackAddress.contains(httpHost) else {
            throw ValidationError("benchmarks send traffic to loopback only (127.0.0.0/8)")
        }
        try await ProbeCapacityBenchmark(
            count: count, every: try DurationText.parse(every), duration: try DurationText.parse(duration),
            redisHost: host, redisPort: port, httpURL: http, logger: try GlobalOptions.logger(level: "error"),
            loopFor: try DurationText.parse(loopFor)).measure(gate: gate.gate)
    }
}
