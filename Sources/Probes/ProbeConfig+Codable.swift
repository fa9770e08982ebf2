import Foundation

/// A probe's settings on the wire (a coordinator asking a fleet node's agent to run it): one key,
/// the kind, holding that kind's settings — the shape campaign files give it (`http: {…}`).
extension ProbeConfig: Codable {
    private struct KindKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public static let kinds = ["http", "tcp", "postgres", "redis", "websocket", "command"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: KindKey.self)
        let given = container.allKeys.map(\.stringValue)
        guard given.count == 1, let kind = given.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "give exactly one probe kind (\(Self.kinds.joined(separator: ", "))), not \(given.isEmpty ? "none" : given.sorted().joined(separator: " and "))"))
        }
        let key = KindKey(stringValue: kind)
        switch kind {
        case "http": self = .http(try container.decode(HTTPProbeConfig.self, forKey: key))
        case "tcp": self = .tcp(try container.decode(TCPProbeConfig.self, forKey: key))
        case "postgres": self = .postgres(try container.decode(PostgresProbeConfig.self, forKey: key))
        case "redis": self = .redis(try container.decode(RedisProbeConfig.self, forKey: key))
        case "websocket": self = .websocket(try container.decode(WebSocketProbeConfig.self, forKey: key))
        case "command": self = .command(try container.decode(CommandProbeConfig.self, forKey: key))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                debugDescription: "unknown probe kind '\(kind)' (kinds: \(Self.kinds.joined(separator: ", ")))"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        let key = KindKey(stringValue: kind)
        switch self {
        case .http(let config): try container.encode(config, forKey: key)
        case .tcp(let config): try container.encode(config, forKey: key)
        case .postgres(let config): try container.encode(config, forKey: key)
        case .redis(let config): try container.encode(config, forKey: key)
        case .websocket(let config): try container.encode(config, forKey: key)
        case .command(let config): try container.encode(config, forKey: key)
        }
    }

    /// The host the probe connects to, as written (a URL's host, a DSN's `host=`), or nil when
    /// it names none (a command; a DSN over a unix socket).
    public var destinationHost: String? {
        switch self {
        case .http(let config): return URLComponents(string: config.url)?.host
        case .websocket(let config): return URLComponents(string: config.url)?.host
        case .tcp(let config): return config.host
        // Through Sentinel the probe talks to whichever master the Sentinels name: no one host.
        case .redis(let config): return config.sentinels == nil ? config.host : nil
        case .postgres(let config):
            if config.dsn.contains("://") { return URLComponents(string: config.dsn)?.host.flatMap { $0.isEmpty ? nil : $0 } }
            for pair in config.dsn.split(separator: " ") where pair.hasPrefix("host=") || pair.hasPrefix("hostaddr=") {
                let value = pair.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
                if !value.isEmpty && !value.hasPrefix("/") { return value.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
            }
            return nil
        case .command: return nil
        }
    }
}
