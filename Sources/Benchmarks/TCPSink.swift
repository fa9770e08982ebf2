import FaultlineSupport
import Foundation
import Glibc
import Synchronization

/// A TCP listener in a container's network namespace whose connections are read and discarded (or,
/// with `echo`, sent back) by threads of the benchmark; a stream to it from another namespace
/// (bytes per second), and request/response round trips to an echoing one.
final class TCPSink: Sendable {
    let listener: Int32
    private let stopped = Atomic<Bool>(false)

    init(inNamespaceOf pid: Int, port: UInt16, echo: Bool = false) throws {
        listener = try NetworkNamespaceThread.run(inNamespaceOf: pid) {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw BenchmarkError(message: "socket: \(String(cString: strerror(errno)))") }
            var one: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = UDPEcho.address("0.0.0.0", port)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0, listen(descriptor, 16) == 0 else {
                close(descriptor)
                throw BenchmarkError(message: "listen on 0.0.0.0:\(port) in the container: \(String(cString: strerror(errno)))")
            }
            return descriptor
        }
        let listener = listener
        Thread.detachNewThread { [self] in
            while !stopped.load(ordering: .relaxed) {
                var watched = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&watched, 1, 100) > 0 else { continue }
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { continue }
                Thread.detachNewThread {
                    var buffer = [UInt8](repeating: 0, count: 1 << 16)
                    var one: Int32 = 1
                    if echo { setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
                    while true {
                        let count = read(connection, &buffer, buffer.count)
                        guard count > 0 else { break }
                        if echo, !DescriptorWrite.all(buffer[0..<count], to: connection) { break }
                    }
                    close(connection)
                }
            }
            close(listener)
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Writes 64 KiB blocks to `host:port` from `pid`'s namespace for `seconds`: bytes per second.
    static func stream(fromNamespaceOf pid: Int, to host: String, port: UInt16, seconds: Double) throws -> Double {
        let descriptor = try connection(fromNamespaceOf: pid, to: host, port: port, noDelay: false)
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0x61, count: 1 << 16)
        var sent = 0
        let start = ContinuousClock.now, end = start + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < end {
            let count = write(descriptor, block, block.count)
            guard count > 0 else { throw BenchmarkError(message: "the stream to \(host):\(port) broke: \(String(cString: strerror(errno)))") }
            sent += count
        }
        return Double(sent) / (ContinuousClock.now - start).seconds
    }

    /// A connection from `pid`'s namespace to a sink; TCP_NODELAY (for `roundTrip`) unless told not to.
    static func connection(fromNamespaceOf pid: Int, to host: String, port: UInt16, noDelay: Bool = true) throws -> Int32 {
        try NetworkNamespaceThread.run(inNamespaceOf: pid) {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = UDPEcho.address(host, port)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard descriptor >= 0, connected == 0 else {
                if descriptor >= 0 { close(descriptor) }
                throw BenchmarkError(message: "connect to \(host):\(port): \(String(cString: strerror(errno)))")
            }
            var one: Int32 = 1
            if noDelay { setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
            return descriptor
        }
    }

    /// One 64-byte request and its echo on `descriptor`: microseconds.
    static func roundTrip(_ descriptor: Int32) throws -> Double {
        let request = [UInt8](repeating: 0x72, count: 64)
        var answer = [UInt8](repeating: 0, count: 64)
        let start = ContinuousClock.now
        guard DescriptorWrite.all(request[...], to: descriptor) else { throw BenchmarkError(message: "TCP round trip: write: \(String(cString: strerror(errno)))") }
        var received = 0
        while received < answer.count {
            let count = answer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + received, $0.count - received) }
            guard count > 0 else { throw BenchmarkError(message: "TCP round trip: the echo closed or failed after \(received) bytes") }
            received += count
        }
        return (ContinuousClock.now - start).seconds * 1_000_000
    }
}
