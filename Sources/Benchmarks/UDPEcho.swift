import FaultlineSupport
import Foundation
import Glibc
import Synchronization

/// A UDP echo on a socket of a container's network namespace, served by a thread of the benchmark,
/// and the client side: one round trip at a time, or packets paced at a rate with their round trips
/// read from the send time each carries.
final class UDPEcho: Sendable {
    let descriptor: Int32
    private let stopped = Atomic<Bool>(false)

    init(inNamespaceOf pid: Int, port: UInt16) throws {
        descriptor = try NetworkNamespaceThread.run(inNamespaceOf: pid) {
            let descriptor = try Self.clientSocket()
            var address = Self.address("0.0.0.0", port)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard bound == 0 else {
                close(descriptor)
                throw BenchmarkError(message: "bind 0.0.0.0:\(port)/udp in the container: \(String(cString: strerror(errno)))")
            }
            return descriptor
        }
        let descriptor = descriptor
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 2048)
            var sender = sockaddr_in(), length = socklen_t(MemoryLayout<sockaddr_in>.size)
            while !stopped.load(ordering: .relaxed) {
                var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&watched, 1, 100) > 0 else { continue }
                let count = withUnsafeMutablePointer(to: &sender) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, &buffer, buffer.count, 0, $0, &length) }
                }
                guard count > 0 else { continue }
                _ = withUnsafePointer(to: &sender) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, buffer, count, 0, $0, length) } }
            }
            close(descriptor)
        }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    static func clientSocket() throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchmarkError(message: "socket: \(String(cString: strerror(errno)))") }
        var buffer: Int32 = 4 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    static func address(_ host: String, _ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        return address
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func send(_ descriptor: Int32, to host: String, port: UInt16, sequence: UInt64) {
        var address = address(host, port)
        var payload = [sequence.littleEndian, monotonicNanoseconds().littleEndian]
        _ = payload.withUnsafeMutableBytes { bytes in
            withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
    }

    /// Reads every echo that has come (waiting until `deadline` at the latest for the first): (sequence, round trip in ms).
    static func receive(_ descriptor: Int32, until deadline: ContinuousClock.Instant) -> [(UInt64, Double)] {
        var got: [(UInt64, Double)] = []
        var until = deadline
        var watched = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        while true {
            watched[0].revents = 0
            guard PrecisePoll.wait(&watched, until: until) > 0 else { return got }
            var payload = [UInt64](repeating: 0, count: 2)
            let count = payload.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count == 16 else { continue }
            got.append((UInt64(littleEndian: payload[0]), Double(monotonicNanoseconds() - UInt64(littleEndian: payload[1])) / 1e6))
            until = .now
        }
    }

    /// One echo's round trip in milliseconds (a second at most).
    static func roundTrip(_ descriptor: Int32, to host: String, port: UInt16) throws -> Double {
        let sequence = UInt64.random(in: 1...UInt64.max)
        send(descriptor, to: host, port: port, sequence: sequence)
        let deadline = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < deadline {
            if let match = receive(descriptor, until: .now + .milliseconds(100)).first(where: { $0.0 == sequence }) { return match.1 }
        }
        throw BenchmarkError(message: "no echo from \(host):\(port)/udp within a second")
    }

    /// `count` packets at `perSecond` (absolute schedule), then up to `wait` for the last echoes:
    /// each packet's round trip in ms, nil for one that never came back.
    static func paced(_ descriptor: Int32, to host: String, port: UInt16, count: Int, perSecond: Int, wait: Duration) throws -> [Double?] {
        _ = receive(descriptor, until: .now)
        // The sender sleeps until each packet is due (to the microsecond) instead of spinning: a
        // spinning client would take a whole core from the engine and the echo it measures.
        PrecisePoll.limitTimerSlack(to: .microseconds(1))
        var trips = [Double?](repeating: nil, count: count)
        let base = UInt64.random(in: 1...(1 << 40))
        func take(_ echoes: [(UInt64, Double)]) {
            for (sequence, trip) in echoes where sequence >= base && sequence < base + UInt64(count) && trips[Int(sequence - base)] == nil {
                trips[Int(sequence - base)] = trip
            }
        }
        let start = ContinuousClock.now, gap = Duration.nanoseconds(1_000_000_000 / Int64(perSecond))
        for index in 0..<count {
            let due = start + gap * index
            while ContinuousClock.now < due { take(receive(descriptor, until: due)) }
            send(descriptor, to: host, port: port, sequence: base + UInt64(index))
        }
        let end = ContinuousClock.now + wait
        while ContinuousClock.now < end, trips.contains(where: { $0 == nil }) { take(receive(descriptor, until: .now + .milliseconds(50))) }
        return trips
    }
}
