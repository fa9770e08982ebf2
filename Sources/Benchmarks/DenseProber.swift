import FaultlineCLI
import Fixtures
import Foundation
import Synchronization

/// An independent observer for the recovery-accuracy benchmarks: a thread of its own that opens a
/// new TCP connection to a loopback port every few milliseconds and speaks one request of the
/// server's protocol with raw sockets (Redis `PING` → `+PONG`; PostgreSQL `SSLRequest` and a startup
/// message → authentication; HTTP `GET path` → status 200), nothing shared with faultline's probes.
final class DenseProber: Sendable {
    enum Server: Sendable, Equatable { case redis, postgres, http(path: String) }

    /// One check: when it started and ended (wall clock), and whether the server answered.
    struct Check: Sendable {
        let start: Date
        let end: Date
        let ok: Bool
    }

    private let port: UInt16
    private let proto: Server
    private let every: Duration
    private let timeoutMilliseconds: Int32
    private let checks = Mutex<[Check]>([])
    private let running = Atomic<Bool>(true)
    private let finished = Mutex<Bool>(false)

    init(port: Int, protocol proto: Server, every: Duration = .milliseconds(5), timeout: Duration = .milliseconds(100)) {
        self.port = UInt16(port)
        self.proto = proto
        self.every = every
        self.timeoutMilliseconds = Int32(timeout.milliseconds)
    }

    func start() {
        let thread = Thread { [self] in
            let clock = ContinuousClock()
            var next = clock.now
            while running.load(ordering: .relaxed) {
                let start = Date()
                let ok = check()
                let check = Check(start: start, end: Date(), ok: ok)
                checks.withLock { $0.append(check) }
                next = max(next + every, clock.now)
                Thread.sleep(forTimeInterval: max(0, (next - clock.now).seconds))
            }
            finished.withLock { $0 = true }
        }
        thread.name = "dense-prober-\(port)"
        thread.start()
    }

    /// Whether the latest check so far succeeded.
    func peekLastOK() async -> Bool { checks.withLock { $0.last?.ok ?? false } }

    /// Whether the latest `count` checks all succeeded.
    func lastChecksOK(_ count: Int) async -> Bool {
        checks.withLock { $0.count >= count && $0.suffix(count).allSatisfy(\.ok) }
    }

    /// Stops the thread and returns every check, oldest first.
    func stop() async -> [Check] {
        running.store(false, ordering: .relaxed)
        while !finished.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        return checks.withLock { $0 }
    }

    private func check() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 || errno == EINPROGRESS else { return false }
        guard wait(fd, for: Int16(POLLOUT)) else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else { return false }
        switch proto {
        case .redis:
            return exchange(fd, Array("PING\r\n".utf8)).starts(with: Array("+PONG".utf8))
        case .postgres:
            // SSLRequest → 'N', then a startup message for user app (trust): 'R' (authentication)
            // means a backend is serving; 'E' is "starting up" / "shutting down".
            guard exchange(fd, [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]).first == UInt8(ascii: "N") else { return false }
            let parameters = Array("user\0app\0database\0postgres\0\0".utf8)
            let length = UInt32(8 + parameters.count)
            let startup = withUnsafeBytes(of: length.bigEndian, Array.init) + withUnsafeBytes(of: UInt32(196_608).bigEndian, Array.init) + parameters
            let ok = exchange(fd, startup).first == UInt8(ascii: "R")
            _ = exchange(fd, [UInt8(ascii: "X"), 0, 0, 0, 4], awaitReply: false)
            return ok
        case .http(let path):
            let reply = exchange(fd, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            return reply.count >= 12 && reply[0..<5] == Array("HTTP/".utf8)[...] && reply[8..<12] == Array(" 200".utf8)[...]
        }
    }

    /// Sends `request` and returns the first bytes of the reply (empty on a time-out, error or close).
    private func exchange(_ fd: Int32, _ request: [UInt8], awaitReply: Bool = true) -> [UInt8] {
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return [] }
        guard awaitReply, wait(fd, for: Int16(POLLIN)) else { return [] }
        var reply = [UInt8](repeating: 0, count: 64)
        let received = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return received > 0 ? Array(reply.prefix(received)) : []
    }

    private func wait(_ fd: Int32, for events: Int16) -> Bool {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        // A failed connect also reports POLLOUT (with POLLERR): SO_ERROR tells, and recv sees a close.
        return poll(&descriptor, 1, timeoutMilliseconds) == 1 && descriptor.revents & events != 0
    }
}
