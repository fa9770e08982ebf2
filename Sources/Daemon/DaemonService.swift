import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `faultline daemon`: recovers what a crashed run left, marks runs a crash interrupted, then
/// serves the API on a unix socket (mode 0600) and, when asked, on TCP with a bearer token, fires
/// schedules and beats its heartbeat — as one service group. SIGTERM or SIGINT aborts every run,
/// waits until everything injected is reverted, and only then stops serving.
public struct DaemonService: Sendable {
    public struct Options: Sendable {
        public var stateDirectory: String
        /// `HOST:PORT` for the TCP listener; nil for none.
        public var tcp: (host: String, port: Int)?
        public var token: String?
        public var environment: [String: String]

        public init(stateDirectory: String, tcp: (host: String, port: Int)? = nil, token: String? = nil,
                    environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.stateDirectory = stateDirectory
            self.tcp = tcp
            self.token = token
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

    /// Checks the options before anything starts: a listener beyond loopback needs a token.
    public static func validate(_ options: Options) throws(StartError) {
        if let tcp = options.tcp, !Self.isLoopback(tcp.host), (options.token ?? "").isEmpty {
            throw StartError(description: "refusing to listen on \(tcp.host):\(tcp.port) without a token: anyone who reaches it could inject faults; give --token (or FAULTLINE_TOKEN), or listen on 127.0.0.1")
        }
        if let token = options.token, !token.isEmpty, token.count < 16 {
            throw StartError(description: "the token is \(token.count) characters; use at least 16 (e.g. `openssl rand -hex 16`)")
        }
    }

    static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

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
                                       environment: options.environment)
        let interrupted = await registry.loadRecords(recovered: recovery.reverted.count)
        for run in interrupted { logger.notice("run interrupted by the previous daemon", metadata: ["run": "\(run.id)"]) }
        let schedules = ScheduleBook(path: paths.schedules, logger: logger)
        let state = DaemonState(registry: registry, schedules: schedules, metrics: metrics, engine: engine, paths: paths,
                                environment: options.environment)

        var services: [any Service] = []
        let socketApp = Application(router: APIRoutes.router(daemon: state, token: nil),
                                    configuration: .init(address: .unixDomainSocket(path: paths.socket), serverName: "faultline"),
                                    onServerRunning: { _ in
                                        chmod(paths.socket, 0o600)
                                        onReady()
                                    },
                                    logger: logger)
        services.append(socketApp)
        if let tcp = options.tcp {
            services.append(Application(router: APIRoutes.router(daemon: state, token: options.token?.isEmpty == false ? options.token : nil),
                                        configuration: .init(address: .hostname(tcp.host, port: tcp.port), serverName: "faultline"),
                                        logger: logger))
        }
        let heartbeat = Heartbeat(directory: paths.heartbeats)
        heartbeat.beat()
        services.append(heartbeat)
        services.append(ScheduleService(book: schedules, registry: registry, logger: logger))
        // Last, so that it is the first to hear of a shutdown (services stop in reverse order).
        services.append(RunsShutdown(registry: registry))
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        logger.info("daemon started", metadata: ["socket": "\(paths.socket)", "pid": "\(getpid())"])
        do {
            try await group.run()
        } catch {
            await registry.shutdown(reason: "the daemon is stopping after an error: \(error)")
            heartbeat.remove()
            throw error
        }
        heartbeat.remove()
        try? FileManager.default.removeItem(atPath: paths.socket)
        logger.info("daemon stopped; everything injected was reverted")
    }
}

/// Waits for the shutdown signal, then aborts every run and waits until each has reverted.
struct RunsShutdown: Service {
    let registry: RunRegistry

    func run() async throws {
        try? await gracefulShutdown()
        await registry.shutdown(reason: "the daemon is shutting down")
    }
}
