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
        #expect(lines.count == 1 && lines[0].contains("GET /version") && lines[0].contains("did not answer within 1s"), "\(result.stderr)")
        #expect(took < .seconds(5), "took \(took)")
    }

    @Test func failingEngineIsNamedWithItsMessage() async throws {
        let (result, _) = try await Self.targets(against: "error")
        #expect(result.status == 3)
        #expect(result.stderr.contains("GET /version") && result.stderr.contains("500") && result.stderr.contains("daemon on fire"), "\(result.stderr)")
    }

    @Test func garbageFromTheEngineIsNamed() async throws {
        let (result, _) = try await Self.targets(against: "garbage")
        #expect(result.status == 3)
        #expect(result.stderr.contains("/version") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
