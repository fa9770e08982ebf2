import ArgumentParser
import Campaign
import Daemon
import DockerEngine
import FaultlineSupport
import Foundation

/// `faultline daemon`: the long-running service (API on a unix socket, schedules, metrics, warden).
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the faultline daemon: an HTTP API on STATE_DIR/daemon.sock (mode 0600) for submitting, following and aborting runs, schedules and metrics.",
        discussion: """
            Start-up reverts whatever a crashed run left (ledger recovery) and marks runs the crash
            interrupted. SIGTERM/SIGINT abort every run and exit once everything injected is reverted.
            A warden process (`faultline warden`) is started beside it: if the daemon dies, the warden
            reverts its faults. See README "Running the daemon" and docs/daemon-api.md.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Also listen on TCP, HOST:PORT (an IP address or localhost; needs a token).")
    var tcp: String?

    @Option(name: .long, help: "File holding the bearer token every TCP request must carry (mode 0600; default: $FAULTLINE_TOKEN); 16+ characters.")
    var tokenFile: String?

    @Option(name: .long, help: .hidden)
    var token: String?

    @Option(name: .long, help: "The agent's certificate (PEM) for mutual TLS on --tcp; required beyond loopback (`faultline certs` makes it).")
    var tlsCert: String?

    @Option(name: .long, help: "The private key of --tls-cert (PEM).")
    var tlsKey: String?

    @Option(name: .long, help: "The CA (PEM) whose certificates this agent accepts from coordinators.")
    var tlsCa: String?

    @Option(name: .long, help: "Coordinate a fleet: campaigns submitted to this daemon act on the containers of the nodes this fleet file names, through their agents (only this option sets it, not $FAULTLINE_FLEET).")
    var fleet: String?

    @Flag(name: .long, help: "Let campaigns submitted over TCP run command probes (programs run as the daemon's user).")
    var allowCommandProbes = false

    @Option(name: .customLong("probe-allow"), help: "As a fleet's agent: a host, address or IPv4 range (10.0.0.0/8) that coordinators' probes may connect to (repeatable; names are matched as written, never resolved). Without it, any.")
    var probeAllow: [String] = []

    @Flag(name: .long, help: "Do not start the warden (the dead-man switch).")
    var noWarden = false

    func run() async throws {
        let logger = try global.makeLogger(label: "faultline.daemon")
        let listener: ListenerAddress?
        do { listener = try tcp.map { text throws(ListenerAddressError) in try ListenerAddress.parse(text) } } catch { throw ValidationError(error.description) }
        let secret = try TokenSource.read(argument: token, file: tokenFile)
        let tls: TLSFiles?
        switch (tlsCert, tlsKey, tlsCa) {
        case (nil, nil, nil): tls = nil
        case (let cert?, let key?, let ca?): tls = TLSFiles(certificate: cert, key: key, certificateAuthority: ca)
        default: throw ValidationError("mutual TLS takes all three of --tls-cert, --tls-key and --tls-ca")
        }
        var options = DaemonService.Options(stateDirectory: global.resolvedStateDirectory, tcp: listener, token: secret, tls: tls,
                                            allowCommandProbesOverTCP: allowCommandProbes)
        do { options.probeDestinations = try ProbeDestinations(probeAllow) } catch { throw ValidationError(error.description) }
        if let fleet {
            options.fleet = try FleetAgents(try FleetDescription.load(fleet), engineCallTimeout: try global.engineCallTimeout(), logger: logger)
        }
        do { try DaemonService.validate(options) } catch { throw ValidationError(error.description) }
        let metrics = DaemonMetrics()
        metrics.bootstrapMetricsSystem()
        let engine = try await global.connect(logger: logger, observer: metrics)
        let service = DaemonService(options: options, engine: engine, metrics: metrics, logger: logger)
        let state = global.resolvedStateDirectory, start = !noWarden, global = global
        try await service.run {
            if start { WardenLauncher.start(options: global) }
            Output.note("faultline daemon ready on \(DaemonPaths(stateDirectory: state).socket) (pid \(getpid()))")
        }
    }
}

/// `faultline warden`: the dead-man switch the daemon and `run` start; rarely run by hand.
struct WardenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Watch the ledger: revert every fault whose faultline process died or whose deadline passed; exit when none is left.")

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "How long to stay once nothing is open and no faultline process beats (e.g. 60s).")
    var linger = "0s"

    func run() async throws {
        let logger = try global.makeLogger(label: "faultline.warden")
        let endpoint = try global.endpoint(), timeout = try global.engineCallTimeout()
        var warden = Warden(stateDirectory: global.resolvedStateDirectory, logger: logger)
        warden.linger = try DurationText.parse(linger)
        let exit = try await warden.run { try await DockerEngineClient.connect(to: endpoint, logger: logger, callTimeout: timeout) }
        logger.info("warden exits", metadata: ["why": "\(exit)"])
    }
}
