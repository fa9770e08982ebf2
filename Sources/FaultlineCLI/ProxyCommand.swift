import ArgumentParser
import FaultProxy
import FaultlineSupport
import Foundation

/// `faultline proxy`: a TCP proxy with toxics, in the foreground, until SIGINT/SIGTERM or `--for`.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "A TCP proxy with toxics (latency, bandwidth, timeout, reset_peer, slow_close, slicer, limit_data): latency on any kernel.",
        discussion: """
        Point the client at the listen address instead of the service. A toxic is TYPE[=VALUE][,option=value…]:
          latency=200ms[,jitter=50ms]   bandwidth=64kbps|1mbit   timeout[=2s]   reset_peer[=500ms]
          slow_close=1s   slicer=64[,variation=16,delay=1ms]   limit_data=1024
        and every toxic takes stream=downstream|upstream (default downstream) and toxicity=0…1 (share of connections).
        """)

    @Option(name: .long, help: "Listen address, HOST:PORT (default host 127.0.0.1).") var listen: String
    @Option(name: .long, help: "Where to forward, HOST:PORT.") var upstream: String
    @Option(name: .long, help: "A toxic (repeatable), e.g. latency=200ms,jitter=50ms.") var toxic: [String] = []
    @Option(name: .customLong("for"), help: "Stop after this long (default: until SIGINT/SIGTERM).") var duration: String?
    @Option(name: .long, help: "Event-loop threads.") var threads = 1
    @Flag(name: .long, help: "One JSON object per event.") var json = false

    func run() async throws {
        let (listenHost, listenPort) = try Self.address(listen, defaultHost: "127.0.0.1", option: "--listen")
        let (upstreamHost, upstreamPort) = try Self.address(upstream, defaultHost: nil, option: "--upstream")
        let toxics = try toxic.map { spec -> Toxic in
            do { return try Toxic.parse(spec) } catch { throw ValidationError("--toxic '\(spec)': \(error)") }
        }
        let window = try duration.map { try DurationText.parse($0) }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64") }
        let output = Output(json: json)
        let trap = SignalTrap()
        let proxy = try await ProxyServer.start(listenHost: listenHost, listenPort: listenPort, upstreamHost: upstreamHost,
                                                upstreamPort: upstreamPort, toxics: ToxicSet(toxics), threads: threads,
                                                logger: try GlobalOptions.logger(level: "warning"))
        let described = toxics.isEmpty ? "no toxics" : toxics.map(Self.describe).joined(separator: "; ")
        output.event("listening", "\(listenHost):\(proxy.listenPort) → \(upstreamHost):\(upstreamPort) with \(described)",
                     fields: ["port": .integer(Int64(proxy.listenPort))])
        let signal = await trap.sleep(for: window ?? .seconds(100 * 365 * 86_400))
        await proxy.stop()
        output.event("stopped", "\(proxy.connectionsAccepted) connection(s) proxied" + (signal.map { " (\(SignalTrap.name($0)))" } ?? ""))
        if let signal { throw SignalTrap.exitCode(for: signal) }
    }

    static func address(_ text: String, defaultHost: String?, option: String) throws -> (String, Int) {
        guard let address = ProxyAddress.parse(text, defaultHost: defaultHost) else { throw ValidationError("\(option) '\(text)' is not HOST:PORT") }
        return (address.host, address.port)
    }

    static func describe(_ toxic: Toxic) -> String {
        "\(toxic.typeName) \(toxic.stream.rawValue)" + (toxic.toxicity < 1 ? " (\(Int(toxic.toxicity * 100))% of connections)" : "")
    }
}
