import DockerEngine
import Foundation
@testable import Probes
import TestSupport
import Testing

/// The checks each probe kind makes, against real servers (WebSocket, HTTP, Redis over TCP) and
/// real processes (command).
@Suite struct ProbeBehaviourTests {
    func websocket(_ port: Int, path: String = "/", send: [String], expect: [WebSocketExpectation], headers: [String] = [],
                   timeout: Duration = .milliseconds(800)) throws -> WebSocketProbe {
        var config = WebSocketProbeConfig(url: "ws://127.0.0.1:\(port)\(path)")
        config.send = send
        config.expect = expect
        config.headers = headers
        return try WebSocketProbe(name: "ws", config: config, timeout: timeout, logger: TestEngine.logger)
    }

    // An ordered sequence with field checks passes; errors, disorder, missing fields, silence and a
    // refused token each fail with a reason that says what happened.
    @Test func webSocketConversations() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.websocket), engine: engine) { container in
            let port = try await TestServers.publishedPort(.websocket, of: container.id, engine: engine)
            let ping = try websocket(port, send: [#"{"type":"ping"}"#], expect: [.init(type: "pong")])
            #expect(await ProbeIntegrationTests.eventuallyOK(ping).outcome == .ok)

            let run = try websocket(port, send: [#"{"type":"start"}"#], expect: [
                .init(type: "started"),
                .init(type: "completed", fields: [FieldCheck(path: "result", equals: "done"), FieldCheck(path: "items", minLength: 3)]),
            ])
            let sequence = await run.check()
            #expect(sequence == .ok("started → completed"))

            let strictField = try websocket(port, send: [#"{"type":"start"}"#], expect: [.init(type: "completed", fields: [FieldCheck(path: "items", minLength: 5)])])
            let tooShort = await strictField.check()
            #expect(tooShort.outcome == .failed && tooShort.reason.contains("items has length 3 (expected at least 5)"), "\(tooShort.reason)")

            let failing = try websocket(port, send: [#"{"type":"fail"}"#], expect: [.init(type: "completed")])
            let error = await failing.check()
            #expect(error.outcome == .failed && error.reason.contains("database unavailable"), "\(error.reason)")

            let propagation = try websocket(port, send: [#"{"type":"fail"}"#], expect: [.init(type: "error", fields: [FieldCheck(path: "message", present: true)])])
            #expect(await propagation.check().outcome == .ok)

            let disorder = try websocket(port, send: [#"{"type":"start"}"#], expect: [.init(type: "completed"), .init(type: "started")])
            let outOfOrder = await disorder.check()
            #expect(outOfOrder.outcome == .failed && outOfOrder.reason.contains("out of order"), "\(outOfOrder.reason)")

            let malformed = try websocket(port, send: ["{not json"], expect: [.init(type: "error", fields: [FieldCheck(path: "message", equals: "malformed JSON")])])
            #expect(await malformed.check().outcome == .ok)

            let silent = try websocket(port, send: [#"{"type":"silent"}"#], expect: [.init(type: "pong")], timeout: .milliseconds(400))
            let clock = ContinuousClock()
            let started = clock.now
            let hang = await silent.check()
            #expect(clock.now - started < .milliseconds(800))
            #expect(hang.outcome == .timeout && hang.reason.contains("waiting for 'pong'"), "\(hang.reason)")

            let refused = try websocket(port, path: "/secure", send: [#"{"type":"ping"}"#], expect: [.init(type: "pong")], headers: ["Authorization: Bearer wrong"])
            #expect(await refused.check().outcome == .error)
            let accepted = try websocket(port, path: "/secure", send: [#"{"type":"ping"}"#], expect: [.init(type: "pong")], headers: ["Authorization: Bearer good-token"])
            #expect(await accepted.check().outcome == .ok)
        }
    }

    // HTTP: status, body, JSON field and latency expectations; a kept-alive connection.
    @Test func httpExpectations() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.http), engine: engine) { container in
            let port = try await TestServers.publishedPort(.http, of: container.id, engine: engine)
            func probe(_ path: String, _ configure: (inout HTTPProbeConfig) -> Void = { _ in }) throws -> HTTPProbe {
                var config = HTTPProbeConfig(url: "http://127.0.0.1:\(port)\(path)")
                configure(&config)
                return try HTTPProbe(name: "http", config: config, timeout: .seconds(1))
            }
            #expect(await ProbeIntegrationTests.eventuallyOK(try probe("/health.json")).outcome == .ok)
            #expect(await try probe("/missing").check() == ProbeCheck(.failed, "HTTP 404 (expected 200-399)"))
            #expect(await try probe("/missing") { $0.expectStatus = try! StatusExpectation.parse("404") }.check().outcome == .ok)
            #expect(await try probe("/health.json") { $0.bodyContains = "\"status\":\"ok\"" }.check().outcome == .ok)
            let lacking = await try probe("/health.json") { $0.bodyContains = "degraded" }.check()
            #expect(lacking.outcome == .failed && lacking.reason.contains("body lacks 'degraded'"))
            let field = await try probe("/health.json") { $0.jsonFields = ["checks.db": "down"] }.check()
            #expect(field.outcome == .failed && field.reason.contains("checks.db is 'up' (expected 'down')"), "\(field.reason)")
            #expect(await try probe("/health.json") { $0.bodyRegex = #""status":\s*"o."#  }.check().outcome == .ok)
            let slow = await try probe("/health.json") { $0.maxLatency = .nanoseconds(1) }.check()
            #expect(slow.outcome == .failed && slow.reason.contains("slow"))
        }
    }

    // TCP send/expect sees what a bare connect cannot: a paused Redis accepts but does not answer.
    @Test func tcpExchange() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            let exchange = try TCPProbe(name: "tcp", config: TCPProbeConfig(host: "127.0.0.1", port: port, send: "PING\\r\\n", expect: "+PONG"), timeout: .milliseconds(500))
            let connectOnly = try TCPProbe(name: "tcp", config: TCPProbeConfig(host: "127.0.0.1", port: port), timeout: .milliseconds(500))
            #expect(await ProbeIntegrationTests.eventuallyOK(exchange).outcome == .ok)
            let wrong = try TCPProbe(name: "tcp", config: TCPProbeConfig(host: "127.0.0.1", port: port, send: "ECHO hi\\r\\n", expect: "+PONG"), timeout: .milliseconds(500))
            #expect(await wrong.check().outcome == .failed)
            try await engine.pauseContainer(container.id)
            #expect(await connectOnly.check().outcome == .ok)  // docker-proxy still accepts
            #expect(await ProbeIntegrationTests.timedCheck(exchange).outcome == .timeout)
            try await engine.unpauseContainer(container.id)
        }
    }

    // Command: exit code, stdout checks, and a hung command killed at the deadline.
    @Test func commands() async throws {
        func probe(_ argv: [String], shell: Bool = false, _ configure: (inout CommandProbeConfig) -> Void = { _ in }) throws -> CommandProbe {
            var config = CommandProbeConfig(argv: argv)
            config.shell = shell
            configure(&config)
            return try CommandProbe(name: "cmd", config: config, timeout: .milliseconds(500))
        }
        #expect(await try probe(["echo", "hello"]).check() == .ok("exit 0: hello"))
        let exit3 = await try probe(["echo oops >&2; exit 3"], shell: true).check()
        #expect(exit3 == ProbeCheck(.failed, "exit 3 (expected 0): oops"))
        #expect(await try probe(["exit 3"], shell: true) { $0.expectExit = 3 }.check().outcome == .ok)
        #expect(await try probe(["echo", "status=green"]) { $0.stdoutRegex = "status=(green|yellow)" }.check().outcome == .ok)
        #expect(await try probe(["echo", "x"]) { $0.stdoutContains = "y" }.check().outcome == .failed)
        let clock = ContinuousClock()
        let started = clock.now
        let hung = await try probe(["sleep 5 & sleep 5"], shell: true).check()
        #expect(hung.outcome == .timeout)
        #expect(clock.now - started < .milliseconds(900))
    }

    // A command probe inherits no descriptor of faultline's but its standard streams: one opened
    // without close-on-exec (as a listener or an engine connection may be) is not in the child.
    @Test func commandsInheritNoDescriptors() async throws {
        let leaked = open("/dev/null", O_RDONLY)  // no O_CLOEXEC
        defer { close(leaked) }
        var config = CommandProbeConfig(argv: ["test -e /proc/self/fd/\(leaked) && echo inherited || echo clean"])
        config.shell = true
        config.stdoutContains = "clean"
        let check = await try CommandProbe(name: "fds", config: config, timeout: .seconds(2)).check()
        #expect(check.outcome == .ok, "\(check)")
    }
}
