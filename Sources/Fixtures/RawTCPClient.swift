import Foundation
import Glibc

/// One TCP connection to an IPv4 address with blocking calls and a read time-out: what a test
/// needs to see bytes exactly as a server (or faultline's proxy) sent them, and how the connection ended.
public final class RawTCPClient: @unchecked Sendable {
    let descriptor: Int32

    /// Takes over a connected socket (one opened in another network namespace).
    public init(connected descriptor: Int32) { self.descriptor = descriptor }

    public init(host: String = "127.0.0.1", port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw RawTCPClient.Failure(message: "connect \(host):\(port): \(reason)")
        }
    }

    deinit { close(descriptor) }

    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public func send(_ text: String) { send(bytes: Array(text.utf8)) }

    /// How reading ended.
    public enum End: String, Sendable {
        case complete, closed, reset, timedOut, failed
    }

    /// Reads until `count` bytes came, the peer closed or reset, or `timeout` passed.
    public func read(_ count: Int = .max, timeout: Duration = .seconds(3)) -> (text: String, end: End) {
        let (bytes, end) = readBytes(count, timeout: timeout)
        return (String(decoding: bytes, as: UTF8.self), end)
    }

    /// The same, as bytes (what a binary protocol needs).
    public func readBytes(_ count: Int = .max, timeout: Duration = .seconds(3)) -> (bytes: [UInt8], end: End) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + timeout
        while bytes.count < count {
            let left = deadline - ContinuousClock.now
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard left > .zero, poll(&ready, 1, Int32(max(1, Double(left.components.seconds) * 1000 + Double(left.components.attoseconds) / 1e15))) > 0 else {
                return (bytes, .timedOut)
            }
            let got = Glibc.read(descriptor, &buffer, min(buffer.count, count - bytes.count))
            if got == 0 { return (bytes, .closed) }
            if got < 0 { return (bytes, errno == ECONNRESET ? .reset : .failed) }
            bytes += buffer[0..<got]
        }
        return (bytes, .complete)
    }

    /// Sends bytes as they are.
    public func send(bytes: [UInt8]) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let sent = rest.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            rest = rest.dropFirst(sent)
        }
    }

    /// Sends a request and reads `count` bytes back (an echo server's copy of it).
    public func echo(_ request: String) -> String {
        send(request)
        return read(request.utf8.count).text
    }
}
