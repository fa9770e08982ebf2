import Foundation
import TestSupport
import Testing

/// The engine misbehaving: silent, failing, answering garbage. Each is one clear line that names
/// the call and what the engine did (exit 3), and a silent engine is given up on at --engine-timeout.
@Suite(.serialized) struct EngineFaultTests {
    /// Runs `faultline targets` against a fake engine in `mode`.
    static func targets(against mode: String, extra: [String] = []) async throws -> (CommandRunner.Result, Duration) {
        let socket = NSTemporaryDirectory() + "fl-fake-engine-" + UUID().uuidString.prefix(8) + ".sock"
        let fake = Process()
        fake.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        fake.arguments = [TestServers.fixtures + "/fake_engine.py", socket, mode]
        fake.standardOutput = FileHandle.nullDevice
        fake.standardError = FileHandle.nullDevice
        try fake.run()
        // SIGKILL: the test process may ignore SIGTERM (signal traps), and children inherit that.
        defer { kill(fake.processIdentifier, SIGKILL); try? FileManager.default.removeItem(atPath: socket) }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(20)) }
        let clock = ContinuousClock(), started = clock.now
        let result = try await FaultlineProcess.run(["targets", "--engine", "unix://" + socket] + extra)
        return (result, clock.now - started)
    }

    @Test func silentEngineIsGivenUpOnAtTheTimeout() async throws {
        let (result, took) = try await Self.targets(against: "silent", extra: ["--engine-timeout", "1s"])
        #expect(result.status == 3)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("GET /_ping") && lines[0].contains("did not answer within 1s"), "\(result.stderr)")
        #expect(took < .seconds(5), "took \(took)")
    }

    @Test func failingEngineIsNamedWithItsMessage() async throws {
        let (result, _) = try await Self.targets(against: "error")
        #expect(result.status == 3)
        #expect(result.stderr.contains("GET /_ping") && result.stderr.contains("500") && result.stderr.contains("daemon on fire"), "\(result.stderr)")
    }

    // Root passes any file permission, so the refusal is met as an unprivileged user (nobody),
    // the way a user outside the docker group meets it: one line naming the call, the socket and the fix.
    @Test func socketNotPermittedIsOneClearLine() async throws {
        try FaultlineProcess.requireBinary()
        // A copy nobody can run, wherever the checkout lives.
        let directory = NSTemporaryDirectory() + "fl-nobody-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: FaultlineProcess.binaryPath, toPath: directory + "/faultline")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/faultline")
        let result = try await CommandRunner.run(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                  directory + "/faultline", "targets", "--engine", "unix:///var/run/docker.sock",
                                                  "--state-dir", directory + "/state"])
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("GET /_ping") && lines[0].contains("permission denied on /var/run/docker.sock")
                && lines[0].contains("docker group"), "\(result.stderr)")
    }

    // A 200 without the Api-Version header falls back to /version, and its garbage is named there.
    @Test func garbageFromTheEngineIsNamed() async throws {
        let (result, _) = try await Self.targets(against: "garbage")
        #expect(result.status == 3)
        #expect(result.stderr.contains("/version") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}

/// The engine going away mid-campaign and coming back (a dockerd restart, played by a relay in
/// front of the real engine's socket, so the shared engine and its containers are untouched).
@Suite(.serialized) struct EngineRestartTests {
    // The engine disappears while a pause is injected and is back 3 s after the window's end: the
    // revert waits for it instead of failing, the container is unpaused once the engine answers,
    // and the run ends aborted (exit 3) with a reason that says what happened; nothing stays open.
    @Test func faultIsRevertedOnceTheEngineIsBackAndTheRunSaysWhy() async throws {
        let engine = try await TestEngine.client()
        let socket = NSTemporaryDirectory() + "fl-relay-" + UUID().uuidString.prefix(8) + ".sock"
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        relay.arguments = [TestServers.fixtures + "/engine_relay.py", socket, "/var/run/docker.sock"]
        relay.standardOutput = FileHandle.nullDevice
        relay.standardError = FileHandle.nullDevice
        try relay.run()
        defer { kill(relay.processIdentifier, SIGKILL); try? FileManager.default.removeItem(atPath: socket) }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(20)) }
        let state = NSTemporaryDirectory() + "fl-relay-state-" + UUID().uuidString
        let runs = NSTemporaryDirectory() + "fl-relay-runs-" + UUID().uuidString
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            let file = try CampaignCommandTests.write("""
                name: engine-restart
                targets: { cache: { name: \(container.name) } }
                probes:
                  - { name: redis, redis: { host: 127.0.0.1, port: \(port) }, every: 100ms, timeout: 300ms }
                hypothesis:
                  steady_state: { window: 300ms }
                timeline:
                  - { at: 0s, fault: { pause: { target: cache } }, for: 2s }
                  - { at: 8s, fault: { pause: { target: cache } }, for: 1s }
                """)
            let child = try FaultlineProcess(["run", file, "--engine", "unix://" + socket, "--state-dir", state, "--runs-dir", runs, "--no-warden"])
            try await child.waitFor("injected")
            #expect(try await engine.inspectContainer(container.id).state.paused)
            kill(relay.processIdentifier, SIGUSR1)  // the engine goes away mid-window
            try await Task.sleep(for: .seconds(5))  // the window ended ~3 s ago: the revert is waiting
            #expect(try await engine.inspectContainer(container.id).state.paused, "nothing could have unpaused it")
            kill(relay.processIdentifier, SIGUSR2)  // the engine is back
            let clock = ContinuousClock(), back = clock.now
            while try await engine.inspectContainer(container.id).state.paused, clock.now - back < .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(clock.now - back < .seconds(2), "unpaused \(clock.now - back) after the engine was back")
            let status = try await child.waitForExit(timeout: .seconds(30))
            #expect(status == 3, "\(child.text)")
            #expect(child.text.contains("the engine could not be reached for"), "\(child.text)")
            let recover = try await FaultlineProcess.run(["recover", "--state-dir", state])
            #expect(recover.stdout.contains("nothing to recover"), "\(recover.stdout)\(recover.stderr)")
            let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: runs).first)
            let summary = try String(contentsOfFile: "\(runs)/\(directory)/summary.md", encoding: .utf8)
            #expect(summary.contains("the engine could not be reached"), "\(summary)")
        }
    }
}
