import FaultlineSupport
import Foundation

/// Loopback ports for tests and benchmarks that must name a port before anything listens on it.
public enum LoopbackPort {
    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, read back, released).
    public static func free() throws -> Int {
        let (descriptor, port) = try bound(listening: false)
        close(descriptor)
        return port
    }

    /// A TCP socket listening on 127.0.0.1 at a port the kernel chose, and that port.
    public static func listener() throws -> (descriptor: Int32, port: Int) { try bound(listening: true) }

    /// A TCP socket bound to 127.0.0.1 at a port the kernel chose (listening if asked), and the port.
    private static func bound(listening: Bool) throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LoopbackPortError(errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && (!listening || listen(descriptor, 128) == 0) && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard ready else {
            let failure = LoopbackPortError(errno: errno)
            close(descriptor)
            throw failure
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// No loopback port could be bound.
public struct LoopbackPortError: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "no free port on 127.0.0.1: \(String(cString: strerror(errno)))" }
}
