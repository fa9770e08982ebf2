import CSpawn
import Foundation
import Glibc
import Synchronization

/// Runs work on a thread of its own that entered a container's network namespace (`setns`): the
/// sockets it makes belong to that namespace, and can then be used from any thread. The benchmark's
/// way of being a client inside a container without starting a program there.
enum NetworkNamespaceThread {
    static func run<T: Sendable>(inNamespaceOf pid: Int, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { done.signal() }
            let namespace = open("/proc/\(pid)/ns/net", O_RDONLY)
            guard namespace >= 0, fl_enter_network_namespace(namespace) == 0 else {
                let reason = String(cString: strerror(errno))
                if namespace >= 0 { close(namespace) }
                outcome.withLock { $0 = .failure(BenchmarkError(message: "cannot enter the network namespace of process \(pid): \(reason)")) }
                return
            }
            close(namespace)
            let result = Result { try body() }
            outcome.withLock { $0 = result }
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// A TCP socket of the namespace: listening on `127.0.0.1:port` (`listen`), or connected to it.
    static func socket(inNamespaceOf pid: Int, port: UInt16, listen: Bool) throws -> Int32 {
        try run(inNamespaceOf: pid) {
            let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw BenchmarkError(message: "socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var one: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let done = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    listen ? (bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 && Glibc.listen(descriptor, 1024) == 0)
                        : connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard done else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw BenchmarkError(message: "\(listen ? "listen on" : "connect to") 127.0.0.1:\(port) in the container: \(reason)")
            }
            return descriptor
        }
    }
}
