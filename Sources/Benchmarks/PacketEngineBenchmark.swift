import ArgumentParser
import DockerEngine
import FaultlineCLI
import FaultlineSupport
import FaultProxy
import Foundation
import Glibc
import Logging
import Synchronization

/// The packet fault's engine between two containers on the engine's default bridge, side by side
/// with the same traffic on a port no rule takes and through faultline's TCP proxy (on the host's
/// end of the bridge, the client pointed at it), in one run: what the engine costs with nothing
/// added (UDP and TCP round trips, interleaved; a TCP stream's throughput), how close the delay it adds is
/// to the asked one at 1,000 packets/s (50, 200, 2000 ms: p50 and p99), the jitter's mean and spread
/// against the asked ones, loss and burst length against the asked ones, and its CPU per 10,000 packets.
struct PacketEngineBenchmark: Benchmark {
    static let name = "packet"
    /// Echoed UDP under the fault, and beside it on a port no rule takes; a TCP sink likewise.
    static let faultedUDP: UInt16 = 9999, clearUDP: UInt16 = 9998, faultedTCP: UInt16 = 9997, clearTCP: UInt16 = 9996
    static let faultedTCPEcho: UInt16 = 9995, clearTCPEcho: UInt16 = 9994
    static let delays = [50, 200, 2000]

    let faultline: String
    /// The container the fault acts on (the server side), and the client's.
    let server: (name: String, pid: Int, address: String)
    let clientPID: Int
    /// The host's address on the bridge, where the TCP proxy listens.
    let gateway: String
    let logger: Logger
    let roundTrips: Int
    let paced: Int
    let streamSeconds: Double
    let workDirectory: String

    struct Figures {
        var roundTrip: [String: [Double]] = [:]        // path → µs (UDP)
        var tcpRoundTrip: [String: [Double]] = [:]     // path → µs
        var streamBytesPerSecond: [String: Double] = [:]
        /// Asked delay (ms) → the added delays measured (ms), and how many of the packets came back.
        var delayed: [Int: [Double]] = [:]
        var jitter: [Double] = []
        var lossShare = Double.nan
        var meanBurst = Double.nan
        var cpuMillisecondsPer10k = Double.nan
    }

    static let clear = "no rule", engine = "through the engine (0 ms asked)", proxy = "through faultline's TCP proxy (no toxics)"

    func run() async throws -> Figures {
        var figures = Figures()
        let echoes = try [Self.faultedUDP, Self.clearUDP].map { try UDPEcho(inNamespaceOf: server.pid, port: $0) }
        let sinks = try [Self.faultedTCP, Self.clearTCP].map { try TCPSink(inNamespaceOf: server.pid, port: $0) }
            + [Self.faultedTCPEcho, Self.clearTCPEcho].map { try TCPSink(inNamespaceOf: server.pid, port: $0, echo: true) }
        defer {
            echoes.forEach { $0.stop() }
            sinks.forEach { $0.stop() }
        }
        // The proxy's way: the client pointed at the host's end of the bridge, forwarded to the server.
        let streamProxy = try await ProxyServer.start(listenHost: gateway, listenPort: 0, upstreamHost: server.address, upstreamPort: Int(Self.clearTCP), logger: logger)
        let echoProxy = try await ProxyServer.start(listenHost: gateway, listenPort: 0, upstreamHost: server.address, upstreamPort: Int(Self.clearTCPEcho), logger: logger)
        defer { Task { await streamProxy.stop(); await echoProxy.stop() } }
        let client = try NetworkNamespaceThread.run(inNamespaceOf: clientPID) { try UDPEcho.clientSocket() }
        defer { close(client) }

        // Nothing added: round trips interleaved on both ports, then a TCP stream on each.
        var baseline = 0.0
        try await withFault(["--delay", "0s", "--port", "\(Self.faultedUDP)/udp", "--port", String(Self.faultedTCP), "--port", String(Self.faultedTCPEcho)]) { _ in
            for round in 0..<(roundTrips + 200) {
                for (name, port) in [(Self.engine, Self.faultedUDP), (Self.clear, Self.clearUDP)] {
                    let microseconds = try UDPEcho.roundTrip(client, to: server.address, port: port) * 1000
                    if round >= 200 { figures.roundTrip[name, default: []].append(microseconds) }
                }
            }
            baseline = (Percentiles(figures.roundTrip[Self.clear] ?? []).median ?? 0) / 1000
            let paths = [(Self.engine, server.address, Self.faultedTCPEcho), (Self.clear, server.address, Self.clearTCPEcho),
                         (Self.proxy, gateway, UInt16(echoProxy.listenPort))]
            let connections = try paths.map { try TCPSink.connection(fromNamespaceOf: clientPID, to: $0.1, port: $0.2) }
            defer { connections.forEach { close($0) } }
            for round in 0..<(roundTrips + 200) {
                for (path, connection) in zip(paths, connections) {
                    let microseconds = try TCPSink.roundTrip(connection)
                    if round >= 200 { figures.tcpRoundTrip[path.0, default: []].append(microseconds) }
                }
            }
            for (name, host, port) in [(Self.engine, server.address, Self.faultedTCP), (Self.clear, server.address, Self.clearTCP),
                                       (Self.proxy, gateway, UInt16(streamProxy.listenPort))] {
                figures.streamBytesPerSecond[name] = try TCPSink.stream(fromNamespaceOf: clientPID, to: host, port: port, seconds: streamSeconds)
            }
        }
        // The asked delays at 1,000 packets/s: what each packet's round trip gained over the baseline.
        var cpu = Duration.zero, engineBoundPackets = 0
        for delay in Self.delays {
            try await withFault(["--delay", "\(delay)ms", "--direction", "inbound", "--port", "\(Self.faultedUDP)/udp"]) { engine in
                let before = ResourceUsage.cpuTime(ofProcess: engine)
                let trips = try UDPEcho.paced(client, to: server.address, port: Self.faultedUDP, count: paced, perSecond: 1000, wait: .milliseconds(delay + 1000))
                cpu += ResourceUsage.cpuTime(ofProcess: engine) - before
                engineBoundPackets += paced
                figures.delayed[delay] = trips.compactMap { $0.map { $0 - baseline } }
            }
        }
        figures.cpuMillisecondsPer10k = cpu.milliseconds / Double(engineBoundPackets) * 10_000
        try await withFault(["--delay", "100ms", "--jitter", "20ms", "--direction", "inbound", "--port", "\(Self.faultedUDP)/udp"]) { _ in
            let trips = try UDPEcho.paced(client, to: server.address, port: Self.faultedUDP, count: paced, perSecond: 1000, wait: .milliseconds(1500))
            figures.jitter = trips.compactMap { $0.map { $0 - baseline } }
        }
        try await withFault(["--loss", "0.1", "--loss-burst", "4", "--direction", "inbound", "--port", "\(Self.faultedUDP)/udp"]) { _ in
            let trips = try UDPEcho.paced(client, to: server.address, port: Self.faultedUDP, count: paced * 2, perSecond: 1000, wait: .milliseconds(1000))
            let lost = trips.filter { $0 == nil }.count
            let runs = zip([Optional(0.0)] + trips, trips).filter { $0.0 != nil && $0.1 == nil }.count
            figures.lossShare = Double(lost) / Double(trips.count)
            figures.meanBurst = runs > 0 ? Double(lost) / Double(runs) : .nan
        }
        return figures
    }

    /// `faultline inject packet SERVER OPTIONS --for 600s` until it says injected; `body` gets the
    /// engine's PID; then SIGTERM (the inject reverts) and its exit.
    func withFault(_ options: [String], _ body: (Int) async throws -> Void) async throws {
        let (child, _) = try await InjectedFault.start(faultline, ["inject", "packet", server.name] + options + ["--for", "600s", "--state-dir", workDirectory + "/state"],
                                                       log: workDirectory + "/inject-\(UUID().uuidString.prefix(6)).log")
        defer { InjectedFault.end(child) }
        try await body(try InjectedFault.helper("packet-engine", inNamespaceOf: server.pid))
    }

    func report(_ figures: Figures) -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.2f ms", $0) } ?? "-" }
        let clear = Percentiles(figures.roundTrip[Self.clear] ?? []), through = Percentiles(figures.roundTrip[Self.engine] ?? [])
        var lines = ["### packet engine between two containers (\(roundTrips) UDP and TCP round trips per path, interleaved; TCP stream \(ParameterTextsFormat.seconds(streamSeconds)) per path; \(paced) packets at 1,000/s per asked delay)", ""]
        lines.append("| path | UDP round trip p50 | p99 | TCP round trip p50 | p99 | TCP stream |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        func microseconds(_ value: Double?) -> String { value.map { String(format: "%.0f µs", $0) } ?? "- (TCP only)" }
        for name in [Self.clear, Self.engine, Self.proxy] {
            let udp = Percentiles(figures.roundTrip[name] ?? []), tcp = Percentiles(figures.tcpRoundTrip[name] ?? [])
            lines.append(String(format: "| %@ | %@ | %@ | %@ | %@ | %.0f MB/s |", name, microseconds(udp.median), microseconds(udp.value(99)),
                                microseconds(tcp.median), microseconds(tcp.value(99)), (figures.streamBytesPerSecond[name] ?? .nan) / 1e6))
        }
        lines += ["", "| asked | came back | added p50 | p99 | p50 − asked | p99 − asked |", "|---:|---:|---:|---:|---:|---:|"]
        for delay in Self.delays {
            let added = Percentiles(figures.delayed[delay] ?? [])
            lines.append(String(format: "| %d ms | %d of %d | %@ | %@ | %+.2f ms | %+.2f ms |", delay, added.count, paced, ms(added.median), ms(added.value(99)),
                                (added.median ?? .nan) - Double(delay), (added.value(99) ?? .nan) - Double(delay)))
        }
        let (mean, deviation) = Self.meanAndDeviation(figures.jitter)
        lines.append("")
        lines.append(String(format: "The engine adds %.0f µs at p50 and %.0f µs at p99 per round trip with nothing asked and keeps %.0f%% of the TCP stream's throughput; it used %.0f ms of CPU per 10,000 delayed packets. 100 ms ± 20 ms (normal) asked: %.1f ms ± %.1f ms measured. 10%% loss in bursts of 4 asked: %.1f%% lost in bursts of %.1f.",
                            (through.median ?? .nan) - (clear.median ?? .nan), (through.value(99) ?? .nan) - (clear.value(99) ?? .nan),
                            (figures.streamBytesPerSecond[Self.engine] ?? .nan) / (figures.streamBytesPerSecond[Self.clear] ?? .nan) * 100,
                            figures.cpuMillisecondsPer10k, mean, deviation, figures.lossShare * 100, figures.meanBurst))
        return lines.joined(separator: "\n")
    }

    static func meanAndDeviation(_ values: [Double]) -> (Double, Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        return (mean, (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot())
    }

    /// `--gate`: every asked delay within ±2 ms at p50 and −2…+10 ms at p99 with every packet back
    /// (the criterion); the jitter's mean and spread within 3 ms of the asked (≥ 8 standard
    /// errors over 3,000 packets); the loss share within 4 points (bursts make 6,000 packets worth
    /// ~750 independent ones: ±1.1 points is one standard error) and the bursts within one packet
    /// of the asked; with nothing asked the
    /// engine adds under a millisecond per round trip and keeps a tenth of the stream's throughput.
    func gate(_ figures: Figures) -> BenchmarkGate {
        var gate = BenchmarkGate()
        for delay in Self.delays {
            let added = Percentiles(figures.delayed[delay] ?? [])
            let p50 = (added.median ?? .infinity) - Double(delay), p99 = (added.value(99) ?? .infinity) - Double(delay)
            gate.require(added.count == paced && abs(p50) <= 2 && (-2...10).contains(p99), "\(delay) ms asked: every packet back, p50 within ±2 ms, p99 within −2…+10 ms",
                         figures: String(format: "%d of %d back, p50 %+.2f ms, p99 %+.2f ms", added.count, paced, p50, p99))
        }
        let (mean, deviation) = Self.meanAndDeviation(figures.jitter)
        gate.require(abs(mean - 100) <= 3 && abs(deviation - 20) <= 3, "100 ms ± 20 ms asked: mean and spread within 3 ms",
                     figures: String(format: "%.1f ms ± %.1f ms", mean, deviation))
        gate.require(abs(figures.lossShare - 0.1) <= 0.04 && abs(figures.meanBurst - 4) <= 1, "10% loss in bursts of 4 asked: share within 4 points, bursts within 1",
                     figures: String(format: "%.1f%% in bursts of %.1f", figures.lossShare * 100, figures.meanBurst))
        let added = (Percentiles(figures.roundTrip[Self.engine] ?? []).median ?? .infinity) - (Percentiles(figures.roundTrip[Self.clear] ?? []).median ?? 0)
        gate.require(added < 1000, "with nothing asked the engine adds under 1 ms per round trip at p50", figures: String(format: "%.0f µs", added))
        let share = (figures.streamBytesPerSecond[Self.engine] ?? 0) / max(figures.streamBytesPerSecond[Self.clear] ?? 1, 1)
        gate.require(share > 0.1, "a TCP stream through the engine keeps above 10% of its throughput", figures: String(format: "%.0f%%", share * 100))
        return gate
    }
}

/// `faultline-bench packet`: the packet fault's engine against no rule between two containers.
struct PacketEngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packet",
        abstract: "The packet engine between two containers: round trips and TCP throughput against no rule, asked vs measured delay (50/200/2000 ms) at 1,000 packets/s, jitter, loss bursts, CPU per 10,000 packets.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "UDP round trips per path with nothing asked.") var roundTrips = 3000
    @Option(name: .long, help: "Packets at 1,000/s per asked delay (twice as many for loss).") var packets = 3000
    @Option(name: .long, help: "Seconds of TCP stream per path.") var streamSeconds = 2.0
    @Option(name: .long, help: "Image for the throw-away containers (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (100...1_000_000).contains(roundTrips) else { throw ValidationError("--round-trips must be between 100 and 1000000") }
        guard (500...600_000).contains(packets) else { throw ValidationError("--packets must be between 500 and 600000") }
        guard (0.5...600).contains(streamSeconds) else { throw ValidationError("--stream-seconds must be between 0.5 and 600") }
        let context = try await CommandContext.make(global)
        let faultline = try FaultlineBinary.beside()
        let work = try BenchWorkDirectory.make("packet")
        defer { BenchWorkDirectory.remove(work) }
        try await BenchContainers.with(2, image: image, engine: context.engine, networkMode: "bridge") { containers in
            let server = try await context.engine.inspectContainer(containers[0].id)
            let client = try await context.engine.inspectContainer(containers[1].id)
            guard let address = server.networkSettings.networks?["bridge"]?.ipAddress, !address.isEmpty else {
                throw BenchmarkError(message: "container \(containers[0].name) has no address on the default bridge")
            }
            guard let gateway = server.networkSettings.networks?["bridge"]?.gateway, !gateway.isEmpty else {
                throw BenchmarkError(message: "the default bridge of \(containers[0].name) has no gateway (the host's address there) for the TCP proxy")
            }
            try await PacketEngineBenchmark(faultline: faultline, server: (containers[0].name, server.state.pid, address), clientPID: client.state.pid,
                                            gateway: gateway, logger: context.logger, roundTrips: roundTrips, paced: packets, streamSeconds: streamSeconds, workDirectory: work).measure(gate: gate.gate)
        }
    }
}
