import FaultlineSupport
@testable import Probes
import Testing

@Suite struct ProbeSpecParserTests {
    func options(_ configure: (inout ProbeSpecParser.Options) -> Void) -> ProbeSpecParser.Options {
        var options = ProbeSpecParser.Options()
        configure(&options)
        return options
    }

    // Each scheme builds its kind, with its options.
    @Test func buildsEachKind() throws {
        guard case .http(let http) = try ProbeSpecParser.parse("http://127.0.0.1:8000/health", options: options {
            $0.expectStatus = "200"; $0.jsonFields = ["status=ok"]; $0.headers = ["X-Probe: 1"]
        }) else { Issue.record("not http"); return }
        #expect(http.expectStatus == StatusExpectation(ranges: [200...200]))
        #expect(http.jsonFields == ["status": "ok"])
        guard case .tcp(let tcp) = try ProbeSpecParser.parse("tcp://127.0.0.1:5432") else { Issue.record("not tcp"); return }
        #expect(tcp == TCPProbeConfig(host: "127.0.0.1", port: 5432))
        guard case .redis(let redis) = try ProbeSpecParser.parse("redis://:secret@127.0.0.1:6381/2", options: options { $0.command = "GET k" })
        else { Issue.record("not redis"); return }
        #expect(redis.port == 6381 && redis.password == "secret" && redis.database == 2 && redis.command == ["GET", "k"])
        guard case .redis(let sentinel) = try ProbeSpecParser.parse("redis+sentinel://:secret@10.0.0.1:26379,[::1]:26380/mymaster/3")
        else { Issue.record("not redis through Sentinel"); return }
        #expect(sentinel.sentinels == ["10.0.0.1:26379", "[::1]:26380"] && sentinel.master == "mymaster" && sentinel.database == 3)
        #expect(sentinel.password == "secret" && sentinel.host == "10.0.0.1" && sentinel.port == 26379)
        guard case .postgres(let postgres) = try ProbeSpecParser.parse("postgres://app@127.0.0.1:5435/app", options: options { $0.expectValue = "1" })
        else { Issue.record("not postgres"); return }
        #expect(postgres.query == "select 1" && postgres.expectValue == "1")
        guard case .websocket(let ws) = try ProbeSpecParser.parse("ws://127.0.0.1:8000/ws", options: options {
            $0.send = [#"{"type":"ping"}"#]; $0.expect = ["pong"]
        }) else { Issue.record("not ws"); return }
        #expect(ws.expect == [WebSocketExpectation(type: "pong")])
        guard case .command(let command) = try ProbeSpecParser.parse("exec", options: options { $0.argv = ["true"] })
        else { Issue.record("not exec"); return }
        #expect(command.resolvedArgv.first?.hasSuffix("/true") == true)
    }

    // Every bad spec gets a message naming the field and what is allowed.
    @Test(arguments: [
        ("ftp://host", ProbeSpecParser.Options(), "is not a probe; use http://"),
        ("tcp://127.0.0.1", ProbeSpecParser.Options(), "has no port"),
        ("tcp://:80", ProbeSpecParser.Options(), "has no host"),
        ("redis://127.0.0.1:6379/x", ProbeSpecParser.Options(), "database 'x' is not a number"),
        ("redis+sentinel://127.0.0.1:26379", ProbeSpecParser.Options(), "is not redis+sentinel://[:password@]host:port[,host:port…]/mastername[/db]"),
        ("redis+sentinel://127.0.0.1/mymaster", ProbeSpecParser.Options(), "is not redis+sentinel://"),
        ("http://", ProbeSpecParser.Options(), "is not an http:// or https:// URL"),
        ("exec", ProbeSpecParser.Options(), "give the command after --"),
    ])
    func refusesBadSpecs(spec: String, options: ProbeSpecParser.Options, message: String) {
        do {
            _ = try ProbeSpecParser.parse(spec, options: options)
            Issue.record("accepted \(spec)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
            #expect(error.exitCode == .invalidInput)
        }
    }

    // Options that do not fit the kind, or malformed option values, are refused by name.
    @Test func refusesBadOptions() {
        let cases: [(String, ProbeSpecParser.Options, String)] = [
            ("redis://127.0.0.1", options { $0.query = "select 1" }, "--query: does not apply to redis probes"),
            ("http://127.0.0.1/", options { $0.expectStatus = "20x" }, "'20x' is not a status"),
            ("http://127.0.0.1/", options { $0.jsonFields = ["status"] }, "'status' is not path=value"),
            ("http://127.0.0.1/", options { $0.bodyRegex = "(" }, "body_regex: invalid regular expression"),
            ("http://127.0.0.1/", options { $0.method = "BREW" }, "'BREW' is not one of GET"),
            ("ws://127.0.0.1/", options { $0.headers = ["no colon"] }, "'no colon' is not 'Name: value'"),
            ("tcp://127.0.0.1:1", options { $0.send = ["a", "b"] }, "at most one --send"),
            ("exec", options { $0.argv = ["no-such-program-xyz"] }, "'no-such-program-xyz' is not on PATH"),
            ("exec", options { $0.argv = ["true"]; $0.command = "PING" }, "--command: does not apply to exec probes"),
        ]
        for (spec, options, message) in cases {
            do {
                _ = try ProbeSpecParser.parse(spec, options: options)
                Issue.record("accepted \(spec) \(options)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }
}

@Suite struct StatusExpectationTests {
    // Codes, lists, ranges and classes parse and match as written.
    @Test func parsesAndMatches() throws {
        let expectation = try StatusExpectation.parse("200,204, 300-302,4xx")
        #expect([200, 204, 301, 404].allSatisfy(expectation.accepts))
        #expect(![201, 303, 500].contains(where: expectation.accepts))
        #expect(expectation.description == "200,204,300-302,400-499")
        #expect(StatusExpectation.success.accepts(302) && !StatusExpectation.success.accepts(404))
    }

    // Out-of-range or malformed statuses are refused.
    @Test(arguments: ["99", "600", "abc", "300-200", "6xx", ""])
    func refuses(text: String) {
        #expect(throws: ProbeConfigError.self) { try StatusExpectation.parse(text) }
    }
}
