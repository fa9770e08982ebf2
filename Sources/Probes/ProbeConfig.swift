import Logging

/// A probe of any kind, with its settings: what campaigns and the CLI build probes from.
public enum ProbeConfig: Sendable, Equatable {
    case http(HTTPProbeConfig)
    case tcp(TCPProbeConfig)
    case postgres(PostgresProbeConfig)
    case redis(RedisProbeConfig)
    case websocket(WebSocketProbeConfig)
    case command(CommandProbeConfig)

    /// The kind's name, as campaign files spell it.
    public var kind: String {
        switch self {
        case .http: return "http"
        case .tcp: return "tcp"
        case .postgres: return "postgres"
        case .redis: return "redis"
        case .websocket: return "websocket"
        case .command: return "command"
        }
    }

    public func validate() throws(ProbeConfigError) {
        switch self {
        case .http(let config): try config.validate()
        case .tcp(let config): try config.validate()
        case .postgres(let config): try config.validate()
        case .redis(let config): try config.validate()
        case .websocket(let config): try config.validate()
        case .command(let config): try config.validate()
        }
    }

    /// Builds the probe.
    public func makeProbe(name: String, timeout: Duration, logger: Logger) throws(ProbeConfigError) -> any Probe {
        switch self {
        case .http(let config): return try HTTPProbe(name: name, config: config, timeout: timeout)
        case .tcp(let config): return try TCPProbe(name: name, config: config, timeout: timeout)
        case .postgres(let config): return try PostgresProbe(name: name, config: config, timeout: timeout)
        case .redis(let config): return try RedisProbe(name: name, config: config, timeout: timeout)
        case .websocket(let config): return try WebSocketProbe(name: name, config: config, timeout: timeout, logger: logger)
        case .command(let config): return try CommandProbe(name: name, config: config, timeout: timeout)
        }
    }
}
