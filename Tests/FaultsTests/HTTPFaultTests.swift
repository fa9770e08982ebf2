import DockerEngine
import Foundation
@testable import Faults
import TestSupport
import Testing

@Suite struct HTTPFaultTests {
    func fake() -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77", "/fake/memory/77"] }
        return fake
    }

    /// Marks the proxy's port as listening in the fake's TCP table.
    func listen(_ fake: FakeEngine, port: String) {
        let hex = String(format: "%04X", UInt16(port)!)
        fake.files.state.withLock { $0.texts["/proc/77/net/tcp"] = "  sl  local_address rem_address   st\n   0: 00000000:\(hex) 00000000:0000 0A\n" }
    }

    // A request head: its line, headers, path (also from an absolute-form target), how its body is framed.
    @Test func readsARequestHead() throws {
        let text = "POST http://llm:8080/v1/chat?x=1 HTTP/1.1\r\nHost: llm\r\nContent-Length: 12\r\nX-Key:  abc \r\n\r\n{\"a\":1}"
        let bytes = Array(text.utf8)
        let end = try #require(HTTPRequestHead.endIndex(in: bytes))
        let head = try #require(HTTPRequestHead.parse(bytes[..<end]))
        #expect(head.method == "POST" && head.path == "/v1/chat?x=1" && head.version == "HTTP/1.1")
        #expect(head.value(of: "x-key") == "abc" && head.body == .length(12) && !head.switchesProtocol)
        let chunked = try #require(HTTPRequestHead.parse(ArraySlice("PUT /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".utf8)))
        #expect(chunked.body == .chunked)
        let upgrade = try #require(HTTPRequestHead.parse(ArraySlice("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8)))
        #expect(upgrade.switchesProtocol && upgrade.body == HTTPBodyFraming.none)
        #expect(HTTPRequestHead.parse(ArraySlice("POST /a HTTP/1.1\r\nContent-Length: -3\r\n\r\n".utf8))?.body == nil)
        #expect(HTTPRequestHead.parse(ArraySlice("hello\r\n\r\n".utf8)) == nil)
        // A TLS handshake is no request; a method still arriving may be one.
        #expect(!HTTPRequestHead.mayBeRequest([0x16, 0x03, 0x01, 0x02, 0x00]) && HTTPRequestHead.mayBeRequest(Array("GE".utf8)))
        #expect(HTTPRequestHead.endIndex(in: Array("GET / HTTP/1.1\r\n".utf8)) == nil)
    }

    // Bad input gets one clear line naming the parameter.
    @Test func refusesWhatCannotBeDone() {
        func refusal(_ given: [(key: String, texts: [String])]) -> String {
            do { _ = try HTTPParameters.read(given); return "accepted" } catch { return "\(error)" }
        }
        #expect(refusal([("port", ["8080"])]).contains("needs 'status', 'reset', 'delay' or a change of the response ('response-delay', 'response-body', 'body-rate'"))
        #expect(refusal([("port", ["8080"]), ("truncate-after", ["5"]), ("reset-after", ["5"])]).contains("'truncate-after' and 'reset-after' exclude each other"))
        #expect(refusal([("port", ["8080"]), ("status", ["200"]), ("response-body", ["{"])]).contains("'response-body' changes the upstream's response, and with 'status' no request reaches"))
        #expect(refusal([("port", ["8080"]), ("reset", ["true"]), ("body-rate", ["10"])]).contains("with 'reset' no request reaches"))
        #expect(refusal([("port", ["8080"]), ("body-rate", ["0"])]).contains("1 … 1000000000"))
        #expect(refusal([("port", ["8080"]), ("truncate-after", ["2.5"])]).contains("whole number"))
        #expect(refusal([("port", ["53/udp"]), ("status", ["500"])]).contains("must be a TCP port"))
        #expect(refusal([("port", ["8080"]), ("status", ["42"])]).contains("100 … 599"))
        #expect(refusal([("port", ["8080"]), ("status", ["429.5"])]).contains("whole number"))
        #expect(refusal([("port", ["8080"]), ("status", ["500"]), ("reset", ["true"])]).contains("exclude each other"))
        #expect(refusal([("port", ["8080"]), ("reset", ["true"]), ("body", ["x"])]).contains("give 'status' too"))
        #expect(refusal([("port", ["8080"]), ("status", ["429"]), ("header", ["Retry-After 2"])]).contains("'Name: value'"))
        #expect(refusal([("port", ["8080"]), ("status", ["429"]), ("path", ["(v1"])]).contains("not a regular expression"))
        #expect(refusal([("port", ["8080"]), ("status", ["429"]), ("request-header", ["Authorization"])]).contains("'Name: regex'"))
        #expect(refusal([("port", ["8080"]), ("status", ["429"]), ("method", ["GET /"])]).contains("method name"))
        #expect(refusal([("port", ["8080"]), ("status", ["429"]), ("probability", ["1.5"])]).contains("0.001 … 1"))
        #expect(refusal([("port", ["8080"]), ("status", ["429"]), ("existing", ["kill"])]).contains("leave, reset"))
    }

    // What a definition writes out reads back as the same parameters (what an agent receives).
    @Test func readsBackItsTexts() throws {
        let full = try HTTPParameters.read([("port", ["8080"]), ("direction", ["inbound"]), ("method", ["post"]), ("path", ["^/v1/"]),
                                             ("request-header", ["Authorization: ^Bearer"]), ("probability", ["0.5"]), ("first", ["3"]),
                                             ("status", ["429"]), ("header", ["Retry-After: 2", "X-A: b"]), ("body", ["{}"]), ("delay", ["250ms"]), ("existing", ["reset"])])
        #expect(full.match.method == "POST" && full.match.first == 3 && full.answer.headers == ["Retry-After: 2", "X-A: b"])
        #expect(try HTTPParameters.read(full.texts) == full)
        #expect(full.summary == "http inbound :8080 POST ^/v1/ first 3 p=0.5 status 429 after 250ms")
        let reset = try HTTPParameters.read([("port", ["80"]), ("reset", ["true"])])
        #expect(try HTTPParameters.read(reset.texts) == reset)
        let response = try HTTPParameters.read([("port", ["80"]), ("delay", ["1s"]), ("response-delay", ["2s"]), ("response-body", ["{\"a\":"]), ("body-rate", ["100"]), ("reset-after", ["4"])])
        #expect(response.answer.response == HTTPResponseChange(delay: .seconds(2), body: "{\"a\":", bytesPerSecond: 100, cutAfter: 4, cut: .reset))
        #expect(try HTTPParameters.read(response.texts) == response)
        #expect(response.summary == "http :80 delay 1s response after 2s, body replaced, 100 B/s, reset after 4 B")
        let truncated = try HTTPParameters.read([("port", ["80"]), ("truncate-after", ["0"])])
        #expect(truncated.answer.response == HTTPResponseChange(cutAfter: 0, cut: .close))
        #expect(try HTTPParameters.read(truncated.texts) == truncated)
    }

    // A response head: its status, interim answers, how its body is framed (also for HEAD, 204 and
    // 304, and until the close without a length), and the head for a replaced body.
    @Test func readsAResponseHead() throws {
        let head = try #require(HTTPResponseHead.parse(ArraySlice("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n".utf8)))
        #expect(head.status == 200 && head.body(answering: "GET") == .chunked && head.body(answering: "HEAD") == HTTPBodyFraming.none)
        #expect(String(decoding: head.bytes(withBodyOf: 3), as: UTF8.self) == "HTTP/1.1 200 OK\r\nX-A: b\r\nContent-Length: 3\r\n\r\n")
        #expect(HTTPResponseHead.parse(ArraySlice("HTTP/1.1 100 Continue\r\n\r\n".utf8))?.isInterim == true)
        #expect(HTTPResponseHead.parse(ArraySlice("HTTP/1.0 200 OK\r\n\r\n".utf8))?.body(answering: "GET") == .untilClose)
        #expect(HTTPResponseHead.parse(ArraySlice("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n".utf8))?.body(answering: "GET") == HTTPBodyFraming.none)
        #expect(HTTPResponseHead.parse(ArraySlice("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n".utf8))?.body(answering: "POST") == .length(12))
        #expect(HTTPResponseHead.parse(ArraySlice("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n".utf8))?.body(answering: "GET") == nil)
        #expect(HTTPResponseHead.parse(ArraySlice("GET / HTTP/1.1\r\n\r\n".utf8)) == nil)
        #expect(HTTPResponseHead.mayBeResponse(Array("HTT".utf8)) && !HTTPResponseHead.mayBeResponse([0x16, 0x03, 0x01]))
    }

    // The answer: the status line, the given headers, its own Content-Length and Connection: close.
    @Test func buildsTheAnswer() {
        let answer = HTTPFaultAnswer(status: 429, headers: ["Retry-After: 2", "Content-Length: 99"], body: "slow down")
        let text = String(decoding: answer.response(toHead: "GET"), as: UTF8.self)
        #expect(text == "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 9\r\nConnection: close\r\n\r\nslow down")
        #expect(String(decoding: answer.response(toHead: "HEAD"), as: UTF8.self).hasSuffix("\r\n\r\n"))
    }

    // The proxy starts in the container's namespace and cgroups, then the redirect goes in (nat
    // OUTPUT, sparing the proxy's own marked connections); the revert deletes the rule first, then
    // stops the proxy; a second revert finds both gone.
    @Test func startsTheProxyThenRedirects() async throws {
        let fake = fake()
        let parameters = try HTTPParameters.read([("port", ["8080"]), ("status", ["503"])])
        let prepared = try await parameters.action(hasWindow: true).prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(20))
        guard case .steps(let steps) = prepared.revert, steps.count == 2, case .network(let rules) = steps[0], case .hog(let proxy) = steps[1] else {
            Issue.record("\(prepared.revert)")
            return
        }
        let rule = try #require(rules.rules.first)
        #expect(rules.rules.count == 1 && rule.table == "nat" && rule.chain == "OUTPUT" && rule.target == "REDIRECT")
        #expect(rule.match == ["-p", "tcp", "--syn", "--dport", "8080", "-m", "mark", "!", "--mark", "0xfa17"])
        let port = try #require(rule.targetOptions?.last)
        await #expect { try await prepared.inject(fake.environment) } throws: { "\($0)".contains("did not listen") }
        #expect(fake.namespaces.state.withLock { $0.rules.isEmpty })
        _ = try await prepared.revert.apply(in: fake.environment)
        listen(fake, port: port)
        try await prepared.inject(fake.environment)
        let command = try #require(fake.processes.hogs[proxy.token]?.command)
        #expect(Array(command.dropFirst().prefix(5)) == ["intercept-proxy", "--kind", "http", "--port", port])
        #expect(Array(command.suffix(4)) == ["--lifetime", "25s", "--rule-mark", rule.mark])
        let encoded = try #require(command.firstIndex(of: "--parameters").map { command[$0 + 1] })
        let given = try JSONDecoder().decode([String: [String]].self, from: Data(encoded.utf8))
        #expect(try HTTPParameters.read(given.map { ($0.key, $0.value) }) == parameters)
        #expect(fake.namespaces.state.withLock { $0.rules.count } == 1)
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.namespaces.state.withLock { $0.rules.isEmpty } && fake.processes.hogs.isEmpty)
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("no rule or qdisc of this fault was left"))
    }

    // The proxy's port is one no socket of the container uses (a busy client's own connections held
    // a random one once), below the range of ports for outgoing connections.
    @Test func choosesAPortNoSocketUses() {
        let fake = fake()
        let used = HelperSocket.ports.filter { $0 != 25000 }.map { String(format: "   1: 0A000002:%04X 0A000003:1F90 01", $0) }
        fake.files.state.withLock {
            $0.texts["/proc/77/net/tcp"] = "  sl  local_address rem_address   st\n" + used.prefix(6000).joined(separator: "\n")
            $0.texts["/proc/77/net/tcp6"] = "  sl  local_address\n" + used.dropFirst(6000).map { $0.replacingOccurrences(of: "0A000002", with: "00000000000000000000000000000000") }.joined(separator: "\n")
        }
        #expect(HelperSocket.freePort(pid: 77, table: "tcp", files: fake.files) == 25000)
        #expect(HelperSocket.ports.contains(HelperSocket.freePort(pid: 78, table: "udp", files: fake.files)))
    }

    // Calls the container receives are redirected in PREROUTING; both directions take both rules.
    @Test func redirectsByDirection() {
        #expect(InterceptFault.rules(port: 80, direction: .inbound, to: 41000, mark: "m").map(\.chain) == ["PREROUTING"])
        #expect(InterceptFault.rules(port: 80, direction: .inbound, to: 41000, mark: "m")[0].match == ["-p", "tcp", "--syn", "--dport", "80"])
        #expect(InterceptFault.rules(port: 80, direction: .both, to: 41000, mark: "m").map(\.chain) == ["OUTPUT", "PREROUTING"])
    }

    // Not applicable to a container sharing the host's network namespace: refused, nothing started.
    @Test func refusesTheHostsNamespace() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "h1", name: "hostnet", pid: 78, networkMode: "host"))
        let parameters = try HTTPParameters.read([("port", ["8080"]), ("status", ["503"])])
        await #expect { _ = try await parameters.action(hasWindow: true).prepare(try await fake.inspectContainer("h1"), in: fake.environment, window: .seconds(5)) } throws: {
            "\($0)".contains("host's network namespace")
        }
        #expect(fake.processes.hogs.isEmpty)
    }
}
