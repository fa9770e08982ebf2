import ArgumentParser
import Campaign
import Daemon
import DockerEngine
import FaultlineCLI
import Faults
import FaultlineSupport
import Foundation
import Logging
import Synchronization

/// A fleet's fan-out and the cost of its hop, on a fleet that is up (`scripts/fleet.sh up 3`):
/// - one window pausing `containers` containers spread over every node, each pause sent to its
///   node's agent at once (as a campaign does), against the same number on one node through its
///   agent, and on that node's engine straight from here (the local path): when each engine's own
///   `pause` event came, from the moment the window started (p50 / p99 / max);
/// - one fault's cost coordinator → agent (https, mutual TLS, the agent's ledger) against a local
///   inject (this process's ledger, the same engine), pause+end, interleaved round by round;
/// - what each connected agent costs the coordinator: memory and CPU of `connections` more
///   clients, each with its TLS session and a health call.
struct FleetBenchmark: Benchmark {
    static let name = "fleet"
    let agents: FleetAgents
    let engines: [String: DockerEngineClient]
    let local: FaultInjector
    let containers: Int
    let rounds: Int
    let connections: Int
    let image: String

    struct Result {
        /// Way → milliseconds from the window's start to each engine's pause event.
        var fanOut: [String: [Double]] = [:]
        /// Way → milliseconds per pause+end.
        var hop: [String: [Double]] = [:]
        var bytesPerConnection: Double = 0
        var cpuPerConnection: Duration = .zero
        var nodes = 0
    }

    static let spread = "fleet: agents of every node"
    static let oneNodeAgent = "one node: its agent"
    static let oneNodeLocal = "one node: its engine from here (local inject)"
    static let viaAgent = "coordinator → agent (https, mutual TLS, agent's ledger)"
    static let localInject = "local inject (this process's ledger, the same engine)"

    var nodes: [String] { agents.nodes }

    func run() async throws -> Result {
        var result = Result()
        result.nodes = nodes.count
        let perNode = max(1, containers / nodes.count)
        // Spread: perNode on each node; one node: all of them on the first.
        let first = nodes[0]
        try await withContainers(Dictionary(uniqueKeysWithValues: nodes.map { ($0, perNode + ($0 == first ? containers - perNode : 0)) })) { made in
            let spread = nodes.flatMap { node in made[node, default: []].prefix(perNode).map { (node, $0) } }
            let single = made[first, default: []].map { (first, $0) }
            for _ in 0..<2 {  // twice each, interleaved
                result.fanOut[Self.spread, default: []] += try await fanOut(spread, through: .agent)
                result.fanOut[Self.oneNodeAgent, default: []] += try await fanOut(single, through: .agent)
                result.fanOut[Self.oneNodeLocal, default: []] += try await fanOut(single, through: .local)
            }
            let one = single[0]
            let details = try await engines[first]!.inspectContainer(one.1.id)
            for round in 0..<(rounds + 3) {
                let start = ContinuousClock.now
                let held = try await agents.inject(planned(one.0, one.1), window: .seconds(30))
                guard case .reverted = await agents.end(held) else { throw BenchmarkError(message: "the agent did not end its pause") }
                let viaAgent = (ContinuousClock.now - start).milliseconds
                let localStart = ContinuousClock.now
                let active = try await local.inject(PauseFault(), on: details, window: .seconds(30))
                if case .failure(let failure) = await local.revert(active).result { throw BenchmarkError(message: "local revert failed: \(failure)") }
                let viaLocal = (ContinuousClock.now - localStart).milliseconds
                guard round >= 3 else { continue }
                result.hop[Self.viaAgent, default: []].append(viaAgent)
                result.hop[Self.localInject, default: []].append(viaLocal)
            }
        }
        // More clients of the same agents: each a TLS session kept alive, like a coordinator's per agent.
        let before = ResourceUsage.memory("VmRSS"), cpuBefore = ResourceUsage.now().cpu
        var clients: [NodeAgent] = []
        for index in 0..<connections {
            let client = try NodeAgent(node: nodes[index % nodes.count], in: agents.description)
            try await client.reach()
            clients.append(client)
        }
        for client in clients { try await client.reach() }  // a watch round over kept-alive sessions
        result.bytesPerConnection = Double(ResourceUsage.memory("VmRSS") - before) / Double(connections)
        result.cpuPerConnection = (ResourceUsage.now().cpu - cpuBefore) / connections
        withExtendedLifetime(clients) {}
        return result
    }

    enum Way { case agent, local }

    func planned(_ node: String, _ container: (id: String, name: String)) -> PlannedFault {
        PlannedFault(index: 1, at: .zero, duration: .seconds(30), fault: FaultSpec(kind: .pause, target: "bench"),
                     container: PlannedTarget(id: container.id, name: container.name, node: node), origin: "bench")
    }

    /// Pauses every container at once, waits for each engine's pause event, then ends them all.
    func fanOut(_ targets: [(String, (id: String, name: String))], through way: Way) async throws -> [Double] {
        final class Seen: Sendable { let times = Mutex<[Double]>([]) }
        let seen = Seen()
        let watchers = Set(targets.map(\.0)).map { node in
            let engine = engines[node]!
            return Task {
                let stream = try engine.events(filters: ["type": ["container"], "event": ["pause"], "label": ["faultline.test=bench"]])
                for try await event in stream { seen.times.withLock { $0.append(Double(event.timeNano ?? 0) / 1e6) } }
            }
        }
        try await Task.sleep(for: .milliseconds(200))  // the streams are open
        let started = Date().timeIntervalSince1970 * 1000
        enum Held: Sendable { case node(NodeFault), local(ActiveFault) }
        let held = try await withThrowingTaskGroup(of: Held.self) { group in
            for (node, container) in targets {
                group.addTask {
                    switch way {
                    case .agent: return .node(try await agents.inject(planned(node, container), window: .seconds(30)))
                    case .local:
                        let details = try await engines[node]!.inspectContainer(container.id)
                        return .local(try await local.inject(PauseFault(), on: details, window: .seconds(30)))
                    }
                }
            }
            var all: [Held] = []
            for try await one in group { all.append(one) }
            return all
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while seen.times.withLock({ $0.count }) < targets.count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        watchers.forEach { $0.cancel() }
        await withTaskGroup(of: Void.self) { group in
            for one in held {
                group.addTask {
                    switch one {
                    case .node(let fault): _ = await agents.end(fault)
                    case .local(let active): _ = await local.revert(active)
                    }
                }
            }
        }
        let times = seen.times.withLock { $0 }
        guard times.count == targets.count else {
            throw BenchmarkError(message: "saw \(times.count) of \(targets.count) pause events within 10 s")
        }
        return times.map { $0 - started }
    }

    /// Creates the containers on each node (labelled, no network) and removes them all afterwards.
    func withContainers(_ counts: [String: Int], _ body: ([String: [(id: String, name: String)]]) async throws -> Void) async throws {
        var made: [String: [(id: String, name: String)]] = [:]
        func removeAll() async { for (node, list) in made { await BenchContainers.remove(list, from: engines[node]!) } }
        do {
            for (node, count) in counts.sorted(by: { $0.key < $1.key }) {
                try await BenchContainers.start(count, image: image, on: engines[node]!, into: &made[node, default: []])
            }
            try await body(made)
            await removeAll()
        } catch {
            await removeAll()
            throw error
        }
    }

    func report(_ result: Result) -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0) } ?? "-" }
        var lines = ["### Fleet fan-out: one window pausing \(containers) containers (\(result.nodes) nodes, twice each way)", ""]
        lines.append("| way | pauses | p50 | p99 | max | max × fleet |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        let reference = Percentiles(result.fanOut[Self.spread] ?? []).value(100) ?? .nan
        for way in [Self.spread, Self.oneNodeAgent, Self.oneNodeLocal] {
            let stats = Percentiles(result.fanOut[way] ?? [])
            lines.append("| \(way) | \(result.fanOut[way]?.count ?? 0) | \(ms(stats.median)) | \(ms(stats.value(99))) | \(ms(stats.value(100))) | "
                         + String(format: "%.2f×", (stats.value(100) ?? .nan) / reference) + " |")
        }
        lines.append("")
        lines.append("Times are from the window's start to each engine's own `pause` event (the engines share this machine's clock).")
        lines.append("")
        lines.append("| one fault, pause + end (\(rounds) rounds) | median | p90 | × local |")
        lines.append("|---|---:|---:|---:|")
        let local = Percentiles(result.hop[Self.localInject] ?? []).median ?? .nan
        for way in [Self.viaAgent, Self.localInject] {
            let stats = Percentiles(result.hop[way] ?? [])
            lines.append("| \(way) | \(ms(stats.median)) | \(ms(stats.value(90))) | " + String(format: "%.2f×", (stats.median ?? .nan) / local) + " |")
        }
        lines.append("")
        lines.append(String(format: "Each connected agent costs the coordinator %.0f KiB of memory and %.2f ms of CPU (TLS handshake and a health call; "
                            + "%d more clients measured).", result.bytesPerConnection / 1024, result.cpuPerConnection.milliseconds, connections))
        return lines.joined(separator: "\n")
    }

    /// Spread over nodes is not much slower than on one node through its agent (on one 2-core
    /// machine the nodes share the CPUs, so it is not faster either: 1.0–1.4× measured); the hop
    /// costs at most 100 ms more than a local inject; an agent costs under 1 MiB.
    func gate(_ result: Result) -> BenchmarkGate {
        var gate = BenchmarkGate()
        let spread = Percentiles(result.fanOut[Self.spread] ?? []).value(100) ?? .infinity
        let single = Percentiles(result.fanOut[Self.oneNodeAgent] ?? []).value(100) ?? 0
        gate.require(spread <= single * 2 + 100, "the last pause over \(result.nodes) nodes comes no later than on one node (× 2 + 100 ms)",
                     figures: String(format: "%.1f ms vs %.1f ms", spread, single))
        let agent = Percentiles(result.hop[Self.viaAgent] ?? []).median ?? .infinity
        let local = Percentiles(result.hop[Self.localInject] ?? []).median ?? 0
        gate.require(agent <= local + 100, "a fault through the agent costs at most 100 ms more than a local inject",
                     figures: String(format: "%.1f ms vs %.1f ms", agent, local))
        gate.require(result.bytesPerConnection < 1024 * 1024, "a connected agent costs the coordinator under 1 MiB",
                     figures: String(format: "%.0f KiB", result.bytesPerConnection / 1024))
        return gate
    }
}

/// `faultline-bench fleet`: the fan-out and hop figures on a fleet that is up.
struct FleetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Fleet fan-out (pause events over N nodes vs one node) and the coordinator → agent cost per fault vs a local inject.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var fleet: FleetOption
    @Option(name: .long, help: "Containers paused in the fan-out window.") var containers = 30
    @Option(name: .long, help: "Measured pause+end rounds per way (after 3 warm-up rounds).") var rounds = 20
    @Option(name: .long, help: "Extra agent clients for the per-agent cost.") var connections = 30
    @Option(name: .long, help: "Image for the throw-away containers (on every node).") var image = "faultline-test/hostroot:1"
    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...300).contains(containers), (1...1000).contains(rounds), (1...1000).contains(connections) else {
            throw ValidationError("--containers 1…300, --rounds 1…1000, --connections 1…1000")
        }
        let logger = try global.makeLogger()
        let bed = try await BenchFleet.connect(fleet, global: global, logger: logger, hint: "scripts/fleet.sh up 3 writes /tmp/faultline-fleet/fleet.yaml")
        let work = try BenchWorkDirectory.make("fleet")
        defer { BenchWorkDirectory.remove(work) }
        let first = bed.description.nodes[0].name
        let local = FaultInjector(environment: .live(engine: bed.engines[first]!, logger: logger), ledger: try FaultLedger(stateDirectory: work + "/state"),
                                  revertTimeout: .seconds(30))
        try await FleetBenchmark(agents: bed.agents, engines: bed.engines, local: local, containers: containers, rounds: rounds,
                                 connections: connections, image: image).measure(gate: gate.gate)
    }
}
