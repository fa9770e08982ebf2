import Daemon
import Fixtures
import Foundation
import Probes
import TestSupport
import Testing

/// The agent's probe API (`POST /v1/probes`, `GET /v1/clock`) on a real daemon: a probe runs on
/// the agent's host for its `for` and streams its samples as server-sent events; refusals
/// (allowed destinations, bounds, malformed probes) are one clear 4xx and start nothing.
@Suite(.serialized) struct AgentProbeAPITests {
    static func body(_ probe: String, every: String = "100ms", for duration: String = "1s") -> String {
        #"{"name": "loop", "probe": \#(probe), "every": "\#(every)", "timeout": "1s", "for": "\#(duration)"}"#
    }

    @Test func streamsSamplesForItsDurationAndTellsTheClock() async throws {
        let server = try await LoopbackServer()
        let daemon = try await DaemonProcess()
        defer { Task { try? await daemon.stop(); await server.stop() } }
        let before = Date()
        let clock = try await daemon.json("GET", "/v1/clock") as? [String: Any]
        let nanos = try #require((clock?["unix_nanoseconds"] as? NSNumber)?.int64Value)
        let told = Date(timeIntervalSince1970: Double(nanos) / 1e9)
        #expect(told >= before.addingTimeInterval(-0.001) && told <= Date().addingTimeInterval(0.001), "\(told) vs \(before)")

        let started = ContinuousClock.now
        let (status, text) = try await daemon.call("POST", "/v1/probes",
                                                   body: Self.body(#"{"tcp": {"host": "127.0.0.1", "port": \#(server.port)}}"#), timeout: .seconds(10))
        let took = ContinuousClock.now - started
        #expect(status == 200, "\(text)")
        #expect(took >= .milliseconds(900) && took < .seconds(4), "the stream lasted \(took) for a 1 s probe")
        let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let samples = try events.filter { $0.hasPrefix("event: sample\n") }.map { event in
            try JSONCoding.decoder().decode(ProbeSample.self, from: Data(event.dropFirst("event: sample\ndata: ".count).utf8))
        }
        #expect((8...12).contains(samples.count), "\(samples.count) samples in 1 s every 100 ms")
        #expect(samples.allSatisfy { $0.probe == "loop" && $0.outcome == .ok }, "\(samples.map(\.reason))")
        #expect(samples.map(\.sequence) == Array(1...samples.count))
        #expect(events.last == "event: end\ndata: {}")
    }

    // SIGTERM ends an open probe stream: the daemon does not wait out the probe's `for` (60 s).
    @Test func stoppingTheDaemonEndsAStream() async throws {
        let server = try await LoopbackServer()
        let daemon = try await DaemonProcess()
        let stream = Task {
            try await daemon.call("POST", "/v1/probes", body: Self.body(#"{"tcp": {"host": "127.0.0.1", "port": \#(server.port)}}"#, for: "60s"),
                                  timeout: .seconds(40))
        }
        try await Task.sleep(for: .milliseconds(800))
        let started = ContinuousClock.now
        let code = try await daemon.stop(timeout: .seconds(30))
        let took = ContinuousClock.now - started
        await server.stop()
        #expect(code == 0)
        #expect(took < .seconds(10), "the daemon took \(took) to stop with a probe stream open")
        let answer = try await stream.value
        #expect(answer.status == 200 && answer.body.contains("event: sample"), "\(answer)")
    }

    @Test func refusalsAreClearAndStartNothing() async throws {
        let daemon = try await DaemonProcess(extra: ["--probe-allow", "10.0.0.0/8", "--probe-allow", "db.internal"])
        defer { Task { try? await daemon.stop() } }
        let cases: [(body: String, status: Int, message: String)] = [
            (Self.body(#"{"tcp": {"host": "127.0.0.1", "port": 5432}}"#), 403,
             "probe 'loop': host '127.0.0.1' is not among this agent's allowed probe destinations (10.0.0.0/8, db.internal)"),
            (Self.body(#"{"tcp": {"host": "127.0.0.1", "port": 5432}, "redis": {}}"#), 400, "give exactly one probe kind"),
            (Self.body(#"{"smtp": {}}"#), 400, "unknown probe kind 'smtp'"),
            (Self.body(#"{"tcp": {"host": "10.1.2.3", "port": 5432}}"#, every: "1ms"), 400, "'every' must be at least 10ms"),
            (Self.body(#"{"tcp": {"host": "10.1.2.3", "port": 5432}}"#, for: "25h"), 400, "longer than an agent runs a probe"),
            (#"{"name": "loop"}"#, 400, "misses 'probe'"),
        ]
        for (body, status, message) in cases {
            let answer = try await daemon.call("POST", "/v1/probes", body: body, timeout: .seconds(10))
            #expect(answer.status == status && answer.body.contains(message), "\(body) → \(answer)")
        }
    }

    @Test func allowedDestinations() throws {
        let allowed = try ProbeDestinations(["10.77.0.0/24", "db.internal", "::1"])
        func check(_ config: ProbeConfig) -> Bool { allowed.refusal(for: config) == nil }
        #expect(check(.tcp(TCPProbeConfig(host: "10.77.0.10", port: 80))))
        #expect(!check(.tcp(TCPProbeConfig(host: "10.77.1.10", port: 80))))
        #expect(check(.http(HTTPProbeConfig(url: "http://DB.internal:8080/health"))))
        #expect(!check(.http(HTTPProbeConfig(url: "http://db.internal.evil.example/"))))
        #expect(check(.websocket(WebSocketProbeConfig(url: "ws://[::1]:9000/ws"))))
        #expect(check(.postgres(PostgresProbeConfig(dsn: "host=10.77.0.3 port=5432 user=app"))))
        #expect(check(.postgres(PostgresProbeConfig(dsn: "postgres://app@10.77.0.3:5432/app"))))
        #expect(!check(.postgres(PostgresProbeConfig(dsn: "host=/var/run/postgresql user=app"))), "a unix socket names no host to check")
        #expect(!check(.command(CommandProbeConfig(argv: ["/bin/true"]))))
        #expect(ProbeDestinations.any.refusal(for: .tcp(TCPProbeConfig(host: "192.0.2.1", port: 1))) == nil)
        #expect(throws: ProbeDestinationError.self) { try ProbeDestinations(["10.0.0.0/33"]) }
        #expect(throws: ProbeDestinationError.self) { try ProbeDestinations(["10.0.0/8"]) }
    }
}
