import FaultlineSupport
import Foundation
import Glibc

/// The socket calls of the processes faults start inside a container (the dns resolver, the http
/// proxy): blocking IPv4 sockets, one thread per conversation.
enum HelperSocket {
    /// The ports a helper listens on inside the container: below Linux's default range of ports for
    /// outgoing connections (32768–60999), where a busy client's own connections would hold the one
    /// chosen (seen: the backend's connections held the proxy's port and it could not listen).
    static let ports: ClosedRange<UInt16> = 20000...32767

    /// A port of `ports` no socket of the container's namespace uses now (`/proc/PID/net/<table>`
    /// and its IPv6 twin, every state); a random one of them.
    static func freePort(pid: Int, table: String, files: any ContainerFileAccess) -> UInt16 {
        var used = Set<UInt16>()
        for name in [table, table + "6"] {
            let listing = (try? files.readText("/proc/\(pid)/net/\(name)")) ?? ""
            for line in listing.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 1, let colon = fields[1].lastIndex(of: ":"), let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
                used.insert(port)
            }
        }
        for _ in 0..<100 {
            let port = UInt16.random(in: ports)
            if !used.contains(port) { return port }
        }
        return ports.first { !used.contains($0) } ?? UInt16.random(in: ports)
    }
    /// The mark a helper's own forwarded traffic carries, so the fault's redirect lets it pass.
    static let forwardMark: UInt32 = 0xfa17
    static var forwardMarkText: String { "0x" + String(forwardMark, radix: 16) }

    static func ipv4(_ host: String, _ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }

    /// A socket bound to `host:port` (`SOCK_DGRAM` or `SOCK_STREAM`, listening when a stream).
    static func bound(_ type: Int32, host: String, port: UInt16) throws -> Int32 {
        let descriptor = socket(AF_INET, type, 0)
        let kind = type == Int32(SOCK_DGRAM.rawValue) ? "udp" : "tcp"
        guard descriptor >= 0 else { throw FaultProcessError(message: "socket: \(String(cString: strerror(errno)))") }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = ipv4(host, port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, kind == "udp" || listen(descriptor, 512) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FaultProcessError(message: "bind \(host):\(port)/\(kind): \(reason)")
        }
        return descriptor
    }

    /// The address a socket is bound to (`getsockname`).
    static func localAddress(of descriptor: Int32) -> sockaddr_in { address(of: descriptor, getsockname) }

    /// The address of a connected socket's peer (`getpeername`).
    static func remoteAddress(of descriptor: Int32) -> sockaddr_in { address(of: descriptor, getpeername) }

    private static func address(of descriptor: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?) -> Int32) -> sockaddr_in {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(descriptor, $0, &length) } }
        return address
    }

    /// `172.18.0.3:8080` (or only the address).
    static func text(_ address: sockaddr_in, port: Bool = true) -> String {
        var bytes = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        var raw = address.sin_addr
        inet_ntop(AF_INET, &raw, &bytes, socklen_t(bytes.count))
        let host = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return port ? "\(host):\(UInt16(bigEndian: address.sin_port))" : host
    }

    /// A TCP listener on every address of the namespace.
    static func listener(tcpPort port: UInt16) throws -> Int32 { try bound(Int32(SOCK_STREAM.rawValue), host: "0.0.0.0", port: port) }

    /// A TCP connection carrying `mark` (so the fault's own redirect lets it pass); nil when it
    /// cannot be made within `timeout`.
    static func connect(_ destination: sockaddr_in, mark: UInt32, timeout: Duration) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var markValue = mark
        guard setsockopt(descriptor, SOL_SOCKET, SO_MARK, &markValue, socklen_t(MemoryLayout<UInt32>.size)) == 0 else {
            close(descriptor)
            return nil
        }
        var seconds = timeval(tv_sec: Int(timeout.seconds), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var address = destination
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        var none = timeval()
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    /// Makes closing `descriptor` reset its TCP connection (SO_LINGER 0: an RST instead of a FIN).
    static func resetOnClose(_ descriptor: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Writes every byte; false when the peer is gone.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool { writeAll(descriptor, bytes[...]) }

    static func writeAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Bool { DescriptorWrite.all(bytes, to: descriptor) }

    /// Reads and discards until the peer closes or `limit` passes.
    static func drain(_ descriptor: Int32, for limit: Duration) {
        let end = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while ContinuousClock.now < end {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, Int32((end - ContinuousClock.now).milliseconds)) > 0, read(descriptor, &buffer, buffer.count) > 0 else { return }
        }
    }

    /// Waits until a socket of the container's namespace is bound to `local` (`0100007F:A1B2`) in
    /// `/proc/PID/net/<table>` (`udp`, or `tcp` in the listening state), so a redirect never sends
    /// traffic to a port nobody serves.
    static func waitUntilBound(_ local: String, table: String, pid: Int, files: any ContainerFileAccess, what: String) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let listing = (try? files.readText("/proc/\(pid)/net/\(table)")) ?? ""
            let bound = listing.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ")
                return fields.count > 3 && fields[1] == local && (table != "tcp" || fields[3] == "0A")
            }
            if bound { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FaultProcessError(message: "\(what) did not listen on \(local) (/proc/\(pid)/net/\(table)) in the container within 5 s")
    }
}
