import CurlTransport
import Foundation

/// What an HTTP(S) probe sends and expects.
public struct HTTPProbeConfig: Codable, Sendable, Equatable {
    public var url: String
    public var method: String = "GET"
    /// `Name: value` lines.
    public var headers: [String] = []
    public var body: String?
    public var expectStatus: StatusExpectation = .success
    public var bodyContains: String?
    public var bodyRegex: String?
    /// Dotted JSON path → expected value as text.
    public var jsonFields: [String: String] = [:]
    /// Slower than this counts as failed.
    public var maxLatency: Duration?
    public var verifyTLS: Bool = true

    public init(url: String) { self.url = url }

    public func validate() throws(ProbeConfigError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host != nil else {
            throw ProbeConfigError("url", "'\(url)' is not an http:// or https:// URL")
        }
        let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        guard methods.contains(method.uppercased()) else {
            throw ProbeConfigError("method", "'\(method)' is not one of \(methods.joined(separator: ", "))")
        }
        for header in headers where !header.contains(":") {
            throw ProbeConfigError("headers", "'\(header)' is not 'Name: value'")
        }
        if let bodyRegex {
            do { _ = try Regex(bodyRegex) } catch { throw ProbeConfigError("body_regex", "invalid regular expression: \(error)") }
        }
    }
}

/// Checks an HTTP(S) endpoint with libcurl over a kept-alive connection, the transfer driven by
/// the `ProbePoller` (one multi handle for every HTTP probe).
public final class HTTPProbe: PolledProbe, @unchecked Sendable {
    // @unchecked: `connection` is touched only on the poller's thread, one check at a time.
    public let name: String
    public let timeout: Duration
    public let poller = ProbePoller.assign()
    let config: HTTPProbeConfig
    private let regex: SendableRegex?
    private var connection: CurlConnection?

    public init(name: String, config: HTTPProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
        self.regex = config.bodyRegex.map { SendableRegex(pattern: $0) }
    }

    /// Releases the easy handle on the poller's thread (its connection stays in the poller's cache
    /// until libcurl closes it).
    public func close() async {
        let poller = poller
        await withCheckedContinuation { continuation in
            poller.submit { [self] in
                connection = nil
                continuation.resume()
            }
        }
    }

    public func begin(on poller: ProbePoller, done: @escaping (ProbeCheck) -> Void) {
        let request = CurlRequest(method: config.method.uppercased(), url: config.url, headers: config.headers,
                                  body: config.body.map { Array($0.utf8) }, timeout: timeout,
                                  connectTimeout: timeout, verifyTLS: config.verifyTLS)
        let connection: CurlConnection
        do {
            connection = try self.connection ?? CurlConnection()
        } catch {
            done(ProbeCheck(.error, "\(error)"))
            return
        }
        self.connection = connection
        let sink = ResponseSink()
        sink.maxBytes = 1 << 20
        let transfer = connection.prepare(request, sink: sink)
        let start = ContinuousClock.now
        poller.curl.run(connection) { [self] code in
            let ran = start..<ContinuousClock.now
            do throws(TransportFailure) {
                var check = evaluate(try transfer.finish(code))
                check.ran = ran
                done(check)
            } catch {
                var failed = ProbeCheck(error.isTimeout ? .timeout : .error, error.message)
                failed.ran = ran
                done(failed)
            }
        }
    }

    func evaluate(_ response: CurlResponse) -> ProbeCheck {
        let attempts = max(1, response.newConnections)
        guard config.expectStatus.accepts(response.status) else {
            return ProbeCheck(.failed, "HTTP \(response.status) (expected \(config.expectStatus))", attempts: attempts)
        }
        let text = String(decoding: response.body, as: UTF8.self)
        if let needle = config.bodyContains, !text.contains(needle) {
            return ProbeCheck(.failed, "HTTP \(response.status), body lacks '\(needle)'", attempts: attempts)
        }
        if let regex, !regex.matches(text) {
            return ProbeCheck(.failed, "HTTP \(response.status), body does not match /\(regex.pattern)/", attempts: attempts)
        }
        for (path, expected) in config.jsonFields.sorted(by: { $0.key < $1.key }) {
            let actual = JSONPath.value(at: path, inJSON: Data(response.body))
            if actual != expected {
                return ProbeCheck(.failed, "HTTP \(response.status), \(path) is \(actual.map { "'\($0)'" } ?? "absent") (expected '\(expected)')", attempts: attempts)
            }
        }
        if let maxLatency = config.maxLatency, response.timing.total > maxLatency {
            return ProbeCheck(.failed, String(format: "HTTP %d but slow: %.0f ms > %.0f ms", response.status,
                                              response.timing.total.milliseconds, maxLatency.milliseconds), attempts: attempts)
        }
        return .ok("HTTP \(response.status)", attempts: attempts)
    }
}

/// A compiled pattern usable from any thread (Swift's `Regex` is not `Sendable`).
struct SendableRegex: Sendable {
    let pattern: String
    func matches(_ text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return text.contains(regex)
    }
}
