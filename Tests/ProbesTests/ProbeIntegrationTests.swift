import DockerEngine
import Foundation
import Logging
@testable import Probes
import TestSupport
import Testing

/// Each probe kind against a real server in a container, healthy, paused, stopped and restarted.
/// Every check must end within its time-out plus a stated tolerance — in particular against a
/// paused PostgreSQL with an open connection.
@Suite struct ProbeIntegrationTests {
    static let timeout: Duration = .milliseconds(500)
    /// Scheduling slack on a loaded 2-core machine.
    static let tolerance: Duration = .milliseconds(400)

    static func probe(_ kind: TestServers.Kind, port: Int) throws -> any Probe {
        let config: ProbeConfig
        switch kind {
        case .redis: config = .redis(RedisProbeConfig(host: "127.0.0.1", port: port))
        case .postgres:
            var postgres = PostgresProbeConfig(dsn: "postgresql://app@127.0.0.1:\(port)/postgres?connect_timeout=2")
            postgres.expectValue = "1"
            config = .postgres(postgres)
        case .http:
            var http = HTTPProbeConfig(url: "http://127.0.0.1:\(port)/health.json")
            http.jsonFields = ["checks.db": "up"]
            config = .http(http)
        case .websocket:
            var ws = WebSocketProbeConfig(url: "ws://127.0.0.1:\(port)/")
            ws.send = [#"{"type":"ping"}"#]
            ws.expect = [WebSocketExpectation(type: "pong")]
            config = .websocket(ws)
        }
        return try config.makeProbe(name: kind.rawValue, timeout: timeout, logger: TestEngine.logger)
    }

    /// Checks until one is ok (or `limit` passes); returns the last check.
    static func eventuallyOK(_ probe: any Probe, limit: Duration = .seconds(15)) async -> ProbeCheck {
        let end = ContinuousClock.now + limit
        var last = ProbeCheck(.error, "never checked")
        while ContinuousClock.now < end {
            last = await probe.check()
            if last.outcome.isOK { return last }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    /// One check, timed; it must end within the time-out plus tolerance.
    static func timedCheck(_ probe: any Probe) async -> ProbeCheck {
        let clock = ContinuousClock()
        let start = clock.now
        let check = await probe.check()
        let took = clock.now - start
        #expect(took <= timeout + tolerance, "\(probe.name) took \(took) (\(check.outcome): \(check.reason))")
        return check
    }

    // healthy → ok; paused → time-out within the deadline; unpaused → ok; stopped → error;
    // started → ok; restarted → ok again.
    @Test(arguments: TestServers.Kind.allCases)
    func followsTheServer(_ kind: TestServers.Kind) async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(kind), engine: engine) { container in
            let port = try await TestServers.publishedPort(kind, of: container.id, engine: engine)
            let probe = try Self.probe(kind, port: port)
            defer { Task { await probe.close() } }

            let healthy = await Self.eventuallyOK(probe)
            #expect(healthy.outcome == .ok, "healthy \(kind): \(healthy.reason)")
            for _ in 0..<3 { #expect(await Self.timedCheck(probe).outcome == .ok) }

            try await engine.pauseContainer(container.id)
            let paused = await Self.timedCheck(probe)
            #expect(paused.outcome == .timeout, "paused \(kind): \(paused.outcome) \(paused.reason)")
            let pausedAgain = await Self.timedCheck(probe)
            #expect(pausedAgain.outcome == .timeout, "paused again \(kind): \(pausedAgain.outcome) \(pausedAgain.reason)")
            try await engine.unpauseContainer(container.id)
            #expect(await Self.eventuallyOK(probe, limit: .seconds(5)).outcome == .ok)

            try await engine.stopContainer(container.id, timeout: 2)
            let stopped = await Self.timedCheck(probe)
            #expect(stopped.outcome == .error, "stopped \(kind): \(stopped.outcome) \(stopped.reason)")

            try await engine.startContainer(container.id)
            let newPort = try await TestServers.publishedPort(kind, of: container.id, engine: engine)
            let afterStart = newPort == port ? probe : try Self.probe(kind, port: newPort)
            #expect(await Self.eventuallyOK(afterStart).outcome == .ok, "\(kind) did not answer after start")

            try await engine.restartContainer(container.id, timeout: 2)
            let restartedPort = try await TestServers.publishedPort(kind, of: container.id, engine: engine)
            let afterRestart = restartedPort == newPort ? afterStart : try Self.probe(kind, port: restartedPort)
            #expect(await Self.eventuallyOK(afterRestart).outcome == .ok, "\(kind) did not answer after restart")
        }
    }

    // A persistent WebSocket probe keeps one session across checks (the server numbers
    // connections: every check sees the same number); when the server drops the session, the next
    // check fails saying so (and reconnects).
    @Test func persistentWebSocketKeepsItsSession() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.websocket), engine: engine) { container in
            let port = try await TestServers.publishedPort(.websocket, of: container.id, engine: engine)
            func whoami(_ id: Int) -> WebSocketProbeConfig {
                var config = WebSocketProbeConfig(url: "ws://127.0.0.1:\(port)/")
                config.send = [#"{"type":"whoami"}"#]
                config.expect = [WebSocketExpectation(type: "connection", fields: [FieldCheck(path: "id", equals: String(id))])]
                config.persistent = true
                return config
            }
            var warmup = WebSocketProbeConfig(url: "ws://127.0.0.1:\(port)/")
            warmup.send = [#"{"type":"ping"}"#]
            warmup.expect = [WebSocketExpectation(type: "pong")]
            let ready = try ProbeConfig.websocket(warmup).makeProbe(name: "ready", timeout: Self.timeout, logger: TestEngine.logger)
            #expect(await Self.eventuallyOK(ready).outcome == .ok)
            // Every eventuallyOK attempt opened one connection; the persistent probe's is the next one.
            let serial = try #require(await Self.connectionSerial(port: port)) + 1
            let probe = try ProbeConfig.websocket(whoami(serial)).makeProbe(name: "session", timeout: .seconds(2), logger: TestEngine.logger)
            for _ in 0..<4 {
                let check = await probe.check()
                #expect(check.outcome == .ok, "\(check.reason)")
            }
            var kick = WebSocketProbeConfig(url: "ws://127.0.0.1:\(port)/")
            kick.send = [#"{"type":"kick"}"#]
            kick.expect = [WebSocketExpectation(type: "kicked", fields: [FieldCheck(path: "count", equals: "1")])]
            let kicker = try ProbeConfig.websocket(kick).makeProbe(name: "kick", timeout: .seconds(2), logger: TestEngine.logger)
            let kicked = await kicker.check()
            #expect(kicked.outcome == .ok, "\(kicked.reason)")
            let dropped = await probe.check()
            #expect(dropped.outcome == .error && dropped.reason.contains("the open session was dropped"), "\(dropped.outcome): \(dropped.reason)")
            await probe.close()
        }
    }

    /// The serial number the server gave a fresh connection (read from the failure text of an
    /// expectation that cannot match).
    static func connectionSerial(port: Int) async throws -> Int? {
        var config = WebSocketProbeConfig(url: "ws://127.0.0.1:\(port)/")
        config.send = [#"{"type":"whoami"}"#]
        config.expect = [WebSocketExpectation(type: "connection", fields: [FieldCheck(path: "id", equals: "no-such-id")])]
        let check = await (try ProbeConfig.websocket(config).makeProbe(name: "serial", timeout: .seconds(2), logger: TestEngine.logger)).check()
        // "'connection': id is '7' (expected 'no-such-id')"
        guard let range = check.reason.range(of: #"id is '(\d+)'"#, options: .regularExpression) else { return nil }
        return Int(check.reason[range].filter(\.isNumber))
    }
}

