import Foundation
import Glibc
import Synchronization

/// An HTTP/1.1 server that answers every request on a kept-alive connection with the same response,
/// one thread per connection: its own cost is a few microseconds, so what a path in front of it adds
/// shows in benchmarks, and tests see exactly what a proxy made of a response they know. It serves
/// on a listening socket it is given (one opened in a container's network namespace) until `stop`.
public final class FixedHTTPServer: Sendable {
    public static let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok".utf8)
    let listener: Int32
    let response: [UInt8]
    private let connections = Mutex<[Int32]>([])
    private let stopped = Atomic<Bool>(false)

    /// Starts accepting on `listener` (bound and listening), answering each request with `response`.
    public init(listener: Int32, response: [UInt8] = FixedHTTPServer.response) {
        self.listener = listener
        self.response = response
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections.withLock { $0.append(client) }
            Thread.detachNewThread { [self] in
                serve(client)
                // Closed under the lock, so `stop` never shuts down a number another socket took since.
                connections.withLock { open in
                    open.removeAll { $0 == client }
                    close(client)
                }
            }
        }
    }

    /// Answers each request head (a request without a body) with `response` until the client closes.
    private func serve(_ client: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return }
            pending += buffer[0..<count]
            while let end = Self.headEnd(pending) {
                pending.removeFirst(end)
                let sent = response.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent == response.count else { return }
            }
        }
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// Stops accepting and ends every connection.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        connections.withLock { open in for connection in open { shutdown(connection, Int32(SHUT_RDWR)) } }
        close(listener)
    }
}
