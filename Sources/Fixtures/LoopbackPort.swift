import FaultlineSupport
import Foundation

/// Loopback ports for tests and benchmarks that must name a port before anything listens on it.
public enum LoopbackPort {
    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to 0, read back, released).
    public static func free() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(descriptor, raw, length) == 0, getsockname(descriptor, raw, &length) == 0 else { throw LoopbackPortError(errno: errno) }
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A TCP socket listening on 127.0.0.1 at a port the kernel chose, and that port.
    public static func listener() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && listen(descriptor, 128) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard descriptor >= 0, bound else {
            let failure = LoopbackPortError(errno: errno)
            if descriptor >= 0 { close(descriptor) }
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
