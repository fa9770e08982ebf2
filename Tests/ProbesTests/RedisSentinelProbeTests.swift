import Foundation
@testable import Probes
import Testing

/// The Redis probe through Sentinel, against real host processes on loopback: a master, its
/// replica and one Sentinel (quorum 1). Every process is killed and its directory removed at the
/// end, also when an expectation fails.
@Suite(.serialized) struct RedisSentinelProbeTests {
    /// Host redis-server processes on loopback ports of their own.
    final class Servers {
        let directory = NSTemporaryDirectory() + "fl-sentinel-" + UUID().uuidString
        /// Below the kernel's ephemeral range (32768 up), so no outgoing connection holds a port.
        let base = Int.random(in: 21_000...32_000)
        var master: Int { base }
        var replica: Int { base + 1 }
        var sentinel: Int { base + 2 }
        private(set) var processes: [Int: Process] = [:]

        /// The master and its replica; `startSentinel` once the replica is in sync, so the
        /// Sentinel's first look at the master (it looks again only every 10 s) finds it.
        func start() throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
                          "--repl-diskless-sync-delay", "0"]
            try launch(master, ["--port", "\(master)", "--dir", directory, "--dbfilename", "m.rdb", "--logfile", directory + "/master.log"] + common)
            try launch(replica, ["--port", "\(replica)", "--dir", directory, "--dbfilename", "r.rdb", "--logfile", directory + "/replica.log",
                                 "--replicaof", "127.0.0.1", "\(master)"] + common)
        }

        func startSentinel() throws {
            let config = """
            port \(sentinel)
            bind 127.0.0.1
            dir \(directory)
            sentinel monitor mymaster 127.0.0.1 \(master) 1
            sentinel down-after-milliseconds mymaster 500
            sentinel failover-timeout mymaster 2000
            logfile \(directory)/sentinel.log
            """
            try config.write(toFile: directory + "/sentinel.conf", atomically: true, encoding: .utf8)
            try launch(sentinel, [directory + "/sentinel.conf", "--sentinel"])
        }

        private func launch(_ port: Int, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
            process.arguments = arguments
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            processes[port] = process
        }

        func kill(_ port: Int) {
            guard let process = processes[port], process.isRunning else { return }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// The last lines of every log, for a failed expectation.
        func logs() -> String {
            ["master", "replica", "sentinel"].map { name in
                let text = (try? String(contentsOfFile: "\(directory)/\(name).log", encoding: .utf8)) ?? "(none)"
                return "\(name).log:\n" + text.split(separator: "\n").suffix(8).joined(separator: "\n")
            }.joined(separator: "\n")
        }

        func stop() {
            for port in processes.keys { kill(port) }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func probe(_ servers: Servers, sentinels: [String]? = nil) throws -> RedisProbe {
        var config = RedisProbeConfig(host: "127.0.0.1", port: servers.sentinel)
        config.sentinels = sentinels ?? ["127.0.0.1:\(servers.sentinel)"]
        config.master = "mymaster"
        return try RedisProbe(name: "cache", config: config, timeout: .milliseconds(300))
    }

    /// Runs `check` every 50 ms until `done` says so or `limit` passes; the checks in order.
    static func poll(_ probe: any Probe, limit: Duration, until done: (ProbeCheck) -> Bool) async throws -> [ProbeCheck] {
        var checks: [ProbeCheck] = []
        let clock = ContinuousClock(), start = clock.now
        while clock.now - start < limit {
            let check = await probe.check()
            checks.append(check)
            if done(check) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return checks
    }

    // The master is killed: the probe fails while there is none, then — once the Sentinel has
    // promoted the replica — answers from it and says where the master went, with no restart.
    @Test func followsAFailover() async throws {
        let servers = Servers()
        defer { servers.stop() }
        try servers.start()
        let probe = try Self.probe(servers)
        // The replica is in sync when the master counts it in WAIT (nothing written: every
        // online replica acknowledges at once).
        var master = RedisProbeConfig(host: "127.0.0.1", port: servers.master)
        master.command = ["WAIT", "1", "100"]
        master.expectReply = "1"
        let masterProbe = try RedisProbe(name: "master", config: master, timeout: .milliseconds(300))
        let synced = try await Self.poll(masterProbe, limit: .seconds(20)) { $0.outcome.isOK }
        await masterProbe.close()
        #expect(synced.last?.outcome.isOK == true, "the replica never synced: \(synced.last.map(\.reason) ?? "")\n\(servers.logs())")
        try servers.startSentinel()
        // Ready when the master answers through the Sentinel and the Sentinel knows the replica
        // (a failover with no known replica would be aborted).
        var known = RedisProbeConfig(host: "127.0.0.1", port: servers.sentinel)
        known.command = ["SENTINEL", "replicas", "mymaster"]
        known.expectReply = "[1 elements]"
        let replicas = try RedisProbe(name: "sentinel", config: known, timeout: .milliseconds(300))
        let ready = try await Self.poll(replicas, limit: .seconds(20)) { $0.outcome.isOK }
        #expect(ready.last?.outcome.isOK == true, "the Sentinel never saw the replica: \(ready.last.map(\.reason) ?? "")\n\(servers.logs())")
        let first = await probe.check()
        #expect(first.outcome.isOK && first.reason == "PONG", "\(first.reason)")

        // A Sentinel whose first failover attempt finds no eligible replica retries after twice
        // failover-timeout (4 s here): the limit below allows a few such rounds.
        servers.kill(servers.master)
        let checks = try await Self.poll(probe, limit: .seconds(30)) { $0.outcome.isOK && $0.reason.contains("now at") }
        let last = try #require(checks.last)
        #expect(last.outcome.isOK && last.reason == "PONG (master 'mymaster' now at 127.0.0.1:\(servers.replica))", "\(checks.map(\.reason))\n\(servers.logs())")
        #expect(checks.contains { !$0.outcome.isOK }, "no check failed while there was no master: \(checks.map(\.reason))")
        let after = await probe.check()
        #expect(after.outcome.isOK && after.reason == "PONG", "\(after.reason)")
        await probe.close()
        await replicas.close()
    }

    // No Sentinel answers: the check fails naming each one asked; an unknown master name is said so.
    @Test func saysWhatTheSentinelsAnswered() async throws {
        let servers = Servers()
        defer { servers.stop() }
        let down = try Self.probe(servers, sentinels: ["127.0.0.1:\(servers.sentinel)"])
        let check = await down.check()
        #expect(!check.outcome.isOK && check.reason.hasPrefix("no Sentinel named master 'mymaster': 127.0.0.1:\(servers.sentinel): Connection refused"), "\(check.reason)")
        try servers.start()
        var config = RedisProbeConfig(host: "127.0.0.1", port: servers.sentinel)
        config.sentinels = ["127.0.0.1:\(servers.sentinel)"]
        config.master = "othermaster"
        let unknown = try RedisProbe(name: "cache", config: config, timeout: .milliseconds(300))
        try servers.startSentinel()
        let checks = try await Self.poll(unknown, limit: .seconds(5)) { $0.reason.contains("does not monitor") }
        #expect(checks.last?.reason.contains("does not monitor a master named 'othermaster'") == true, "\(checks.map(\.reason))")
        await down.close()
        await unknown.close()
    }

    // Bad configurations are refused before any check.
    @Test func refusesIncompleteSentinelConfig() {
        var config = RedisProbeConfig(host: "x")
        config.sentinels = ["127.0.0.1:26379"]
        #expect(throws: ProbeConfigError.self) { try config.validate() }
        config.master = "mymaster"
        config.sentinels = ["127.0.0.1"]
        #expect(throws: ProbeConfigError.self) { try config.validate() }
        config.sentinels = ["[::1]:26379"]
        #expect(throws: Never.self) { try config.validate() }
        #expect(RedisProbeConfig.hostPort("[::1]:26379")! == ("::1", 26379))
    }
}
