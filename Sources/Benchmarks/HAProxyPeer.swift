import Fixtures
import FaultlineSupport
import Foundation

/// HAProxy in TCP mode with one thread and its default buffers: the obvious alternative to
/// faultline's fault proxy for forwarding TCP, run from the host's binary (scripts/setup.sh installs
/// it) in front of the same upstreams so both proxies are measured side by side in one run.
///
/// It runs under `timeout -s KILL`, so it ends by itself even if the benchmark is SIGKILLed.
final class HAProxyPeer {
    static let binary = "/usr/sbin/haproxy"
    /// The longest it may live; a benchmark run is far shorter.
    static let lifetime = Duration.seconds(900)

    /// One listener per upstream port, in the same order.
    let listenPorts: [Int]
    private let pid: pid_t
    private let directory: URL

    /// Starts HAProxy forwarding a free loopback port to each of `upstreamPorts` and waits until
    /// every listener accepts.
    init(upstreamPorts: [Int]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw BenchmarkError(message: "\(Self.binary) not found: the proxy benchmark compares against HAProxy (apt-get install haproxy; scripts/setup.sh installs it)")
        }
        listenPorts = try upstreamPorts.map { _ in try LoopbackPort.free() }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-bench-haproxy-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = """
            global
              nbthread 1
              maxconn 256
            defaults
              mode tcp
              timeout connect 5s
              timeout client 300s
              timeout server 300s

            """
        for (index, (listen, upstream)) in zip(listenPorts, upstreamPorts).enumerated() {
            config += "listen path\(index)\n  bind 127.0.0.1:\(listen)\n  server upstream 127.0.0.1:\(upstream)\n"
        }
        let configPath = directory.appendingPathComponent("haproxy.cfg").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let argv = ["timeout", "-s", "KILL", "\(Int(Self.lifetime.seconds))", Self.binary, "-db", "-q", "-f", configPath]
        switch ChildProcess.spawn(argv, searchPath: true) {
        case .success(let pid): self.pid = pid
        case .failure(let error):
            try? FileManager.default.removeItem(at: directory)
            throw BenchmarkError(message: "cannot start \(Self.binary): \(error)")
        }
        do {
            for port in listenPorts { try Self.waitUntilAccepting(port: port, within: .seconds(5)) }
        } catch {
            stop()
            throw error
        }
    }

    /// Stops HAProxy (`timeout` passes the SIGTERM on; HAProxy stops at once in `-db` mode), waits
    /// for it and removes its configuration.
    func stop() {
        kill(pid, SIGTERM)
        _ = ChildProcess.wait(pid)
        try? FileManager.default.removeItem(at: directory)
    }

    private static func waitUntilAccepting(port: Int, within limit: Duration) throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if (try? LoopbackClient(port: port)) != nil { return }
            usleep(20_000)
        }
        throw BenchmarkError(message: "HAProxy did not listen on 127.0.0.1:\(port) within \(limit)")
    }
}
