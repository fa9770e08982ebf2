import CurlTransport
import Foundation
import FaultlineSupport
import Logging

/// A typed client for the Docker Engine API, over libcurl.
///
/// Connections are kept alive and reused; blocking transfers run on a dispatch queue, never on
/// the cooperative pool. The API version is negotiated once, on `connect`, from the `Api-Version`
/// header of `/_ping` (as the docker CLI does: the engine answers it in ~0.4 ms, `/version` costs it 5–10 ms).
public final class DockerEngineClient: Sendable {
    /// The newest API version this client speaks; older engines are spoken to in their own version.
    public static let newestAPIVersion = "1.43"
    /// The oldest engine API version this client supports.
    public static let oldestAPIVersion = "1.40"
    /// Time-out for ordinary calls unless `connect` is given another (not for stop/restart, which
    /// add their own grace). As a call's `timeout` argument it stands for "the client's time-out".
    public static let defaultTimeout: Duration = .seconds(30)

    public let endpoint: EngineEndpoint
    /// The negotiated API version, e.g. `1.41`.
    public let apiVersion: String
    let pool: ConnectionPool
    let logger: Logger
    /// Hears every call's method, duration and success (the daemon's latency histogram).
    let observer: (any EngineCallObserver)?
    /// How long an ordinary call may take before it fails naming the call (`--engine-timeout`).
    public let callTimeout: Duration

    init(endpoint: EngineEndpoint, apiVersion: String, pool: ConnectionPool, logger: Logger, observer: (any EngineCallObserver)? = nil,
         callTimeout: Duration = DockerEngineClient.defaultTimeout) {
        self.endpoint = endpoint
        self.apiVersion = apiVersion
        self.pool = pool
        self.logger = logger
        self.observer = observer
        self.callTimeout = callTimeout
    }

    /// Connects to the engine and negotiates the API version.
    public static func connect(
        to endpoint: EngineEndpoint = .local, logger: Logger, observer: (any EngineCallObserver)? = nil,
        callTimeout: Duration = DockerEngineClient.defaultTimeout
    ) async throws(DockerEngineError) -> DockerEngineClient {
        let pool = ConnectionPool()
        let bootstrap = DockerEngineClient(endpoint: endpoint, apiVersion: "", pool: pool, logger: logger, observer: observer,
                                           callTimeout: callTimeout)
        let ping = try await bootstrap.send(.get, "/_ping", versioned: false, responseHeaders: ["Api-Version"])
        let engineAPI: String
        if let announced = ping.headers["Api-Version"], !announced.isEmpty {
            engineAPI = announced
        } else {
            // Something between us and the engine dropped the header: ask the slower way.
            let version: EngineVersion = try await bootstrap.decode(.get, "/version", versioned: false)
            engineAPI = version.apiVersion
        }
        let negotiated = try negotiate(engine: engineAPI)
        logger.debug("connected to engine", metadata: ["endpoint": "\(endpoint)", "engine.api": "\(engineAPI)", "api": "\(negotiated)"])
        return DockerEngineClient(endpoint: endpoint, apiVersion: negotiated, pool: pool, logger: logger, observer: observer,
                                  callTimeout: callTimeout)
    }

    /// The version to speak: the lower of ours and the engine's, refused when older than we support.
    static func negotiate(engine: String) throws(DockerEngineError) -> String {
        let chosen = APIVersion(engine) < APIVersion(newestAPIVersion) ? engine : newestAPIVersion
        guard APIVersion(chosen) >= APIVersion(oldestAPIVersion) else {
            throw DockerEngineError(
                kind: .decoding, method: "GET", path: "/_ping",
                message: "engine API \(engine) is older than \(oldestAPIVersion), the oldest faultline supports")
        }
        return chosen
    }

    // MARK: - Requests

    /// A container, network or exec name/id as one URL path segment. Engine names and ids are
    /// `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; anything else (a `/`, `#`, `?`, `..`, a space) never reaches a
    /// URL, where it could name another endpoint: it is answered as the engine answers an unknown
    /// name, 404.
    static func segment(_ name: String) throws(DockerEngineError) -> String {
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        let valid = bare.utf8.first.map { isAlphanumeric($0) } == true
            && bare.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
        guard valid, bare.utf8.count <= 255 else {
            throw DockerEngineError(kind: .status(404), method: "-", path: "-",
                                    message: "no such object: '\(name.prefix(80))' is not a container or network name or id")
        }
        return bare
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    enum Method: String { case get = "GET", post = "POST", delete = "DELETE" }

    /// Sends a request and returns the raw response; any status ≥ 400 becomes a `DockerEngineError`.
    func send(
        _ method: Method, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration? = DockerEngineClient.defaultTimeout, versioned: Bool = true,
        acceptNotModified: Bool = false, responseHeaders: [String] = []
    ) async throws(DockerEngineError) -> CurlResponse {
        let fullPath = (versioned ? "/v\(apiVersion)" : "") + path
        let url = endpoint.baseURL + fullPath + Self.encode(query: query)
        let callPath = fullPath + Self.encode(query: query)
        let timeout = timeout == Self.defaultTimeout ? callTimeout : timeout
        let request = CurlRequest(method: method.rawValue, url: url, body: body, timeout: timeout,
                                  unixSocketPath: endpoint.socketPath, clientTLS: endpoint.tls, responseHeaders: responseHeaders)
        let response: CurlResponse
        let started = ContinuousClock.now
        do {
            response = try await pool.withConnection { connection throws(TransportFailure) in
                try connection.perform(request)
            }
        } catch {
            observer?.engineCall(method: method.rawValue, duration: ContinuousClock.now - started, succeeded: false)
            throw DockerEngineError(kind: .transport, method: method.rawValue, path: callPath,
                                    message: Self.explain(error, endpoint: endpoint, timeout: timeout))
        }
        logger.trace("engine call", metadata: [
            LogKey.call: "\(method.rawValue) \(callPath)", "status": "\(response.status)",
            LogKey.durationMS: "\(response.timing.total.milliseconds)",
        ])
        let failed = response.status >= 400 || (response.status == 304 && !acceptNotModified)
        observer?.engineCall(method: method.rawValue, duration: response.timing.total, succeeded: !failed)
        if failed {
            throw DockerEngineError(kind: .status(response.status), method: method.rawValue, path: callPath,
                                    message: Self.engineMessage(response.body, status: response.status))
        }
        return response
    }

    /// Sends a request and decodes the JSON answer.
    func decode<T: Decodable>(
        _ method: Method, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Duration? = DockerEngineClient.defaultTimeout, versioned: Bool = true
    ) async throws(DockerEngineError) -> T {
        let response = try await send(method, path, query: query, body: body, timeout: timeout, versioned: versioned)
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw DockerEngineError(kind: .decoding, method: method.rawValue, path: path,
                                    message: "\(T.self): \(error)")
        }
    }

    /// JSON-encodes a request body.
    static func json<T: Encodable>(_ value: T) -> [UInt8] {
        // Encoding our own plain structs cannot fail.
        Array((try? JSONEncoder().encode(value)) ?? Data("{}".utf8))
    }

    static func encode(query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return "?" + query.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    /// The engine's `{"message": …}`, or the body text, or the status line.
    static func engineMessage(_ body: [UInt8], status: Int) -> String {
        struct EngineMessage: Decodable { let message: String }
        if let decoded = try? JSONDecoder().decode(EngineMessage.self, from: Data(body)) {
            return decoded.message
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { return String(text.prefix(500)) }
        return status == 304 ? "not modified (already in that state)" : "no message"
    }

    static func explain(_ failure: TransportFailure, endpoint: EngineEndpoint, timeout: Duration? = nil) -> String {
        if failure.isTimeout, let timeout {
            return "the engine did not answer within \(DurationText.format(timeout)) (\(endpoint); --engine-timeout sets the limit)"
        }
        switch (failure.isConnectFailure, endpoint.transport) {
        case (true, .unixSocket(let path)):
            if !FileManager.default.fileExists(atPath: path) {
                return "no engine socket at \(path): is dockerd running? (scripts/setup.sh starts one)"
            }
            if !FileManager.default.isReadableFile(atPath: path) {
                return "permission denied on \(path): run as root or as a member of the docker group"
            }
            return "\(failure.message) (\(path)): is dockerd running?"
        default:
            if failure.isTLS, let tls = endpoint.tls {
                return "TLS with the engine at \(endpoint) failed: \(failure.message) (CA \(tls.certificateAuthority), client certificate \(tls.certificate))"
            }
            return "\(failure.message) (\(endpoint))"
        }
    }
}

/// A dotted API version (`1.41`) that compares numerically.
struct APIVersion: Comparable {
    let parts: [Int]
    init(_ text: String) {
        var parts = text.split(separator: ".").map { Int($0) ?? 0 }
        while parts.count > 1, parts.last == 0 { parts.removeLast() }  // 1.41.0 == 1.41
        self.parts = parts
    }
    static func < (lhs: APIVersion, rhs: APIVersion) -> Bool {
        for index in 0..<max(lhs.parts.count, rhs.parts.count) {
            let left = index < lhs.parts.count ? lhs.parts[index] : 0
            let right = index < rhs.parts.count ? rhs.parts[index] : 0
            if left != right { return left < right }
        }
        return false
    }
}
