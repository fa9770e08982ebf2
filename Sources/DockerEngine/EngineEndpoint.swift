/// Where the Docker Engine listens: a unix socket (the default) or a plain TCP address.
///
/// Read from `DOCKER_HOST` (`unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375`) like the docker CLI.
public struct EngineEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// How requests reach the engine.
    public enum Transport: Sendable, Equatable {
        case unixSocket(path: String)
        case tcp(host: String, port: Int)
    }

    public static let defaultSocketPath = "/var/run/docker.sock"

    public let transport: Transport

    public init(transport: Transport) { self.transport = transport }

    /// The default local socket.
    public static let local = EngineEndpoint(transport: .unixSocket(path: defaultSocketPath))

    /// `DOCKER_HOST` when set (and not empty), else the default socket.
    public static func fromEnvironment(_ environment: [String: String]) throws(EngineEndpointError) -> EngineEndpoint {
        guard let host = environment["DOCKER_HOST"], !host.isEmpty else { return .local }
        if environment["DOCKER_TLS_VERIFY"].map({ !$0.isEmpty && $0 != "0" }) == true {
            throw EngineEndpointError(text: host, reason: "TLS engine endpoints (DOCKER_TLS_VERIFY) are not supported; use the unix socket or a loopback tcp:// address")
        }
        return try parse(host)
    }

    /// Parses `unix:///path`, `tcp://host:port` or a bare socket path.
    public static func parse(_ text: String) throws(EngineEndpointError) -> EngineEndpoint {
        if text.hasPrefix("/") { return EngineEndpoint(transport: .unixSocket(path: text)) }
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw EngineEndpointError(text: text, reason: "the socket path must be absolute") }
            return EngineEndpoint(transport: .unixSocket(path: path))
        }
        if text.hasPrefix("tcp://") || text.hasPrefix("http://") {
            var rest = Substring(text.drop(while: { $0 != "/" }).dropFirst(2))
            if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
            let host: Substring, portText: Substring
            if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                host = rest[rest.index(after: rest.startIndex)..<close]
                portText = rest[close...].dropFirst().drop(while: { $0 == ":" })
            } else if let colon = rest.lastIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
                portText = "2375"
            }
            guard !host.isEmpty else { throw EngineEndpointError(text: text, reason: "missing host") }
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw EngineEndpointError(text: text, reason: "invalid port '\(portText)'")
            }
            return EngineEndpoint(transport: .tcp(host: String(host), port: port))
        }
        throw EngineEndpointError(text: text, reason: "expected unix:///path or tcp://host:port")
    }

    /// The URL prefix requests are sent to (the host part is ignored for unix sockets).
    var baseURL: String {
        switch transport {
        case .unixSocket: return "http://engine"
        case .tcp(let host, let port): return host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }

    /// The socket path for `CURLOPT_UNIX_SOCKET_PATH`, when the transport is a socket.
    public var socketPath: String? {
        if case .unixSocket(let path) = transport { return path }
        return nil
    }

    public var description: String {
        switch transport {
        case .unixSocket(let path): return "unix://\(path)"
        case .tcp(let host, let port): return "tcp://\(host):\(port)"
        }
    }
}

/// An engine address that could not be understood.
public struct EngineEndpointError: Error, CustomStringConvertible, Equatable {
    public let text: String
    public let reason: String
    public var description: String { "invalid engine address '\(text)': \(reason)" }
}
