import Foundation
@testable import Probes
import Testing

/// A loopback listener that never accepts: the kernel completes connections into its backlog,
/// and nothing ever answers them.
struct SilentListener: ~Copyable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 1024) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { close(descriptor); throw POSIXError(.EADDRNOTAVAIL) }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// Open descriptors of this process.
func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
}

@Suite struct PolledProbeTests {
    // 200 probes whose server never answers all wait at once on the one poller thread: together
    // they take one time-out, not 200, each says which step got no answer, and every socket is
    // closed afterwards.
    @Test func manySilentServersTimeOutTogether() async throws {
        let listener = try SilentListener()
        _ = ProbePoller.all  // the pollers' own descriptors are not the probes'
        let before = openDescriptorCount()
        let timeout = Duration.milliseconds(300)
        var probes: [any Probe] = []
        for index in 0..<200 {
            probes.append(index % 2 == 0
                ? try TCPProbe(name: "tcp", config: TCPProbeConfig(host: "127.0.0.1", port: listener.port, send: "PING\\r\\n", expect: "PONG"), timeout: timeout)
                : try RedisProbe(name: "redis", config: RedisProbeConfig(host: "127.0.0.1", port: listener.port), timeout: timeout))
        }
        let clock = ContinuousClock()
        let started = clock.now
        let checks = await withTaskGroup(of: ProbeCheck.self) { group in
            for probe in probes { group.addTask { await probe.check() } }
            return await group.reduce(into: [ProbeCheck]()) { $0.append($1) }
        }
        let elapsed = clock.now - started
        #expect(elapsed < .milliseconds(1500), "200 checks took \(elapsed)")
        #expect(checks.allSatisfy { $0.outcome == .timeout })
        #expect(Set(checks.map(\.reason)) == ["receive: no answer before the deadline", "PING: no answer within 300 ms"])
        for probe in probes { await probe.close() }
        #expect(openDescriptorCount() <= before + 2, "descriptors: \(before) before, \(openDescriptorCount()) after")
    }

    // A refused connection is an error at once (not a time-out), for every polled kind, and leaves
    // no socket open.
    @Test func refusedAtOnce() async throws {
        let port: Int
        do {
            let listener = try SilentListener()
            port = listener.port
        }  // closed: the port now refuses
        _ = ProbePoller.all
        let before = openDescriptorCount()
        let probes: [any Probe] = [
            try TCPProbe(name: "tcp", config: TCPProbeConfig(host: "127.0.0.1", port: port), timeout: .seconds(2)),
            try RedisProbe(name: "redis", config: RedisProbeConfig(host: "127.0.0.1", port: port), timeout: .seconds(2)),
            try HTTPProbe(name: "http", config: HTTPProbeConfig(url: "http://127.0.0.1:\(port)/"), timeout: .seconds(2)),
        ]
        for probe in probes {
            let check = await probe.check()
            #expect(check.outcome == .error, "\(probe.name): \(check.reason)")
            #expect(check.reason.contains("refused") || check.reason.contains("Couldn't connect"), "\(probe.name): \(check.reason)")
            #expect((check.ran.map { $0.upperBound - $0.lowerBound } ?? .seconds(9)) < .milliseconds(500))
        }
        for probe in probes { await probe.close() }
        #expect(openDescriptorCount() <= before + 2)
    }
}
