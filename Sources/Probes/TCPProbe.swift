import Foundation

/// What a TCP probe connects to, and optionally sends and expects.
public struct TCPProbeConfig: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Bytes to send after connecting (escapes `\r`, `\n` are understood).
    public var send: String?
    /// Text the answer must contain.
    public var expect: String?

    public init(host: String, port: Int, send: String? = nil, expect: String? = nil) {
        self.host = host
        self.port = port
        self.send = send
        self.expect = expect
    }

    public func validate() throws(ProbeConfigError) {
        guard !host.isEmpty else { throw ProbeConfigError("host", "empty") }
        guard (1...65535).contains(port) else { throw ProbeConfigError("port", "\(port) is not between 1 and 65535") }
    }
}

/// Connects (and optionally exchanges bytes) with a deadline, as non-blocking steps on the
/// `ProbePoller`. Note: a paused container behind docker-proxy still accepts connections; use
/// `send`/`expect` to see that it does not answer.
public final class TCPProbe: PolledProbe {
    public let name: String
    public let timeout: Duration
    public let poller = ProbePoller.assign()
    let config: TCPProbeConfig
    private let request: [UInt8]?
    private let needle: [UInt8]?
    /// The host's addresses when it is numeric (resolved once); nil: resolved at every check.
    private let numericAddresses: [AddressResolver.Address]?

    public init(name: String, config: TCPProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
        request = config.send.map { Array(Self.unescape($0).utf8) }
        needle = config.expect.map { Array(Self.unescape($0).utf8) }
        numericAddresses = try? AddressResolver.lookup(config.host, port: config.port, numericOnly: true).get()
    }

    public func begin(on poller: ProbePoller, done: @escaping (ProbeCheck) -> Void) {
        let ending = PolledCheckEnding(poller: poller, done: done)
        let connection = PolledConnection(poller: poller)
        ending.cleanup = connection.close
        let finish = ending.finish
        var answer: [UInt8] = []
        ending.expire(after: timeout) { [self] in
            // A partial answer by the deadline is judged as it is; no answer at all is a time-out.
            if connection.step == "receive" && !answer.isEmpty { finish(judge(answer)); return }
            finish(ProbeCheck(.timeout, "\(connection.step): no answer before the deadline"))
        }
        connection.connect(host: config.host, port: config.port, known: numericAddresses) { [self] failure in
            if let failure { finish(ProbeCheck(failure.timedOut ? .timeout : .error, failure.message)); return }
            guard let request else { finish(.ok("connected")); return }
            connection.send(request) { [self] failure in
                if let failure { finish(ProbeCheck(.error, failure.message)); return }
                guard let needle else { finish(.ok("connected, sent")); return }
                connection.receive { [self] received in
                    switch received {
                    case .bytes(let bytes):
                        answer += bytes
                        if answer.contains(needle) || answer.count >= Self.answerLimit { finish(judge(answer)) }
                    case .closed: finish(judge(answer))
                    case .failed(let failure): finish(ProbeCheck(.error, failure.message))
                    }
                }
            }
        }
    }

    /// Answers beyond this many bytes are judged as they are.
    static let answerLimit = 65_536

    /// The check an answer (complete, cut by the peer or by the deadline) makes.
    func judge(_ answer: [UInt8]) -> ProbeCheck {
        guard let expect = config.expect, let needle else { return .ok("connected, sent") }
        if answer.contains(needle) { return .ok("answered '\(expect)'") }
        let text = String(decoding: answer.prefix(80), as: UTF8.self).replacingOccurrences(of: "\r\n", with: " ")
        return ProbeCheck(answer.isEmpty ? .error : .failed, answer.isEmpty ? "closed without answering" : "answered '\(text)' (expected '\(expect)')")
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\r", with: "\r").replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t")
    }
}

extension Array where Element == UInt8 {
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard count >= needle.count else { return false }
        for start in 0...(count - needle.count) where self[start..<start + needle.count].elementsEqual(needle) { return true }
        return false
    }
}
