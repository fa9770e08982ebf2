@testable import FaultProxy
import Foundation
import Logging
import Testing

/// The proxy must never inject a fault nobody asked for: every byte, in both directions, arrives
/// (count, and every byte compared with what was sent), with no toxic and with latency, bandwidth and slicer, when the upstream
/// closes right after its last write and when the client half-closes and waits for the answer.
@Suite(.serialized) struct ProxyByteExactnessTests {
    /// What the upstream does with a connection.
    enum Upstream: Sendable {
        /// Sends `count` bytes and closes at once.
        case source(count: Int)
        /// Echoes everything until the client's FIN, then closes.
        case echo
    }

    /// The byte stream every test sends: this table over and over (its odd length keeps the
    /// pattern from lining up with any chunk or buffer size).
    static let table: [UInt8] = (0..<1_048_583).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }

    /// What arrived: how many bytes, and where the first one differed from the stream sent.
    struct Digest: Equatable, CustomStringConvertible {
        var count = 0
        var firstMismatch: Int?
        /// Compares `bytes`, the next ones received, with the stream (memcmp, a table segment at a time).
        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            var offset = 0
            while offset < bytes.count {
                let position = (count + offset) % ProxyByteExactnessTests.table.count
                let length = min(bytes.count - offset, ProxyByteExactnessTests.table.count - position)
                let same = ProxyByteExactnessTests.table.withUnsafeBytes { memcmp($0.baseAddress! + position, bytes.baseAddress! + offset, length) == 0 }
                if !same && firstMismatch == nil { firstMismatch = count + offset }
                offset += length
            }
            count += bytes.count
        }
        static func expected(_ count: Int) -> Digest { Digest(count: count, firstMismatch: nil) }
        var description: String { "\(count) bytes" + (firstMismatch.map { ", first wrong byte near \($0)" } ?? ", all as sent") }
    }

    /// Runs `body` on a thread of its own (blocking sockets stay off the cooperative pool).
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: body()) }.start() }
    }

    static func listen() -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")),
                                  sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        _ = Glibc.listen(descriptor, 16)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    static func connectTo(_ port: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(UInt16(port).bigEndian),
                                  sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return result == 0 ? descriptor : -1
    }

    static func sendPattern(_ descriptor: Int32, count: Int) -> Bool {
        var sent = 0
        while sent < count {
            let position = sent % table.count
            let length = min(count - sent, table.count - position, 1 << 16)
            let written = table.withUnsafeBytes { send(descriptor, $0.baseAddress! + position, length, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            sent += written
        }
        return true
    }

    static func readAll(_ descriptor: Int32, echoingTo echo: Int32? = nil) -> Digest {
        var digest = Digest()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            buffer.withUnsafeBytes { digest.add(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if let echo {
                var offset = 0
                while offset < count {
                    let written = buffer.withUnsafeBytes { send(echo, $0.baseAddress! + offset, count - offset, Int32(MSG_NOSIGNAL)) }
                    guard written > 0 else { return digest }
                    offset += written
                }
            }
        }
        return digest
    }

    /// One connection through a proxy with `toxics` to an upstream doing `upstream`; what the client received.
    static func transfer(_ upstream: Upstream, sending: Int = 0, toxics: [String]) async throws -> Digest {
        let server = listen()
        defer { close(server.descriptor) }
        let parsed = try toxics.map { try Toxic.parse($0) }
        let proxy = try await ProxyServer.start(listenPort: 0, upstreamHost: "127.0.0.1", upstreamPort: server.port,
                                                toxics: ToxicSet(parsed), logger: Logger(label: "exactness"))
        let serving = Task {
            await onThread {
                let connection = accept(server.descriptor, nil, nil)
                guard connection >= 0 else { return }
                switch upstream {
                case .source(let count): _ = sendPattern(connection, count: count)
                case .echo: _ = readAll(connection, echoingTo: connection)
                }
                close(connection)  // right after the last write
            }
        }
        let received = await onThread { () -> Digest in
            let client = connectTo(proxy.listenPort)
            guard client >= 0 else { return Digest(count: -1, firstMismatch: 0) }
            defer { close(client) }
            if sending > 0 {
                // Send from a thread of its own while this one reads, then half-close.
                let writer = Thread { _ = sendPattern(client, count: sending); shutdown(client, Int32(SHUT_WR)) }
                writer.start()
            } else if case .echo = upstream {
                shutdown(client, Int32(SHUT_WR))
            }
            return readAll(client)
        }
        await serving.value
        await proxy.stop()
        return received
    }

    // Upstream closes right after its last write: the client gets every byte, 1 B to 256 MB.
    @Test(arguments: [1, 1_000, 65_537, 1 << 20, 16 << 20, 256 << 20])
    func upstreamClosingAfterItsLastWrite(size: Int) async throws {
        let received = try await Self.transfer(.source(count: size), toxics: [])
        #expect(received == Digest.expected(size), "got \(received), sent \(Digest.expected(size))")
    }

    // The client sends and half-closes; the echoed answer comes back whole, both directions counted.
    @Test(arguments: [1, 65_537, 4 << 20, 32 << 20])
    func clientHalfClosingGetsTheWholeAnswer(size: Int) async throws {
        let received = try await Self.transfer(.echo, sending: size, toxics: [])
        #expect(received == Digest.expected(size), "got \(received), sent \(Digest.expected(size))")
    }

    // With toxics that delay, pace or slice (not ones that drop by design), nothing is lost either.
    @Test(arguments: [["latency=5ms,jitter=2ms"], ["bandwidth=400mbit"], ["slicer=700,variation=300,delay=0ms"],
                      ["latency=2ms,stream=upstream", "slicer=1000,variation=10,delay=0ms"]])
    func toxicsThatDelayLoseNothing(toxics: [String]) async throws {
        for size in [1, 9_999, 1 << 20] {
            let sourced = try await Self.transfer(.source(count: size), toxics: toxics)
            #expect(sourced == Digest.expected(size), "\(toxics) source \(size): got \(sourced)")
            let echoed = try await Self.transfer(.echo, sending: size, toxics: toxics)
            #expect(echoed == Digest.expected(size), "\(toxics) echo \(size): got \(echoed)")
        }
    }
}
