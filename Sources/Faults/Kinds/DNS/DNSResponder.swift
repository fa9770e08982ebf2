import FaultlineSupport
import Foundation
import Glibc
import Synchronization

/// The dns fault's resolver: a process of faultline's own (`faultline dns-responder`) that runs in
/// the target container's network namespace and cgroups. The fault's rule redirects the
/// container's UDP queries to port 53 here; a query for a matching name gets the fault's answer,
/// every other one goes to the container's own resolver unchanged (sent with `forwardMark`, which
/// the rule lets pass). At the end of its lifetime, or on SIGTERM, it deletes the rules carrying
/// `ruleMark` before it exits, so the fault ends even when no faultline process is left to revert it.
public struct DNSResponder: Sendable {
    public let port: UInt16
    /// The container's resolver (its `/etc/resolv.conf`), IPv4, port 53.
    public let upstream: String
    public let upstreamPort: UInt16
    public let forwardMark: UInt32
    /// A regular expression searched for in the queried name.
    public let names: String
    public let answer: DNSAnswer
    public let lifetime: Duration
    /// The comment of the rules that send queries here, deleted on the way out; nil: none.
    public let ruleMark: String?

    /// The mark forwarded queries carry, so the fault's own redirect lets them through.
    public static let defaultForwardMark: UInt32 = HelperSocket.forwardMark
    /// How long a forwarded query waits for the container's resolver.
    static let upstreamTimeout = Duration.seconds(5)
    static let stopping = Atomic<Bool>(false)

    public init(port: UInt16, upstream: String, upstreamPort: UInt16 = 53, forwardMark: UInt32 = DNSResponder.defaultForwardMark,
                names: String, answer: DNSAnswer, lifetime: Duration, ruleMark: String? = nil) {
        self.port = port
        self.upstream = upstream
        self.upstreamPort = upstreamPort
        self.forwardMark = forwardMark
        self.names = names
        self.answer = answer
        self.lifetime = lifetime
        self.ruleMark = ruleMark
    }

    /// Answers until its lifetime ends or SIGTERM; then deletes its rules.
    public func run() throws {
        let pattern = try Regex(names)
        let listener = try HelperSocket.bound(Int32(SOCK_DGRAM.rawValue), host: "127.0.0.1", port: port)
        defer { close(listener) }
        signal(SIGTERM) { _ in DNSResponder.stopping.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in DNSResponder.stopping.store(true, ordering: .relaxed) }
        let end = ContinuousClock.now + lifetime
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < end, !Self.stopping.load(ordering: .relaxed) {
            var ready = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 200) > 0 else { continue }
            var client = Peer()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = withUnsafeMutablePointer(to: &client.address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(listener, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0 else { continue }
            let packet = Array(buffer[0..<count])
            guard let query = DNSQuery.parse(packet), (try? pattern.firstMatch(in: query.name)) != nil else {
                forward(packet, for: client, through: listener, after: .zero)
                continue
            }
            switch answer {
            case .nxdomain: client.send(query.answer(.nameError), through: listener)
            case .servfail: client.send(query.answer(.serverFailure), through: listener)
            case .timeout: continue
            case .delay(let delay): forward(packet, for: client, through: listener, after: delay)
            }
        }
        if let ruleMark { HelperRules.delete(markedWith: ruleMark, table: "nat", chains: ["OUTPUT"]) }
    }

    /// Sends `packet` to the container's resolver (after `delay`) and its answer back to `client`,
    /// on a thread of its own so a slow resolver holds up no other query.
    private func forward(_ packet: [UInt8], for client: Peer, through listener: Int32, after delay: Duration) {
        let upstream = upstream, upstreamPort = upstreamPort, mark = forwardMark
        Thread.detachNewThread {
            if delay > .zero { Thread.sleep(forTimeInterval: delay.seconds) }
            let outbound = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard outbound >= 0 else { return }
            defer { close(outbound) }
            var markValue = mark
            guard setsockopt(outbound, SOL_SOCKET, SO_MARK, &markValue, socklen_t(MemoryLayout<UInt32>.size)) == 0 else { return }
            var address = HelperSocket.ipv4(upstream, upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(outbound, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0, send(outbound, packet, packet.count, 0) == packet.count else { return }
            var ready = pollfd(fd: outbound, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, Int32(Self.upstreamTimeout.milliseconds)) > 0 else { return }
            var reply = [UInt8](repeating: 0, count: 4096)
            let count = recv(outbound, &reply, reply.count, 0)
            guard count > 0 else { return }
            client.send(Array(reply[0..<count]), through: listener)
        }
    }

    /// A client's address, handed to the thread that answers it.
    struct Peer: @unchecked Sendable {
        var address = sockaddr_in()

        func send(_ bytes: [UInt8], through socket: Int32) {
            var address = address
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }
}
