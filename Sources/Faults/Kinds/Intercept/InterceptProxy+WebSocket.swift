import FaultlineSupport
import Foundation
import Glibc
import Synchronization

/// Decides, across every connection of a `websocket` fault's proxy, which connections (by their
/// upgrade's path) and which messages the fault acts on.
final class WebSocketDecider: Sendable {
    let parameters: WebSocketParameters
    private let path: Mutex<Regex<AnyRegexOutput>?>
    private let allowance: MatchAllowance

    init(_ parameters: WebSocketParameters) throws {
        self.parameters = parameters
        path = Mutex(try parameters.path.map { try Regex($0) })
        allowance = MatchAllowance(probability: parameters.match.probability, first: parameters.match.first)
    }

    /// Whether the fault reads the messages of a connection upgraded by this request.
    func intercepts(_ head: HTTPRequestHead) -> Bool {
        guard head.method == "GET", head.value(of: "Upgrade")?.lowercased() == "websocket" else { return false }
        return path.withLock { pattern in pattern.map { (try? $0.firstMatch(in: head.path)) != nil } ?? true }
    }

    /// Whether the fault acts on this message (a whole text message from the matched side).
    func actsOn(_ payload: [UInt8]) -> Bool { parameters.match.fits(payload) && allowance.admits() }
}

extension InterceptProxy.Connection {
    /// A connection whose first request upgrades to WebSocket (and matches the fault's path): the
    /// upgrade goes upstream without `Sec-WebSocket-Extensions` (no compression: messages stay
    /// readable), the answer comes back, and after a 101 the matched side's messages pass through
    /// the fault while the other side is copied unchanged. Anything else passes through untouched.
    func serveWebSocket(to destination: sockaddr_in, decider: WebSocketDecider) {
        guard fillHead(),
              let end = HTTPRequestHead.endIndex(in: incoming.pending), let head = HTTPRequestHead.parse(incoming.pending[..<end]), decider.intercepts(head) else {
            return passThrough(to: destination)
        }
        let upgrade = Self.withoutExtensions(Array(incoming.pending[..<end]))
        incoming.pending.removeFirst(end)
        guard openUpstream(to: destination), HelperSocket.writeAll(upstream, upgrade) else { return reset() }
        // The server's answer to the upgrade, read here so the frames after it are known to be frames.
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while HTTPRequestHead.endIndex(in: answer) == nil, answer.count <= HTTPRequestHead.limit {
            let count = read(upstream, &buffer, buffer.count)
            guard count > 0 else { return reset() }
            answer += buffer[0..<count]
        }
        let headEnd = HTTPRequestHead.endIndex(in: answer) ?? answer.count
        guard HelperSocket.writeAll(client, Array(answer[..<headEnd])) else { return }
        let afterHead = Array(answer[headEnd...])
        let switched = answer.starts(with: Array("HTTP/1.1 101".utf8))
        let fault = decider.parameters.fault, fromServer = decider.parameters.match.from == .server
        let client = client, first = incoming.pending
        incoming.pending.removeAll()
        startResponseDirection { upstream in
            if switched && fromServer {
                Self.relay(from: upstream, to: client, first: afterHead, towardServer: false, decider: decider, fault: fault)
            } else {
                Self.copy(from: upstream, to: client, first: afterHead)
            }
            return .close
        }
        if switched && !fromServer {
            Self.relay(from: client, to: upstream, first: first, towardServer: true, decider: decider, fault: fault)
        } else {
            Self.copy(from: client, to: upstream, first: first)
        }
    }

    /// The upgrade request without its `Sec-WebSocket-Extensions` lines.
    static func withoutExtensions(_ head: [UInt8]) -> [UInt8] {
        let text = String(decoding: head, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.lowercased().hasPrefix("sec-websocket-extensions:") }
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// Passes frames from `source` to `destination`, acting on the whole text messages the fault
    /// matches; a close goes to both (frames toward the server masked). A message held back by
    /// `reorder` goes after the next frame, or after a second without one.
    static func relay(from source: Int32, to destination: Int32, first: [UInt8], towardServer: Bool,
                      decider: WebSocketDecider, fault: WebSocketMessageFault) {
        var pending = first, held: [UInt8]?
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            while let (frame, length) = WebSocketFrame.parse(pending) {
                let raw = Array(pending[..<length])
                pending.removeFirst(length)
                if let late = held {
                    held = nil
                    guard HelperSocket.writeAll(destination, raw + late) else { return }
                    continue
                }
                guard frame.isWholeTextMessage, decider.actsOn(frame.payload) else {
                    guard HelperSocket.writeAll(destination, raw) else { return }
                    continue
                }
                switch fault {
                case .drop: continue
                case .delay(let delay):
                    Thread.sleep(forTimeInterval: delay.seconds)
                    guard HelperSocket.writeAll(destination, raw) else { return }
                case .duplicate:
                    guard HelperSocket.writeAll(destination, raw + raw) else { return }
                case .reorder: held = raw
                case .corrupt(let corruption):
                    var broken = frame
                    broken.payload = WebSocketMessageFault.corrupted(frame.payload, corruption)
                    guard HelperSocket.writeAll(destination, broken.encoded) else { return }
                case .close(let code):
                    // The message, then a close to both sides (masked toward the server), then the connection ends.
                    _ = HelperSocket.writeAll(destination, raw + WebSocketFrame.closing(code: code, reason: "faultline", masked: towardServer).encoded)
                    _ = HelperSocket.writeAll(source, WebSocketFrame.closing(code: code, reason: "faultline", masked: !towardServer).encoded)
                    shutdown(destination, Int32(SHUT_RDWR))
                    shutdown(source, Int32(SHUT_RDWR))
                    return
                }
            }
            if held != nil {
                var ready = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, 1000) == 0 {
                    guard HelperSocket.writeAll(destination, held!) else { return }
                    held = nil
                    continue
                }
            }
            let count = read(source, &buffer, buffer.count)
            guard count > 0 else {
                if let late = held { _ = HelperSocket.writeAll(destination, late) }
                return
            }
            pending += buffer[0..<count]
        }
    }
}
