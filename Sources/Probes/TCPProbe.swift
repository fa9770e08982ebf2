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

/// Connects (and optionally exchanges bytes) with a deadline. Note: a paused container behind
/// docker-proxy still accepts connections; use `send`/`expect` to see that it does not answer.
public final class TCPProbe: LaneProbe<TCPProbeConfig>, @unchecked Sendable {
    public init(name: String, config: TCPProbeConfig, timeout: Duration) throws(ProbeConfigError) {
        try super.init(name: name, config: config, timeout: timeout, label: "faultline.probe.tcp", check: TCPProbe.exchange)
    }

    static func exchange(_ config: TCPProbeConfig, timeout: Duration) -> ProbeCheck {
        let deadline = PollDeadline(after: timeout)
        let descriptor: Int32
        do {
            descriptor = try SocketIO.connect(host: config.host, port: config.port, deadline: deadline)
        } catch {
            return ProbeCheck(error.timedOut ? .timeout : .error, error.message)
        }
        defer { Foundation.close(descriptor) }
        do {
            if let send = config.send { try SocketIO.send(descriptor, Array(unescape(send).utf8), deadline: deadline) }
            guard let expect = config.expect else { return .ok(config.send == nil ? "connected" : "connected, sent") }
            let needle = Array(unescape(expect).utf8)
            let answer = try SocketIO.receive(descriptor, deadline: deadline) { $0.contains(needle) }
            if answer.contains(needle) { return .ok("answered '\(expect)'") }
            let text = String(decoding: answer.prefix(80), as: UTF8.self).replacingOccurrences(of: "\r\n", with: " ")
            return ProbeCheck(answer.isEmpty ? .error : .failed, answer.isEmpty ? "closed without answering" : "answered '\(text)' (expected '\(expect)')")
        } catch {
            return ProbeCheck(error.timedOut ? .timeout : .error, error.message)
        }
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
