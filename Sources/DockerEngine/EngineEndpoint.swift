import FaultlineSupport
import Foundation

/// Where the Docker Engine listens: a unix socket (the default), a plain TCP address, or TCP with
/// mutual TLS (`DOCKER_TLS_VERIFY`, the `DOCKER_CERT_PATH` layout: `ca.pem`, `cert.pem`, `key.pem`).
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
    /// The engine's CA and this client's certificate and key, for a TLS engine; nil: plain.
    public let tls: TLSFiles?

    public init(transport: Transport, tls: TLSFiles? = nil) {
        self.transport = transport
        self.tls = tls
    }

    /// The default local socket.
    public static let local = EngineEndpoint(transport: .unixSocket(path: defaultSocketPath))

    /// `DOCKER_HOST` when set (and not empty), else the default socket; with `DOCKER_TLS_VERIFY`
    /// the engine is spoken to over TLS with the files in `DOCKER_CERT_PATH` (default `~/.docker`).
    public static func fromEnvironment(_ environment: [String: String]) throws(EngineEndpointError) -> EngineEndpoint {
        guard let host = environment["DOCKER_HOST"], !host.isEmpty else { return .local }
        return try applyingEnvironmentTLS(to: try parse(host), environment: environment)
    }

    /// `endpoint` with TLS when `DOCKER_TLS_VERIFY` asks for it (as the docker CLI reads it for `-H`
    /// too); a unix socket or an address already carrying TLS files is left as it is.
    public static func applyingEnvironmentTLS(to endpoint: EngineEndpoint,
                                              environment: [String: String]) throws(EngineEndpointError) -> EngineEndpoint {
        guard environment["DOCKER_TLS_VERIFY"].map({ !$0.isEmpty && $0 != "0" }) == true,
              case .tcp = endpoint.transport, endpoint.tls == nil else { return endpoint }
        let directory = environment["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.docker"
        return EngineEndpoint(transport: endpoint.transport, tls: try certificateDirectory(directory, for: endpoint.description))
    }

    /// The TLS files in a `DOCKER_CERT_PATH`-style directory, each checked to be readable.
    public static func certificateDirectory(_ directory: String, for address: String) throws(EngineEndpointError) -> TLSFiles {
        let files = TLSFiles(certificate: directory + "/cert.pem", key: directory + "/key.pem",
                             certificateAuthority: directory + "/ca.pem")
        for path in [files.certificateAuthority, files.certificate, files.key] where !FileManager.default.isReadableFile(atPath: path) {
            throw EngineEndpointError(text: address, reason: "TLS: cannot read \(path) (a TLS engine needs ca.pem, cert.pem and key.pem in \(directory))")
        }
        return files
    }

    /// Parses `unix:///path`, `tcp://host:port` or a bare socket path; a tcp address may carry its
    /// TLS files as `?tlscacert=…&tlscert=…&tlskey=…` (what `address` writes).
    public static func parse(_ text: String) throws(EngineEndpointError) -> EngineEndpoint {
        if text.hasPrefix("/") { return EngineEndpoint(transport: .unixSocket(path: text)) }
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw EngineEndpointError(text: text, reason: "the socket path must be absolute") }
            return EngineEndpoint(transport: .unixSocket(path: path))
        }
        if text.hasPrefix("tcp://") || text.hasPrefix("http://") || text.hasPrefix("https://") {
            var rest = Substring(text.drop(while: { $0 != "/" }).dropFirst(2))
            var query: Substring = ""
            if let mark = rest.firstIndex(of: "?") {
                query = rest[rest.index(after: mark)...]
                rest = rest[..<mark]
            }
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
                portText = text.hasPrefix("https://") ? "2376" : "2375"
            }
            guard !host.isEmpty else { throw EngineEndpointError(text: text, reason: "missing host") }
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw EngineEndpointError(text: text, reason: "invalid port '\(portText)'")
            }
            let tls = try tlsFiles(query: query, text: text)
            // Without its files an https address would be spoken to in plain HTTP.
            if text.hasPrefix("https://") && tls == nil {
                throw EngineEndpointError(text: text, reason: "https:// names no TLS files: write tcp://\(rest) with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (as the docker CLI does), or a fleet node's engine_tls")
            }
            return EngineEndpoint(transport: .tcp(host: String(host), port: port), tls: tls)
        }
        throw EngineEndpointError(text: text, reason: "expected unix:///path or tcp://host:port")
    }

    private static let tlsKeys = ["tlscacert", "tlscert", "tlskey"]

    private static func tlsFiles(query: Substring, text: String) throws(EngineEndpointError) -> TLSFiles? {
        guard !query.isEmpty else { return nil }
        var values: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0])
            guard tlsKeys.contains(key), parts.count == 2, let value = String(parts[1]).removingPercentEncoding, !value.isEmpty else {
                throw EngineEndpointError(text: text, reason: "unknown or empty option '\(pair)' (allowed: \(tlsKeys.joined(separator: ", ")))")
            }
            values[key] = value
        }
        guard let ca = values["tlscacert"], let certificate = values["tlscert"], let key = values["tlskey"] else {
            throw EngineEndpointError(text: text, reason: "a TLS engine address names all of \(tlsKeys.joined(separator: ", "))")
        }
        return TLSFiles(certificate: certificate, key: key, certificateAuthority: ca)
    }

    /// The URL prefix requests are sent to (the host part is ignored for unix sockets).
    var baseURL: String {
        switch transport {
        case .unixSocket: return "http://engine"
        case .tcp(let host, let port):
            let scheme = tls == nil ? "http" : "https"
            return host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
        }
    }

    /// The socket path for `CURLOPT_UNIX_SOCKET_PATH`, when the transport is a socket.
    public var socketPath: String? {
        if case .unixSocket(let path) = transport { return path }
        return nil
    }

    /// The whole address, TLS files included, as `parse` reads it back: what the ledger records and
    /// what the warden is started with, so that a revert reaches the same engine the same way.
    public var address: String {
        guard let tls else { return description }
        let encode = { (path: String) in path.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? path }
        return "\(description)?tlscacert=\(encode(tls.certificateAuthority))&tlscert=\(encode(tls.certificate))&tlskey=\(encode(tls.key))"
    }

    /// The address as people read it: `unix:///path` or `tcp://host:port`.
    public var description: String {
        switch transport {
        case .unixSocket(let path): return "unix://\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }
}

private extension CharacterSet {
    /// A query value's characters: no `&`, `=`, `?` or `#` left unescaped.
    static let urlQueryValueAllowed: CharacterSet = {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=?#+")
        return allowed
    }()
}

/// An engine address that could not be understood.
public struct EngineEndpointError: Error, CustomStringConvertible, Equatable {
    public let text: String
    public let reason: String
    public var description: String { "invalid engine address '\(text)': \(reason)" }
}
