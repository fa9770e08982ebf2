import FaultlineSupport
import Foundation
import HTTPTypes
import Logging
import Synchronization
import WSClient

/// One expected message of a WebSocket conversation: its type and optional field checks.
public struct WebSocketExpectation: Codable, Sendable, Equatable {
    public var type: String
    public var fields: [FieldCheck] = []
    /// A message of this type whose fields do not match is passed over (wait for one that does);
    /// by default it fails the check at once.
    public var skipMismatched = false

    public init(type: String, fields: [FieldCheck] = [], skipMismatched: Bool = false) {
        self.type = type
        self.fields = fields
        self.skipMismatched = skipMismatched
    }
}

/// A check on one field of a JSON message (dotted path).
public struct FieldCheck: Codable, Sendable, Equatable {
    public var path: String
    public var equals: String?
    public var present: Bool?
    public var minLength: Int?

    public init(path: String, equals: String? = nil, present: Bool? = nil, minLength: Int? = nil) {
        self.path = path
        self.equals = equals
        self.present = present
        self.minLength = minLength
    }

    /// Nil when the check passes, else what is wrong.
    func problem(in message: JSONNode) -> String? {
        let node = message.at(path)
        if present == false { return node == nil ? nil : "\(path) is present" }
        guard let node, node != .null else { return (present == true || equals != nil || minLength != nil) ? "\(path) is absent" : nil }
        if let equals, node.text != equals { return "\(path) is '\(node.text.prefix(60))' (expected '\(equals)')" }
        if let minLength {
            let length: Int
            switch node {
            case .string(let text): length = text.count
            case .array(let items): length = items.count
            case .object(let fields): length = fields.count
            default: length = node.text.count
            }
            if length < minLength { return "\(path) has length \(length) (expected at least \(minLength))" }
        }
        return nil
    }
}

/// What a WebSocket probe sends and expects.
public struct WebSocketProbeConfig: Codable, Sendable, Equatable {
    public var url: String
    /// `Name: value` lines sent with the upgrade request (e.g. `Authorization: Bearer …`).
    public var headers: [String] = []
    /// Text messages (usually JSON) sent in order after connecting; `{{uuid}}` in them becomes one
    /// fresh id per conversation (unique chat or run ids for every sample).
    public var send: [String] = []
    /// Messages expected in this order; others in between are ignored (heartbeats, progress).
    public var expect: [WebSocketExpectation] = []
    /// The JSON field that names a message's type.
    public var matchField: String = "type"
    /// A message of this type that is not expected next fails the check at once, with its text:
    /// the server reported an error clearly. Nil to treat it like any other message.
    public var errorType: String? = "error"
    /// Message types that end the conversation as failed when they arrive before the expectations
    /// are met (a run that completed when an error was expected: stop waiting, it will not come).
    public var failOn: [String] = []
    /// Keep one connection open across checks (does an open session keep working?): each check
    /// sends and expects on it; a connection the server dropped fails the next check, which
    /// reconnects.
    public var persistent = false

    public init(url: String) { self.url = url }

    public func validate() throws(ProbeConfigError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "ws" || scheme == "wss",
              parsed.host != nil else {
            throw ProbeConfigError("url", "'\(url)' is not a ws:// or wss:// URL")
        }
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), HTTPField.Name(String(header[..<colon]).trimmingCharacters(in: .whitespaces)) != nil else {
                throw ProbeConfigError("headers", "'\(header)' is not 'Name: value'")
            }
        }
        guard !matchField.isEmpty else { throw ProbeConfigError("match_field", "empty") }
        for expectation in expect where expectation.type.isEmpty { throw ProbeConfigError("expect", "a message type is empty") }
    }
}

/// Connects, sends the configured messages, and waits for the expected sequence of messages in
/// order within the probe's time-out — or for a clear `error` message. A silent server is a
/// time-out whose reason lists what was seen; the error-propagation check of a campaign is a
/// sequence of one: `expect: [{type: error}]`. A persistent probe keeps its connection between checks.
public final class WebSocketProbe: Probe {
    public let name: String
    public let timeout: Duration
    let config: WebSocketProbeConfig
    private let logger: Logger
    /// The connection kept across checks when the probe is persistent.
    private let session: WebSocketSession?

    public init(name: String, config: WebSocketProbeConfig, timeout: Duration, logger: Logger) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
        self.logger = logger
        session = config.persistent ? WebSocketSession(config: config, logger: logger) : nil
    }

    public func check() async -> ProbeCheck {
        let progress = SeenTypes()
        let config = config, logger = logger, session = session
        do {
            return try await runDetached("websocket conversation", limit: timeout, cancelOnTimeout: true) {
                if let session { return try await session.converse(config, progress: progress) }
                return try await Self.converse(config, progress: progress, logger: logger)
            }
        } catch is DeadlineExceeded {
            let seen = progress.types
            let waiting = progress.waitingFor.map { "waiting for '\($0)'" } ?? (progress.connected ? "connected" : "not connected")
            return ProbeCheck(.timeout, "no answer within \(Int(timeout.milliseconds)) ms (\(waiting); saw \(seen.isEmpty ? "nothing" : seen.joined(separator: ", ")))")
        } catch {
            return ProbeCheck(.error, "\(error)".replacingOccurrences(of: "\n", with: " "))
        }
    }

    public func close() async {
        await session?.close()
    }

    static func clientConfiguration(_ config: WebSocketProbeConfig) -> WebSocketClientConfiguration {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        for header in config.headers {
            let colon = header.firstIndex(of: ":")!
            let name = HTTPField.Name(String(header[..<colon]).trimmingCharacters(in: .whitespaces))!
            configuration.additionalHeaders[name] = String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return configuration
    }

    /// One conversation on a fresh connection.
    static func converse(_ config: WebSocketProbeConfig, progress: SeenTypes, logger: Logger) async throws -> ProbeCheck {
        let box = VerdictBox()
        try await WebSocketClient.connect(url: config.url, configuration: clientConfiguration(config), logger: logger) { inbound, outbound, _ in
            progress.markConnected()
            var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            let verdict = try await follow(config, progress: progress, write: { try await outbound.write(.text($0)) }) {
                while let message = try await messages.next() {
                    if case .text(let text) = message { return text }
                }
                return nil
            }
            box.set(verdict)
        }
        return box.value ?? ProbeCheck(.error, "connection ended without a verdict")
    }

    /// Sends the configured messages (`{{uuid}}` made fresh) and follows the expected sequence over
    /// the text messages `next` yields (nil: the connection ended).
    static func follow(_ config: WebSocketProbeConfig, progress: SeenTypes, write: (String) async throws -> Void,
                       next: () async throws -> String?) async throws -> ProbeCheck {
        let conversation = UUID().uuidString.lowercased()
        for message in config.send { try await write(message.replacingOccurrences(of: "{{uuid}}", with: conversation)) }
        guard !config.expect.isEmpty else { return .ok("connected\(config.send.isEmpty ? "" : ", sent \(config.send.count)")") }
        var index = 0
        progress.waiting(for: config.expect[0].type)
        while let text = try await next() {
            guard let node = JSONNode.parse(Data(text.utf8)) else { progress.saw("(not JSON)"); continue }
            let type = node.at(config.matchField)?.text ?? "(no \(config.matchField))"
            progress.saw(type)
            let expected = config.expect[index]
            if type == expected.type {
                if let problem = expected.fields.lazy.compactMap({ $0.problem(in: node) }).first {
                    if expected.skipMismatched { continue }
                    return ProbeCheck(.failed, "'\(type)': \(problem)")
                }
                index += 1
                if index == config.expect.count { return .ok(config.expect.map(\.type).joined(separator: " → ")) }
                progress.waiting(for: config.expect[index].type)
            } else if let errorType = config.errorType, type == errorType {
                let detail = node.at("message")?.text ?? node.at("error")?.text ?? text
                return ProbeCheck(.failed, "error event before '\(expected.type)': \(detail.prefix(120))")
            } else if config.failOn.contains(type) {
                return ProbeCheck(.failed, "'\(type)' arrived while waiting for '\(expected.type)'")
            } else if config.expect[(index + 1)...].contains(where: { $0.type == type }) {
                return ProbeCheck(.failed, "'\(type)' arrived before '\(expected.type)' (out of order)")
            }
        }
        return ProbeCheck(.error, "server closed the connection while waiting for '\(config.expect[index].type)'")
    }
}

/// What a conversation has seen so far (read when it times out).
final class SeenTypes: Sendable {
    private struct State {
        var types: [String] = []
        var waitingFor: String?
        var connected = false
    }
    private let state = Mutex(State())

    func saw(_ type: String) { state.withLock { if $0.types.count < 20 { $0.types.append(type) } } }
    func waiting(for type: String) { state.withLock { $0.waitingFor = type } }
    func markConnected() { state.withLock { $0.connected = true } }
    var types: [String] { state.withLock { $0.types } }
    var waitingFor: String? { state.withLock { $0.waitingFor } }
    var connected: Bool { state.withLock { $0.connected } }
}

/// The verdict a WebSocket handler reached.
final class VerdictBox: Sendable {
    private let verdict = Mutex<ProbeCheck?>(nil)
    func set(_ check: ProbeCheck) { verdict.withLock { if $0 == nil { $0 = check } } }
    var value: ProbeCheck? { verdict.withLock { $0 } }
}
