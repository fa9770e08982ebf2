import ArgumentParser
import FaultlineCLI
import FaultlineSupport
import Fixtures
import Foundation
import Glibc

/// The http fault terminating TLS with a campaign's CA (nothing matched), side by side with a
/// direct HTTPS call in one run: two identical HTTPS servers in one container's network namespace,
/// one on the fault's port and one beside it, and calls of one fresh connection each (handshake,
/// one request, the response, the close) interleaved between them. Through the fault a call costs
/// two handshakes (client–proxy with a certificate the CA signed for the name, proxy–server with
/// the server's certificate checked) and a proxy hop; the figure is what that adds per call.
struct TransparentHTTPSBenchmark: Benchmark {
    static let name = "transparent-https"
    static let faultedPort: UInt16 = 18443
    static let directPort: UInt16 = 18444
    static let serverName = "bench.test"
    static let direct = "direct HTTPS"
    static let terminated = "through the http fault terminating TLS (nothing matched)"

    let faultline: String
    let container: String
    let pid: Int
    let calls: Int
    let workDirectory: String

    struct Result {
        var call: [String: [Double]] = [:]   // path → milliseconds
        var injectMilliseconds: Double = .nan
    }

    func run() async throws -> Result {
        // The campaign's CA (the fault signs with it), the server's CA, and the server's certificate.
        let campaign = try ThrowawayCertificates.authority("campaign", in: workDirectory)
        let serverAuthority = try ThrowawayCertificates.authority("server", in: workDirectory)
        let server = try serverAuthority.server(["DNS:\(Self.serverName)"])
        let servers = try [Self.faultedPort, Self.directPort].map { port in
            try TLSLoopback.Server(listener: try NetworkNamespaceThread.socket(inNamespaceOf: pid, port: port, listen: true),
                                   certificate: server.certificate, key: server.key)
        }
        defer { servers.forEach { $0.stop() } }
        let (child, took) = try await InjectedFault.start(faultline, ["inject", "http", container, "--port", String(Self.faultedPort), "--path", "^/never-matched$",
                                                                      "--status", "500", "--tls-ca", campaign.authority, "--tls-ca-key", campaign.authorityKey,
                                                                      "--tls-upstream-ca", serverAuthority.authority, "--for", "600s", "--state-dir", workDirectory + "/state"],
                                                          log: workDirectory + "/inject.log")
        defer { InjectedFault.end(child) }
        var result = Result(injectMilliseconds: took.milliseconds)
        let trustingServer = try TLSLoopback.clientContext(trusting: serverAuthority.authority)
        let trustingCampaign = try TLSLoopback.clientContext(trusting: campaign.authority)
        // The terminated path really is terminated: a client trusting only the server's CA is refused.
        if (try? TLSLoopback.call(try connect(Self.faultedPort), name: Self.serverName, context: trustingServer)) != nil {
            throw BenchmarkError(message: "a call on the fault's port was not terminated by faultline's proxy")
        }
        let paths = [(Self.direct, Self.directPort, trustingServer), (Self.terminated, Self.faultedPort, trustingCampaign)]
        for round in 0..<(calls + 20) {  // interleaved; the first 20 are warm-up
            for (name, port, context) in paths {
                let socket = try connect(port)
                let start = ContinuousClock.now
                do { try TLSLoopback.call(socket, name: Self.serverName, context: context) } catch { throw BenchmarkError(message: "\(name), call \(round): \(error)") }
                if round >= 20 { result.call[name, default: []].append((ContinuousClock.now - start).milliseconds) }
            }
        }
        return result
    }

    /// A connection made inside the namespace (the redirect sees it as the container's own call).
    func connect(_ port: UInt16) throws -> Int32 { try NetworkNamespaceThread.socket(inNamespaceOf: pid, port: port, listen: false) }

    func report(_ result: Result) -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.2f ms", $0) } ?? "-" }
        let direct = Percentiles(result.call[Self.direct] ?? []), through = Percentiles(result.call[Self.terminated] ?? [])
        var lines = ["### http fault terminating TLS, nothing matched (\(calls) calls per path, each a fresh connection: handshake, one request, response; interleaved; one container's namespace)", ""]
        lines.append("| path | call p50 | p99 |")
        lines.append("|---|---:|---:|")
        for (name, stats) in [(Self.direct, direct), (Self.terminated, through)] {
            lines.append("| \(name) | \(ms(stats.median)) | \(ms(stats.value(99))) |")
        }
        lines.append("")
        lines.append(String(format: "Terminating TLS adds %.2f ms at p50 and %.2f ms at p99 per call on a fresh connection (a second handshake, to the server, and the proxy hop); `faultline inject http --tls-ca …` took %.0f ms to put it in place.",
                            (through.median ?? .nan) - (direct.median ?? .nan), (through.value(99) ?? .nan) - (direct.value(99) ?? .nan), result.injectMilliseconds))
        return lines.joined(separator: "\n")
    }

    /// `--gate`: a terminated call costs under 10 ms more than a direct one at p50 (it measured
    /// ~2–3 ms here), so a proxy that re-signs per call or waits on something shows.
    func gate(_ result: Result) -> BenchmarkGate {
        var gate = BenchmarkGate()
        let added = (Percentiles(result.call[Self.terminated] ?? []).median ?? .infinity) - (Percentiles(result.call[Self.direct] ?? []).median ?? 0)
        gate.require(added < 10, "terminating TLS adds under 10 ms per fresh-connection call at p50", figures: String(format: "%.2f ms", added))
        return gate
    }
}

/// `faultline-bench transparent-https`: the http fault terminating TLS against a direct HTTPS call.
struct TransparentHTTPSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transparent-https",
        abstract: "The http fault terminating TLS with a campaign's CA (nothing matched) vs a direct HTTPS call inside a container: added time per fresh-connection call (p50/p99).")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Measured calls per path (each a fresh connection).") var calls = 500
    @Option(name: .long, help: "Image for the throw-away container (built by scripts/setup.sh).") var image = "faultline-test/hostroot:1"

    @OptionGroup var gate: GateOption

    func run() async throws {
        guard (1...100_000).contains(calls) else { throw ValidationError("--calls must be between 1 and 100000") }
        let context = try await CommandContext.make(global)
        let faultline = try FaultlineBinary.beside()
        let work = try BenchWorkDirectory.make("transparent-https")
        defer { BenchWorkDirectory.remove(work) }
        try await BenchContainers.with(1, image: image, engine: context.engine) { containers in
            let pid = try await context.engine.inspectContainer(containers[0].id).state.pid
            try await TransparentHTTPSBenchmark(faultline: faultline, container: containers[0].name, pid: pid, calls: calls, workDirectory: work).measure(gate: gate.gate)
        }
    }
}
