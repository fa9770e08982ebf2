import ArgumentParser
import FaultlineCLI
import Fixtures
import Daemon
import FaultlineSupport
import Foundation

/// The daemon's footprint: a real `faultline daemon` child process, its resident memory idle and
/// after many small runs submitted one after another (each a 20 ms pause of a throw-away container,
/// followed to its end through the event stream), and how long a small run takes end to end.
struct DaemonFootprintBenchmark: Benchmark {
    static let name = "daemon"
    let faultline: String
    let container: String
    let runs: Int
    let workDirectory: String

    struct Result {
        var idleBytes: Int64 = 0
        var idleAnonymous: Int64 = 0
        /// (runs done, resident bytes, of which anonymous: the process's own, not shared library pages) along the way.
        var samples: [(runs: Int, bytes: Int64, anonymous: Int64)] = []
        var peakBytes: Int64 = 0
        var runTimes: [Duration] = []
        var failedRuns = 0
        var wall: Duration = .zero
    }

    var campaign: String {
        """
        name: footprint
        targets:
          box: { name: \(container) }
        hypothesis:
          steady_state: { window: 10ms }
        settings: { recovery_limit: 10ms }
        timeline:
          - { at: 0s, fault: { pause: { target: box } }, for: 20ms }
        """
    }

    func run() async throws -> Result {
        let daemon = try await BenchDaemon.start(faultline: faultline, stateDirectory: workDirectory + "/state")
        defer { daemon.stop() }
        let client = daemon.client, pid = daemon.pid
        var result = Result()
        try await Task.sleep(for: .seconds(2))
        result.idleBytes = Self.resident(pid, "VmRSS")
        result.idleAnonymous = Self.resident(pid, "RssAnon")
        let body = Array(JSONCoding.encode(SubmitRequest(campaign: campaign, file: workDirectory + "/footprint.yaml", queue: true)))
        let clock = ContinuousClock()
        let started = clock.now
        let checkpoints = Set([runs / 10, runs / 4, runs / 2, runs].filter { $0 > 0 })
        for index in 1...runs {
            let runStarted = clock.now
            let summary = try await client.call("POST", "/v1/runs", body: body, as: RunSummary.self)
            try await client.follow("/v1/runs/\(summary.id)/events") { _ in }
            let ended = try await client.call("GET", "/v1/runs/\(summary.id)", as: RunDetail.self)
            if ended.run.status != .held { result.failedRuns += 1 }
            result.runTimes.append(clock.now - runStarted)
            if checkpoints.contains(index) {
                result.samples.append((index, Self.resident(pid, "VmRSS"), Self.resident(pid, "RssAnon")))
            }
        }
        result.wall = clock.now - started
        result.peakBytes = Self.resident(pid, "VmHWM")
        return result
    }

    static func resident(_ pid: Int32, _ field: String) -> Int64 { ResourceUsage.memory(field, of: String(pid)) }

    func report(_ result: Result) -> String {
        func mib(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        let times = Percentiles(result.runTimes.map(\.milliseconds))
        var lines = ["### Daemon footprint (\(runs) small runs submitted one after another, each followed to its end)", "",
                     "| after | resident (VmRSS) | of which the daemon's own (RssAnon) |", "|---|---|---|",
                     "| idle (2 s after start) | \(mib(result.idleBytes)) | \(mib(result.idleAnonymous)) |"]
        for sample in result.samples { lines.append("| \(sample.runs) runs | \(mib(sample.bytes)) | \(mib(sample.anonymous)) |") }
        lines.append("| peak | \(mib(result.peakBytes)) | |")
        lines.append("")
        if let first = result.samples.first, let last = result.samples.last, first.runs != last.runs {
            let growth = Double(last.anonymous - first.anonymous) / Double(last.runs - first.runs)
            lines.append(String(format: "Growth of the daemon's own memory from %d to %d runs: %@ (%.0f bytes per run; the records of the last 500 runs are kept). "
                                + "The rest of VmRSS is shared library and binary pages (Swift runtime, Foundation, libcurl, OpenSSL). Goal: idle under 30 MiB, no growth.",
                                first.runs, last.runs, mib(last.anonymous - first.anonymous), growth))
        }
        if let p50 = times.value(50), let p99 = times.value(99) {
            lines.append(String(format: "A small run end to end (submit → events → status): p50 %.0f ms, p99 %.0f ms; %.1f runs/s; %d of %d did not hold.",
                                p50, p99, Double(runs) / result.wall.seconds, result.failedRuns, runs))
        }
        return lines.joined(separator: "\n")
    }
}

extension DaemonFootprintBenchmark {
    /// `--gate`: every run succeeded, and the daemon's own memory grew by under 4 MiB from half
    /// the runs to all of them.
    func gate(_ result: Result) -> BenchmarkGate {
        var gate = BenchmarkGate()
        gate.require(result.failedRuns == 0, "every small run succeeded", figures: "\(result.failedRuns) failed")
        if let half = result.samples.dropLast().last, let last = result.samples.last {
            let growth = Double(last.anonymous - half.anonymous) / 1_048_576
            gate.require(growth < 4, "the daemon's own memory grows under 4 MiB from \(half.runs) to \(last.runs) runs",
                         figures: String(format: "%+.1f MiB", growth))
        }
        return gate
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

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...100_000).contains(runs) else { throw ValidationError("--runs must be between 1 and 100000") }
        let context = try await CommandContext.make(global)
        let faultline = try FaultlineBinary.beside()
        let work = try BenchWorkDirectory.make("daemon")
        defer { BenchWorkDirectory.remove(work) }
        try await BenchContainers.with(1, image: image, engine: context.engine) { containers in
            try await DaemonFootprintBenchmark(faultline: faultline, container: containers[0].name, runs: runs, workDirectory: work)
                .measure(gate: gate.gate)
        }
    }
}
