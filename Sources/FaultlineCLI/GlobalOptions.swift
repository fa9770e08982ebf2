import ArgumentParser
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging

/// Options every command that talks to the engine or the ledger accepts.
public struct GlobalOptions: ParsableArguments, Sendable {
    public init() {}

    @Option(name: .long, help: "State directory holding the fault ledger (default: $FAULTLINE_STATE_DIR, /var/lib/faultline for root).")
    public var stateDir: String?

    @Option(name: .long, help: "Engine address: unix:///path or tcp://host:port, over TLS with $DOCKER_TLS_VERIFY and $DOCKER_CERT_PATH (default: $DOCKER_HOST or /var/run/docker.sock).")
    public var engine: String?

    @Option(name: .long, help: "How long an engine call may take before it fails, naming the call (default 30s).")
    public var engineTimeout: String = "30s"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: String = "warning"

    public func makeLogger(label: String = "faultline") throws -> Logger {
        try Self.logger(level: logLevel, label: label)
    }

    /// A logger writing to stderr at `level` (one of swift-log's level names).
    public static func logger(level logLevel: String, label: String = "faultline") throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
            throw ValidationError("unknown log level '\(logLevel)' (allowed: trace, debug, info, notice, warning, error, critical)")
        }
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    func endpoint() throws -> EngineEndpoint {
        let environment = ProcessInfo.processInfo.environment
        if let engine { return try EngineEndpoint.applyingEnvironmentTLS(to: try EngineEndpoint.parse(engine), environment: environment) }
        return try EngineEndpoint.fromEnvironment(environment)
    }

    public var resolvedStateDirectory: String { stateDir ?? FaultLedger.defaultStateDirectory() }

    /// `--engine-timeout`, checked.
    public func engineCallTimeout() throws -> Duration {
        guard let timeout = try? DurationText.parse(engineTimeout), timeout > .zero else {
            throw ValidationError("--engine-timeout '\(engineTimeout)' is not a duration above 0 (e.g. 10s)")
        }
        return timeout
    }

    /// Connects to the engine with these options.
    public func connect(logger: Logger, observer: (any EngineCallObserver)? = nil) async throws -> DockerEngineClient {
        try await DockerEngineClient.connect(to: try endpoint(), logger: logger, observer: observer, callTimeout: try engineCallTimeout())
    }
}

/// What a command needs to work with the engine and the ledger, built once from the options.
public struct CommandContext: Sendable {
    public let logger: Logger
    public let engine: DockerEngineClient
    public let environment: FaultEnvironment

    /// The engine and environment the options name; `logger` when the command already made one.
    public static func make(_ options: GlobalOptions, logger given: Logger? = nil) async throws -> CommandContext {
        let logger = try given ?? options.makeLogger()
        let engine = try await options.connect(logger: logger)
        return CommandContext(logger: logger, engine: engine, environment: .live(engine: engine, logger: logger))
    }

    public func ledger(_ options: GlobalOptions) throws -> FaultLedger {
        try FaultLedger(stateDirectory: options.resolvedStateDirectory)
    }
}
