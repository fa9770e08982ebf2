import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import Logging
import ServiceLifecycle

/// `faultline daemon`: recovers what a crashed run left, marks runs a crash interrupted, then
/// serves the API on a unix socket (mode 0600) and, when asked, on TCP with a bearer token, fires
/// schedules and beats its heartbeat — as one service group. SIGTERM or SIGINT aborts every run,
/// waits until everything injected is reverted, and only then stops serving.
public struct DaemonService: Sendable {
    public struct Options: Sendable {
        public var stateDirectory: String
        /// The TCP listener's address; nil for none.
        public var tcp: ListenerAddress?
        /// The bearer token every TCP request must carry (required with `tcp`).
        public var token: String?
        /// Mutual TLS on the TCP listener (required for a listener beyond loopback).
        public var tls: TLSFiles?
        /// The fleet whose nodes' containers submitted campaigns act on (this daemon coordinates).
        public var fleet: (any NodeFaults)?
        /// Whether campaigns submitted over TCP may run `command` probes (programs run as the
        /// daemon's user). The unix socket (0600) is its owner's, who may run them anyway.
        public var allowCommandProbesOverTCP: Bool
        /// Where probes a coordinator asks this agent to run may connect (empty: anywhere).
        public var probeDestinations = ProbeDestinations.any
        public var environment: [String: String]

        public init(stateDirectory: String, tcp: ListenerAddress? = nil, token: String? = nil, tls: TLSFiles? = nil,
                    allowCommandProbesOverTCP: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.stateDirectory = stateDirectory
            self.tls = tls
            self.tcp = tcp
            self.token = token
            self.allowCommandProbesOverTCP = allowCommandProbesOverTCP
            self.environment = environment
        }
    }

    /// Why the daemon does not start.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    let options: Options
    let engine: DockerEngineClient
    let metrics: DaemonMetrics
    let logger: Logger

    public init(options: Options, engine: DockerEngineClient, metrics: DaemonMetrics, logger: Logger) {
        self.options = options
        self.engine = engine
        self.metrics = metrics
        self.logger = logger
    }

    /// Checks the options before anything starts: every TCP listener needs a token (on loopback
    /// too: every local user, and every web page a local browser opens, can reach loopback).
    public static func validate(_ options: Options) throws(StartError) {
        if let tcp = options.tcp, (options.token ?? "").isEmpty {
            throw StartError(description: "refusing to listen on \(tcp.host):\(tcp.port) without a token: anyone who reaches it, loopback included, could run faults as this user; put a token of 16+ characters in a file (--token-file, mode 0600) or in FAULTLINE_TOKEN")
        }
        if let token = options.token, !token.isEmpty, token.count < 16 {
            throw StartError(description: "the token is \(token.count) characters; use at least 16 (e.g. `openssl rand -hex 16`)")
        }
        if let tcp = options.tcp, options.tls == nil, !LoopbackAddress.contains(tcp.host) {
            throw StartError(description: "refusing to listen on \(tcp.host):\(tcp.port) without TLS: beyond loopback a token alone travels in clear text; give --tls-cert, --tls-key and --tls-ca (`faultline certs` makes them)")
        }
        if options.tls != nil, options.tcp == nil {
            throw StartError(description: "--tls-cert, --tls-key and --tls-ca secure the TCP listener: give --tcp HOST:PORT too")
        }
        _ = try options.tls?.serverConfiguration()
    }

    /// Idle or incomplete requests are closed after this long, so half-open connections cannot pile up.
    static let idleTimeout: TimeAmount = .seconds(10)
    /// Descriptors kept free for the ledger, the engine, journals and probes whatever clients do.
    static let reservedDescriptors = 192

    /// How many connections each listener accepts at once: what the descriptor limit leaves after
    /// the reserve, shared by the listeners, between 8 and 256. Raises the soft limit to the hard one first.
    static func connectionsPerListener(listeners: Int) -> Int {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let available = Int(min(limit.rlim_cur, 1 << 20)) - reservedDescriptors
        return max(8, min(256, available / max(1, listeners)))
    }

    public func run(onReady: @escaping @Sendable () -> Void = {}) async throws {
        try Self.validate(options)
        let paths = DaemonPaths(stateDirectory: options.stateDirectory)
        umask(0o077)
        try TrustedDirectory.prepare(paths.stateDirectory, purpose: "state directory")
        let lock = try DaemonLock.acquire(in: paths.stateDirectory)
        defer { lock.release() }

        let ledger = try FaultLedger(stateDirectory: paths.stateDirectory)
        let recovery = try await LedgerRecovery(environment: .live(engine: engine, logger: logger), ledger: ledger).recover()
        for item in recovery.reverted {
            logger.notice("start-up recovery", metadata: ["fault": "\(item.entry.faultID)", "target": "\(item.entry.targetName)",
                                                          "result": "\(item.result.map(\.description))"])
        }
        let registry = try RunRegistry(engine: engine, ledger: ledger, paths: paths, metrics: metrics, logger: logger,
                                       environment: options.environment, fleet: options.fleet)
        let interrupted = await registry.loadRecords(recovered: recovery.reverted.count)
        for run in interrupted { logger.notice("run interrupted by the previous daemon", metadata: ["run": "\(run.id)"]) }
        let schedules = ScheduleBook(path: paths.schedules, logger: logger)
        let faults = AgentFaults(environment: .live(engine: engine, logger: logger), ledger: ledger, metrics: metrics, logger: logger)
        let state = DaemonState(registry: registry, schedules: schedules, metrics: metrics, engine: engine, paths: paths,
                                environment: options.environment, faults: faults)

        var services: [any Service] = []
        let perListener = Self.connectionsPerListener(listeners: options.tcp == nil ? 1 : 2)
        // Ready once every listener accepts connections (the TCP one may come up after the socket).
        let ready = ReadyLatch(count: options.tcp == nil ? 1 : 2, then: onReady)
        let server = HTTPServerBuilder.http1(configuration: .init(idleTimeout: Self.idleTimeout))
        let socketApp = Application(router: APIRoutes.router(daemon: state, listener: .unixSocket(probeDestinations: options.probeDestinations)), server: server,
                                    configuration: .init(address: .unixDomainSocket(path: paths.socket), serverName: "faultline",
                                                         availableConnectionsDelegate: MaximumAvailableConnections(perListener, logger: logger)),
                                    onServerRunning: { _ in
                                        chmod(paths.socket, 0o600)
                                        ready.arrive()
                                    },
                                    logger: logger)
        services.append(socketApp)
        if let tcp = options.tcp, let token = options.token {
            let listener = APIRoutes.Listener(token: token, allowedHosts: RequestGuardMiddleware.hosts(listeningOn: tcp.host, port: tcp.port),
                                              allowsCommandProbes: options.allowCommandProbesOverTCP,
                                              probeDestinations: options.probeDestinations)
            var tcpServer = server
            if let tls = options.tls {
                let refusals = logger
                tcpServer = try .tls(.http1(configuration: .init(additionalChannelHandlers: [TLSRefusalLogger(logger: refusals)], idleTimeout: Self.idleTimeout)),
                                     tlsConfiguration: try tls.serverConfiguration())
            }
            services.append(Application(router: APIRoutes.router(daemon: state, listener: listener), server: tcpServer,
                                        configuration: .init(address: .hostname(tcp.host, port: tcp.port), serverName: "faultline",
                                                             availableConnectionsDelegate: MaximumAvailableConnections(perListener, logger: logger)),
                                        onServerRunning: { _ in ready.arrive() },
                                        logger: logger))
        }
        logger.info("listeners", metadata: ["connections_per_listener": "\(perListener)", "idle_timeout": "\(Self.idleTimeout)"])
        let heartbeat = Heartbeat(directory: paths.heartbeats)
        heartbeat.beat()
        services.append(heartbeat)
        services.append(ScheduleService(book: schedules, registry: registry, logger: logger))
        // Last, so that it is the first to hear of a shutdown (services stop in reverse order).
        services.append(RunsShutdown(registry: registry, faults: faults))
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        logger.info("daemon started", metadata: ["socket": "\(paths.socket)", "pid": "\(getpid())"])
        do {
            try await group.run()
        } catch {
            await registry.shutdown(reason: "the daemon is stopping after an error: \(error)")
            await faults.shutdown()
            heartbeat.remove()
            throw error
        }
        heartbeat.remove()
        try? FileManager.default.removeItem(atPath: paths.socket)
        logger.info("daemon stopped; everything injected was reverted")
    }
}

/// Waits for the shutdown signal, then aborts every run and ends every fault held for a
/// coordinator, and waits until each has reverted.
struct RunsShutdown: Service {
    let registry: RunRegistry
    let faults: AgentFaults

    func run() async throws {
        try? await gracefulShutdown()
        async let runs: Void = registry.shutdown(reason: "the daemon is shutting down")
        await faults.shutdown()
        await runs
    }
}
