import FaultlineSupport
@testable import Faults
import Fixtures
import Foundation
import Glibc
import TestSupport
import Testing

/// TLS termination by the http fault's proxy, with clients and servers that are not faultline's:
/// curl trusts only the campaign's CA, so every answer it accepts came through a certificate that
/// CA signed for the name curl asked for; the upstream is `openssl s_server -www` (a status page over
/// HTTP/1.0), reached over the proxy's own TLS, which checks the upstream's certificate.
@Suite(.serialized) struct InterceptProxyTLSTests {
    static let name = "llm.test"

    /// The campaign's CA, the upstream's CA, and a running s_server with a certificate for `name`.
    struct Stage {
        let campaign: ThrowawayCertificates
        let upstreamAuthority: ThrowawayCertificates
        /// `timeout 60 openssl s_server …`, in a process group of its own.
        let server: pid_t
        let serverPort: Int

        /// SIGKILL to the group: s_server ignores SIGTERM.
        func stop() {
            kill(-server, SIGKILL)
            _ = ChildProcess.wait(server)
        }
    }

    func stage() async throws -> Stage {
        let campaign = try ThrowawayCertificates.authority("campaign")
        let upstreamAuthority = try ThrowawayCertificates.authority("upstream")
        let certificate = try upstreamAuthority.server(["DNS:\(Self.name)"])
        let port = try LoopbackPort.free()
        // Bounded by itself too (timeout leads its own process group), should this test process die before `stop`.
        let server = try ChildProcess.spawn(["/usr/bin/timeout", "-s", "KILL", "60", "/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:\(port)",
                                             "-cert", certificate.certificate, "-key", certificate.key, "-www", "-quiet"]).get()
        for _ in 0..<100 {
            if (try? RawTCPClient(port: port)) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Stage(campaign: campaign, upstreamAuthority: upstreamAuthority, server: server, serverPort: port)
    }

    /// A proxy with the campaign's CA in front of the stage's server.
    func proxy(_ given: [(key: String, texts: [String])], _ stage: Stage, upstreamAuthority: Bool = true) async throws -> UInt16 {
        let parameters = try HTTPParameters.read([("port", ["443"])] + given)
        let tls = InterceptTLS(certificateAuthority: stage.campaign.authority, certificateAuthorityKey: stage.campaign.authorityKey,
                               upstreamAuthority: upstreamAuthority ? stage.upstreamAuthority.authority : nil)
        let proxy = InterceptProxy(port: 0, behaviour: .http(parameters.match, parameters.answer), lifetime: .seconds(10),
                                   upstream: ("127.0.0.1", UInt16(stage.serverPort)), tls: tls)
        return try await proxy.startedForTests()
    }

    /// curl trusting only the campaign's CA, `name` resolved to the proxy: headers and body, and curl's exit status.
    func curl(_ path: String, port: UInt16, _ stage: Stage, host: String = name) async throws -> CommandRunner.Result {
        try await CommandRunner.run(["/usr/bin/curl", "-sS", "--max-time", "5", "--cacert", stage.campaign.authority, "--resolve", "\(Self.name):\(port):127.0.0.1",
                                     "-D", "-", "https://\(host):\(port)\(path)"])
    }

    // A matching request over HTTPS gets the fault's answer, under a certificate the campaign's CA
    // signed for the name; one that does not match reaches the real server over the proxy's TLS.
    @Test func answersAndForwardsThroughTerminatedTLS() async throws {
        let stage = try await stage()
        defer { stage.stop() }
        let port = try await proxy([("path", ["^/v1/"]), ("status", ["429"]), ("header", ["Retry-After: 2"]), ("body", ["slow down"])], stage)
        let answered = try await curl("/v1/chat", port: port, stage)
        #expect(answered.status == 0, "\(answered.stderr)")
        #expect(answered.stdout.hasPrefix("HTTP/1.1 429 Too Many Requests\r\n") && answered.stdout.contains("Retry-After: 2\r\n")
                && answered.stdout.hasSuffix("slow down"), "\(answered.stdout)")
        let forwarded = try await curl("/health", port: port, stage)
        #expect(forwarded.status == 0, "\(forwarded.stderr)")
        #expect(forwarded.stdout.hasPrefix("HTTP/1.0 200 ok\r\n") && forwarded.stdout.contains("Ciphers supported in s_server binary"), "\(forwarded.stdout)")
    }

    // Without a server name the certificate names the original address; a client that does not
    // trust the campaign's CA refuses it (the fault cannot be seen unless the campaign's CA is trusted).
    @Test func namesTheAddressWithoutSNIAndNeedsTheCampaignsCA() async throws {
        let stage = try await stage()
        defer { stage.stop() }
        let port = try await proxy([("status", ["503"])], stage)
        let byAddress = try await CommandRunner.run(["/usr/bin/curl", "-sS", "--max-time", "5", "--cacert", stage.campaign.authority, "-o", "/dev/null",
                                                     "-w", "%{http_code}", "https://127.0.0.1:\(port)/"])
        #expect(byAddress.status == 0 && byAddress.stdout == "503", "\(byAddress)")
        let untrusting = try await CommandRunner.run(["/usr/bin/curl", "-sS", "--max-time", "5", "--cacert", stage.upstreamAuthority.authority,
                                                      "--resolve", "\(Self.name):\(port):127.0.0.1", "https://\(Self.name):\(port)/"])
        #expect(untrusting.status == 60, "\(untrusting)")
    }

    // An upstream whose certificate does not chain to what the proxy trusts (here the system's store)
    // is not talked to: the client gets an empty reply at once rather than a forged answer or a hang.
    @Test func refusesAnUpstreamItCannotVerify() async throws {
        let stage = try await stage()
        defer { stage.stop() }
        let port = try await proxy([("path", ["^/v1/"]), ("status", ["429"])], stage, upstreamAuthority: false)
        let started = ContinuousClock.now
        let refused = try await curl("/health", port: port, stage)
        #expect(refused.status == 52, "\(refused)")
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    // reset-after over TLS: a few bytes of the body, then a TCP RST; curl reports the reset.
    @Test func resetsMidResponseUnderTLS() async throws {
        let stage = try await stage()
        defer { stage.stop() }
        let port = try await proxy([("path", ["^/health"]), ("reset-after", ["20"])], stage)
        let cut = try await curl("/health", port: port, stage)
        #expect(cut.status == 56, "\(cut)")
        #expect(cut.stdout.hasPrefix("HTTP/1.0 200 ok\r\n"), "\(cut)")
    }

    /// A WebSocket server over TLS (python3-websockets) that answers a client's first message with
    /// `tool_executing`, then `done`, and a client trusting only the campaign's CA that prints what it gets.
    static let webSocketScript = """
        import asyncio, ssl, sys, websockets
        async def serve(cert, key, port):
            async def handler(ws, path):
                await ws.recv()
                for message in ['{"type":"tool_executing","seq":1}', '{"type":"done","seq":2}']:
                    await ws.send(message)
                await asyncio.sleep(1)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            async with websockets.serve(handler, "127.0.0.1", int(port), ssl=context, compression=None):
                await asyncio.sleep(30)
        async def call(ca, port):
            context = ssl.create_default_context(cafile=ca)
            async with websockets.connect(f"wss://llm.test:{port}/ws", ssl=context, host="127.0.0.1", server_hostname="llm.test", compression=None, open_timeout=5) as ws:
                await ws.send("hello")
                try:
                    while True:
                        print(await asyncio.wait_for(ws.recv(), 3), flush=True)
                except Exception:
                    pass
        asyncio.run(serve(*sys.argv[2:]) if sys.argv[1] == "serve" else call(*sys.argv[2:]))
        """

    // wss:// through the websocket fault: the server's `tool_executing` message is dropped inside the
    // terminated TLS; the client, trusting only the campaign's CA, gets the rest.
    @Test func dropsWebSocketMessagesInsideTLS() async throws {
        let campaign = try ThrowawayCertificates.authority("campaign")
        let upstreamAuthority = try ThrowawayCertificates.authority("upstream")
        let certificate = try upstreamAuthority.server(["DNS:\(Self.name)"])
        let script = campaign.directory + "/websocket.py"
        try Self.webSocketScript.write(toFile: script, atomically: true, encoding: .utf8)
        let serverPort = try LoopbackPort.free()
        let server = try ChildProcess.spawn(["/usr/bin/timeout", "-s", "KILL", "40", "/usr/bin/python3", script, "serve", certificate.certificate, certificate.key, String(serverPort)]).get()
        defer { kill(-server, SIGKILL); _ = ChildProcess.wait(server) }
        for _ in 0..<150 {
            if (try? RawTCPClient(port: serverPort)) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let parameters = try WebSocketParameters.read([("port", ["443"]), ("field", ["type=tool_executing"]), ("action", ["drop"])])
        let tls = InterceptTLS(certificateAuthority: campaign.authority, certificateAuthorityKey: campaign.authorityKey, upstreamAuthority: upstreamAuthority.authority)
        let proxy = InterceptProxy(port: 0, behaviour: .websocket(parameters), lifetime: .seconds(10), upstream: ("127.0.0.1", UInt16(serverPort)), tls: tls)
        let port = try await proxy.startedForTests()
        let client = try await CommandRunner.run(["/usr/bin/timeout", "20", "/usr/bin/python3", script, "call", campaign.authority, String(port)])
        #expect(client.status == 0 && client.stdout == "{\"type\":\"done\",\"seq\":2}\n", "\(client)")
    }

    /// A TLS server that answers each request with `size` bytes of body (HTTP/1.0, the close ends
    /// it) and closes TCP without close_notify, as many HTTP servers do.
    static let abruptServerScript = """
        import socket, ssl, sys
        cert, key, port, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        listener = socket.create_server(("127.0.0.1", port))
        while True:
            connection, _ = listener.accept()
            try:
                tls = context.wrap_socket(connection, server_side=True)
                request = b""
                while b"\\r\\n\\r\\n" not in request:
                    chunk = tls.recv(4096)
                    if not chunk:
                        raise EOFError()
                    request += chunk
                tls.sendall(b"HTTP/1.0 200 OK\\r\\n\\r\\n" + b"x" * size)
                tls.close()
            except Exception:
                connection.close()
        """

    // An upstream that closes without close_notify after a body larger than the proxy's buffers:
    // the client gets every byte, then the end (a TCP close reads as the end of the stream, as a FIN does).
    @Test func anUpstreamClosingWithoutCloseNotifyDeliversItsWholeBody() async throws {
        let campaign = try ThrowawayCertificates.authority("campaign")
        let upstreamAuthority = try ThrowawayCertificates.authority("upstream")
        let certificate = try upstreamAuthority.server(["DNS:\(Self.name)"])
        let script = campaign.directory + "/abrupt.py", size = 1 << 20
        try Self.abruptServerScript.write(toFile: script, atomically: true, encoding: .utf8)
        let serverPort = try LoopbackPort.free()
        let server = try ChildProcess.spawn(["/usr/bin/timeout", "-s", "KILL", "30", "/usr/bin/python3", script, certificate.certificate, certificate.key,
                                             String(serverPort), String(size)]).get()
        let stage = Stage(campaign: campaign, upstreamAuthority: upstreamAuthority, server: server, serverPort: serverPort)
        defer { stage.stop() }
        for _ in 0..<150 {
            if (try? RawTCPClient(port: serverPort)) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let port = try await proxy([("path", ["^/never$"]), ("status", ["500"])], stage)
        for _ in 0..<3 {
            let fetched = try await CommandRunner.run(["/usr/bin/curl", "-sS", "--max-time", "10", "--cacert", campaign.authority, "--resolve", "\(Self.name):\(port):127.0.0.1",
                                                       "-o", "/dev/null", "-w", "%{size_download}", "https://\(Self.name):\(port)/big"])
            #expect(fetched.status == 0 && fetched.stdout == String(size), "\(fetched)")
        }
    }

    // A plain HTTP client on the same proxy is read as before (terminating is only for handshakes).
    @Test func plainHTTPStillPassesWithACA() async throws {
        let campaign = try ThrowawayCertificates.authority("campaign")
        let server = try await LoopbackServer(.echo)
        defer { Task { await server.stop() } }
        let parameters = try HTTPParameters.read([("port", ["80"]), ("path", ["^/v1/"]), ("status", ["503"])])
        let proxy = InterceptProxy(port: 0, behaviour: .http(parameters.match, parameters.answer), lifetime: .seconds(8), upstream: ("127.0.0.1", UInt16(server.port)),
                                   tls: InterceptTLS(certificateAuthority: campaign.authority, certificateAuthorityKey: campaign.authorityKey))
        let port = try await proxy.startedForTests()
        let client = try RawTCPClient(port: Int(port))
        let health = "GET /health HTTP/1.1\r\nHost: llm\r\n\r\n"
        #expect(client.echo(health) == health)
    }

    // Files that cannot serve are refused before anything runs, each naming the file and why.
    @Test func refusesCAFilesThatCannotSign() async throws {
        let campaign = try ThrowawayCertificates.authority("campaign")
        let other = try ThrowawayCertificates.authority("other")
        let leaf = try campaign.server(["DNS:\(Self.name)"])
        let cases: [(InterceptTLS, String)] = [
            (InterceptTLS(certificateAuthority: campaign.directory + "/missing.pem", certificateAuthorityKey: campaign.authorityKey), "missing.pem: no PEM certificate"),
            (InterceptTLS(certificateAuthority: campaign.authority, certificateAuthorityKey: campaign.authority), "no unencrypted PEM private key"),
            (InterceptTLS(certificateAuthority: campaign.authority, certificateAuthorityKey: other.authorityKey), "is not the private key of tls-ca"),
            (InterceptTLS(certificateAuthority: leaf.certificate, certificateAuthorityKey: leaf.key), "not a CA certificate"),
            (InterceptTLS(certificateAuthority: campaign.authority, certificateAuthorityKey: campaign.authorityKey, upstreamAuthority: campaign.directory + "/none.pem"),
             "tls-upstream-ca"),
        ]
        for (settings, expected) in cases {
            #expect(throws: TLSSetupError.self) { _ = try TLSTermination(settings) }
            do { _ = try TLSTermination(settings) } catch { #expect(error.description.contains(expected), "\(error)") }
        }
    }

    // The CA's parameters go together, and only tls-ca turns termination on.
    @Test func readsTheTLSParametersTogether() throws {
        #expect(try HTTPParameters.read([("port", ["443"]), ("status", ["500"])]).tls == nil)
        let read = try HTTPParameters.read([("port", ["443"]), ("status", ["500"]), ("tls-ca", ["ca.pem"]), ("tls-ca-key", ["ca.key"])])
        let here = FileManager.default.currentDirectoryPath
        #expect(read.tls == InterceptTLS(certificateAuthority: here + "/ca.pem", certificateAuthorityKey: here + "/ca.key"))
        #expect(read.summary.hasPrefix("http :443 tls"))
        for (given, key) in [([("tls-ca", ["ca.pem"])], "tls-ca"), ([("tls-ca-key", ["ca.key"])], "tls-ca-key"), ([("tls-upstream-ca", ["up.pem"])], "tls-upstream-ca")] {
            #expect { _ = try HTTPParameters.read([("port", ["443"]), ("status", ["500"])] + given) } throws: { ($0 as? ParameterError)?.key == key }
        }
        let websocket = try WebSocketParameters.read([("port", ["443"]), ("action", ["drop"]), ("tls-ca", ["/c/ca.pem"]), ("tls-ca-key", ["/c/ca.key"]), ("tls-upstream-ca", ["up.pem"])])
        #expect(websocket.tls == InterceptTLS(certificateAuthority: "/c/ca.pem", certificateAuthorityKey: "/c/ca.key", upstreamAuthority: here + "/up.pem"))
        #expect(try WebSocketParameters.read(websocket.texts).tls == websocket.tls)
    }
}
