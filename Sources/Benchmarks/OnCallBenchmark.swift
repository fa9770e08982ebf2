import ArgumentParser
import Daemon
import DockerEngine
import FaultlineCLI
import FaultlineSupport
import Foundation
import Synchronization

/// The on-call path, side by side on one throw-away container, round by round interleaved: from the
/// moment a command starts to the engine's own `pause` event for the container (its `timeNano`,
/// against the same wall clock), for `faultline inject pause X --for 200ms` (a fresh process: start-up,
/// engine handshake, target lookup, ledger intent, warden) and for `docker pause X`; and, with a
/// `faultline daemon` already running, from sending `POST /v1/faults` on its socket to that event.
struct OnCallBenchmark: Benchmark {
    static let name = "oncall"
    let engine: DockerEngineClient
    let faultline: String
    let docker: String?
    let container: String
    let rounds: Int
    let workDirectory: String

    static let inject = "faultline inject pause X --for 200ms (process)"
    static let firstInject = "the same, first of a session (starts the warden)"
    static let dockerPause = "docker pause X (process)"
    static let daemon = "POST /v1/faults to a running faultline daemon"
    static let raw = "raw engine call (kept-alive client in this process)"

    struct Figures {
        /// method → milliseconds from start to the engine's pause event, per round
        var toEvent: [String: [Double]] = [:]
    }

    func run() async throws -> Figures {
        let events = try engine.events(filters: ["container": [container], "event": ["pause"]])
        let pauses = PauseEvents(events)
        let state = workDirectory + "/state"
        defer { Self.endWarden(of: state) }
        let daemon = try await BenchDaemon.start(faultline: faultline, stateDirectory: workDirectory + "/daemon-state")
        defer { daemon.stop() }
        let client = daemon.client
        let body = Array(#"{"kind":"pause","target":"\#(container)","window":"200ms","deadline":"5s"}"#.utf8)

        var figures = Figures()
        for round in 0..<(rounds + 2) {
            let warmup = round < 2
            func record(_ method: String, _ milliseconds: Double) { if !warmup { figures.toEvent[method, default: []].append(milliseconds) } }

            var started = Date()
            let injected = ChildProcess.spawn([faultline, "inject", "pause", container, "--for", "200ms", "--state-dir", state, "--log-level", "error"])
            guard case .success(let pid) = injected else { throw BenchmarkError(message: "could not start \(faultline)") }
            record(Self.inject, try await pauses.next(after: started))
            guard await BlockingIO.run({ ChildProcess.wait(pid) }) == 0 else { throw BenchmarkError(message: "faultline inject pause failed in round \(round)") }

            // A state directory of its own: no warden watches it yet, so this inject starts one
            // (which is then ended, not left to linger).
            let fresh = workDirectory + "/state-\(round)"
            started = Date()
            let first = ChildProcess.spawn([faultline, "inject", "pause", container, "--for", "200ms", "--state-dir", fresh, "--log-level", "error"])
            guard case .success(let firstPid) = first else { throw BenchmarkError(message: "could not start \(faultline)") }
            record(Self.firstInject, try await pauses.next(after: started))
            guard await BlockingIO.run({ ChildProcess.wait(firstPid) }) == 0 else { throw BenchmarkError(message: "faultline inject pause (first) failed in round \(round)") }
            Self.endWarden(of: fresh)

            if let docker {
                started = Date()
                guard case .success(let pid) = ChildProcess.spawn([docker, "pause", container]) else { throw BenchmarkError(message: "could not start \(docker)") }
                record(Self.dockerPause, try await pauses.next(after: started))
                guard await BlockingIO.run({ ChildProcess.wait(pid) == 0 && ProcessSpawner.run([docker, "unpause", container]) == 0 }) else {
                    throw BenchmarkError(message: "docker pause/unpause failed in round \(round)")
                }
            }

            started = Date()
            try await engine.pauseContainer(container)
            record(Self.raw, try await pauses.next(after: started))
            try await engine.unpauseContainer(container)

            started = Date()
            let response = try await client.request("POST", "/v1/faults", body: body)
            guard response.status == 201 else {
                throw BenchmarkError(message: "POST /v1/faults answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
            }
            record(Self.daemon, try await pauses.next(after: started))
            try await waitUntilRunning()
        }
        return figures
    }

    /// Ends the warden that watches `stateDirectory`.
    static func endWarden(of stateDirectory: String) {
        guard let pid = WardenLock.watcher(of: stateDirectory), pid > 0 else { return }
        kill(pid, SIGTERM)
    }

    /// The daemon reverts at the window's end: wait until the container runs unpaused again.
    private func waitUntilRunning() async throws {
        for _ in 0..<100 {
            if try await engine.inspectContainer(container).state.paused == false { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchmarkError(message: "the daemon's pause of \(container) did not end")
    }

    func report(_ figures: Figures) -> String {
        var lines = ["### On-call path: command start → the engine's `pause` event (\(rounds) rounds, interleaved)", "",
                     "| method | samples | median | p90 | × docker CLI |", "|---|---:|---:|---:|---:|"]
        let reference = Percentiles(figures.toEvent[Self.dockerPause] ?? []).median
        for method in [Self.inject, Self.firstInject, Self.dockerPause, Self.daemon, Self.raw] {
            guard let samples = figures.toEvent[method] else { continue }
            let stats = Percentiles(samples)
            let ratio = reference.map { String(format: "%.2f×", (stats.median ?? .nan) / $0) } ?? "-"
            lines.append(String(format: "| %@ | %d | %.1f ms | %.1f ms | %@ |", method, samples.count, stats.median ?? .nan, stats.value(90) ?? .nan, ratio))
        }
        lines.append("")
        lines.append("Each figure runs from just before the command's process is spawned (or the request is sent) to the `timeNano` of the engine's own "
                     + "`pause` event, on the same clock; the engine stamps the event when the container is frozen, so every row includes "
                     + "the engine's own pause (the raw call's row). The first row's injects share a state directory, so the warden the "
                     + "first one started (it stays a minute once idle) watches the later ones and they start none, as in an on-call session; "
                     + "the second row's each start one in a state directory of their own. The daemon row includes the HTTP request over its unix socket; "
                     + String(format: "the daemon adds %.1f ms (median) to the raw call.", daemonOverhead(figures) ?? .nan))
        return lines.joined(separator: "\n")
    }

    /// What the daemon adds to the raw engine call, median against median.
    func daemonOverhead(_ figures: Figures) -> Double? {
        guard let daemon = Percentiles(figures.toEvent[Self.daemon] ?? []).median,
              let raw = Percentiles(figures.toEvent[Self.raw] ?? []).median else { return nil }
        return daemon - raw
    }

    /// `--gate`: a running daemon adds under 5 ms to the raw engine call (median), and a fresh
    /// `faultline inject` process in an on-call session stays within 2.0× the docker CLI's
    /// (1.40–1.53× over four runs here once the binary stopped exporting its symbols and the
    /// session's warden stayed for the next inject; 1.54–2.02× before, on the same engine). The
    /// goal of 1.0× is not met: loading libcurl's dependency tree alone costs ~6 ms, and the
    /// inject looks the target up and makes its intent durable before the engine call.
    func gate(_ figures: Figures) -> BenchmarkGate {
        var gate = BenchmarkGate()
        if let inject = Percentiles(figures.toEvent[Self.inject] ?? []).median,
           let docker = Percentiles(figures.toEvent[Self.dockerPause] ?? []).median {
            gate.require(inject <= docker * 2.0, "faultline inject reaches the engine's pause event within 2.0× docker pause",
                         figures: String(format: "%.1f ms vs %.1f ms (%.2f×)", inject, docker, inject / docker))
        }
        if let overhead = daemonOverhead(figures) {
            gate.require(overhead < 5, "a running daemon adds under 5 ms to the raw engine call (median)", figures: String(format: "%.1f ms", overhead))
        } else {
            gate.require(false, "the daemon and raw rows measured", figures: "no samples")
        }
        return gate
    }
}

/// The engine's pause events for the benchmark's container, collected by one reader task as they arrive.
final class PauseEvents: Sendable {
    private final class Stamps: Sendable { let nanos = Mutex<[Int64]>([]) }
    private let seen = Stamps()
    private let reader: Task<Void, Never>

    init(_ stream: AsyncThrowingStream<EngineEvent, any Error>) {
        reader = Task { [seen] in
            do {
                for try await event in stream where event.action == "pause" {
                    if let nanos = event.timeNano { seen.nanos.withLock { $0.append(nanos) } }
                }
            } catch {}
        }
    }

    deinit { reader.cancel() }

    /// Milliseconds from `started` to the first pause event stamped after it (given up on after 5 s).
    func next(after started: Date) async throws -> Double {
        let from = Int64(started.timeIntervalSince1970 * 1e9)
        for _ in 0..<5000 {
            if let nanos = seen.nanos.withLock({ $0.first { $0 >= from } }) { return Double(nanos - from) / 1e6 }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchmarkError(message: "no pause event within 5 s")
    }
}

/// `faultline-bench oncall`: command start → engine event, faultline vs the docker CLI vs a running daemon.
struct OnCallBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall",
        abstract: "The on-call path: `faultline inject pause` vs `docker pause` vs a running daemon, from start to the engine's pause event.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Measured rounds per method (after 2 warm-up rounds).") var rounds = 20
    @Option(name: .long, help: "Image for the throw-away container (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...1000).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 1000") }
        let context = try await CommandContext.make(global)
        let faultline = try FaultlineBinary.beside()
        let docker = ExecutablePath.find(anyOf: ["/usr/local/bin/docker", "/usr/bin/docker"])
        let work = try BenchWorkDirectory.make("oncall")
        defer { BenchWorkDirectory.remove(work) }
        try await BenchContainers.with(1, image: image, engine: context.engine) { containers in
            try await OnCallBenchmark(engine: context.engine, faultline: faultline, docker: docker, container: containers[0].name,
                                      rounds: rounds, workDirectory: work).measure(gate: gate.gate)
        }
        if docker == nil { Output.note("no docker CLI found: its row is missing") }
    }
}
