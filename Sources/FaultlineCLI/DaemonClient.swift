import ArgumentParser
import CurlTransport
import Daemon
import Faults
import FaultlineSupport
import Foundation

/// Options of the commands that talk to a running daemon.
struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: "State directory of the daemon (its socket is STATE_DIR/daemon.sock; default: $FAULTLINE_STATE_DIR, /var/lib/faultline for root).")
    var stateDir: String?

    @Option(name: .long, help: "The daemon's unix socket (overrides --state-dir).")
    var socket: String?

    @Option(name: .long, help: "The daemon's TCP address instead of the socket: http://HOST:PORT (needs a token: --token-file or $FAULTLINE_TOKEN).")
    var url: String?

    @Option(name: .long, help: "File holding the bearer token for --url (default: $FAULTLINE_TOKEN).")
    var tokenFile: String?

    @Option(name: .long, help: .hidden)
    var token: String?

    func client() throws -> DaemonClient {
        if let url {
            return DaemonClient(socket: nil, baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
                                token: try TokenSource.read(argument: token, file: tokenFile))
        }
        let state = stateDir ?? FaultLedger.defaultStateDirectory()
        return DaemonClient(socket: socket ?? DaemonPaths(stateDirectory: state).socket, baseURL: "http://faultline", token: nil)
    }
}

/// Talks to the daemon's API (libcurl; over its unix socket unless a URL is given).
public struct DaemonClient: Sendable {
    let socket: String?
    let baseURL: String
    let token: String?
    /// Mutual TLS with an agent (an https URL); nil: none.
    let tls: TLSFiles?
    /// Kept-alive connections for this client's calls.
    let pool = ConnectionPool()

    var address: String { socket ?? baseURL }

    public init(socket: String?, baseURL: String, token: String?, tls: TLSFiles? = nil) {
        self.tls = tls
        self.socket = socket
        self.baseURL = baseURL
        self.token = token
    }

    /// The daemon refused or could not be reached: one line, and the exit code the status deserves.
    public struct Failure: Error, CustomStringConvertible, ExitCodeClassified {
        public let description: String
        public let exitCode: FaultlineExitCode
        public init(description: String, exitCode: FaultlineExitCode) {
            self.description = description
            self.exitCode = exitCode
        }
    }

    public func request(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json",
                 timeout: Duration? = .seconds(60)) async throws -> (status: Int, body: [UInt8]) {
        var headers = body == nil ? [] : ["Content-Type: \(contentType)"]
        if let token { headers.append("Authorization: Bearer \(token)") }
        let request = CurlRequest(method: method, url: baseURL + path, headers: headers, body: body, timeout: timeout,
                                  connectTimeout: .seconds(3), unixSocketPath: socket, clientTLS: tls)
        let response: CurlResponse
        do {
            response = try await pool.withConnection { connection throws(TransportFailure) in try connection.perform(request) }
        } catch {
            throw unreachable(error)
        }
        return (response.status, response.body)
    }

    func unreachable(_ error: any Error) -> Failure {
        if let failure = error as? TransportFailure, failure.isTLS {
            let files = tls.map { " (this side: \($0.certificate), trusting \($0.certificateAuthority))" } ?? ""
            return Failure(description: "TLS with \(address) failed: \(failure.message)\(files); both sides' certificates must come from the fleet's CA (`faultline certs`)",
                           exitCode: .infrastructure)
        }
        return Failure(description: "no faultline daemon answers at \(address) (\(error)); start one with `faultline daemon`",
                exitCode: .infrastructure)
    }

    /// Decodes a 2xx answer, or turns the daemon's `{"error": {"message"}}` into a `Failure`.
    public func call<T: Decodable>(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json",
                            timeout: Duration? = .seconds(60), as type: T.Type) async throws -> T {
        let (status, data) = try await request(method, path, body: body, contentType: contentType, timeout: timeout)
        try Self.check(status, data)
        do {
            return try Self.decoder.decode(T.self, from: Data(data))
        } catch {
            throw Failure(description: "the daemon's answer to \(method) \(path) could not be read: \(error)", exitCode: .infrastructure)
        }
    }

    static func check(_ status: Int, _ data: [UInt8]) throws {
        guard status >= 300 else { return }
        struct Wrapper: Decodable { struct Detail: Decodable { let message: String }; let error: Detail }
        var message = (try? JSONDecoder().decode(Wrapper.self, from: Data(data)))?.error.message ?? String(decoding: data.prefix(300), as: UTF8.self)
        if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { message = "the daemon answered status \(status) with no message" }
        throw Failure(description: message, exitCode: status >= 500 || status == 401 ? .infrastructure : .invalidInput)
    }

    static var decoder: JSONDecoder { JSONCoding.decoder() }

    /// Follows a server-sent event stream, handing each `data:` payload to `onEvent`, until the
    /// daemon ends it, nothing (not even a keep-alive) arrives for `stallTimeout`, or `stop`
    /// returns true (asked about once a second).
    public func follow(_ path: String, method: String = "GET", body: [UInt8]? = nil, stallTimeout: Duration? = nil,
                       stop: @escaping @Sendable () -> Bool = { false }, onEvent: @escaping @Sendable ([UInt8]) -> Void) async throws {
        var headers: [String] = ["Accept: text/event-stream"]
        if body != nil { headers.append("Content-Type: application/json") }
        if let token { headers.append("Authorization: Bearer \(token)") }
        var stream = CurlRequest(method: method, url: baseURL + path, headers: headers, body: body, timeout: nil, connectTimeout: .seconds(3),
                                 unixSocketPath: socket, clientTLS: tls)
        stream.stallTimeout = stallTimeout
        let request = stream
        let prefix = Array("data: ".utf8)
        let response: CurlResponse
        do {
            response = try await pool.withConnection { connection throws(TransportFailure) in
                let sink = ResponseSink()
                sink.shouldAbort = stop
                sink.onLine = { line in
                    if line.starts(with: prefix) { onEvent(Array(line.dropFirst(prefix.count))) }
                }
                return try connection.perform(request, sink: sink)
            }
        } catch {
            if stop() { return }
            throw unreachable(error)
        }
        try Self.check(response.status, response.body)
    }
}
