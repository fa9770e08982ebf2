import DockerEngine
import Foundation
import Fixtures
import TestSupport
import Testing

/// `faultline inject http` against real containers on a user-defined network: a client container
/// calling a Python HTTP server (`model`). No client is pointed anywhere: the redirect in the
/// target's namespace sends the calls through faultline's proxy, and afterwards the container is
/// exactly as before.
@Suite(.serialized) struct HTTPFaultCLITests {
    func withClientAndModel(_ body: @escaping @Sendable (DockerEngineClient, ContainerDetails, ContainerDetails) async throws -> Void) async throws {
        let engine = try await TestEngine.client()
        try await withTestNetwork(engine: engine) { network in
            var server = TestServers.spec(.http)
            server.networks = [network: ["model"]]
            try await withTestContainer(server, engine: engine) { model in
                try await withTestContainer(.init(purpose: "http-client", networks: [network: []]), engine: engine) { client in
                    _ = try await TestServers.publishedPort(.http, of: model.id, engine: engine)
                    for _ in 0..<50 where try await call("/health.json", from: client, engine: engine).status != 200 {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    try await body(engine, client, model)
                }
            }
        }
    }

    /// `curl` in the container: the status it got, the response's head, and how long it took.
    func call(_ path: String, from container: ContainerDetails, engine: DockerEngineClient) async throws -> (status: Int, head: String, seconds: Double) {
        let started = ContinuousClock.now
        let result = try await engine.exec(container.id, ["/usr/bin/curl", "-s", "-m", "5", "-D", "-", "-o", "/dev/null", "http://model:8080\(path)"])
        let head = result.stdout
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, head, (ContinuousClock.now - started).seconds)
    }

    // Calls the client makes: the first two matching ones get 429 with Retry-After, the third and
    // another path reach the server; after the window every call does, and nothing of the fault is left.
    @Test func answersTheClientsCallsInTheServersPlace() async throws {
        try await withClientAndModel { engine, client, _ in
            let before = try await ContainerSnapshot.take(client.id, engine: engine)
            let stateDir = temporaryPath("faultline-http-")
            let child = try FaultlineProcess(["inject", "http", client.name, "--port", "8080", "--path", "^/health", "--status", "429",
                                              "--header", "Retry-After: 2", "--first", "2", "--for", "5s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            for _ in 0..<2 {
                let limited = try await call("/health.json", from: client, engine: engine)
                #expect(limited.status == 429 && limited.head.contains("Retry-After: 2"), "\(limited.head)")
            }
            #expect(try await call("/health.json", from: client, engine: engine).status == 200)
            #expect(try await call("/", from: client, engine: engine).status == 200)
            #expect(try await child.waitForExit() == 0, "\(child.text)")
            #expect(try await call("/health.json", from: client, engine: engine).status == 200)
            let after = try await ContainerSnapshot.take(client.id, engine: engine)
            #expect(after == before, "before: \(before)\nafter: \(after)")
        }
    }

    // delay: the call reaches the server that much later (tolerance: +1.5 s for exec and curl).
    @Test func delaysTheCalls() async throws {
        try await withClientAndModel { engine, client, _ in
            let stateDir = temporaryPath("faultline-http-")
            let child = try FaultlineProcess(["inject", "http", client.name, "--port", "8080", "--delay", "800ms", "--for", "5s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            let late = try await call("/health.json", from: client, engine: engine)
            #expect(late.status == 200 && late.seconds >= 0.8 && late.seconds < 2.3, "\(late)")
            #expect(try await child.waitForExit() == 0, "\(child.text)")
        }
    }

    // The server's own response, changed: held back 500 ms, then 7 bytes of its body and the close —
    // curl reports the transfer cut short (exit 18); after the window the body arrives whole.
    @Test func cutsTheServersResponseShort() async throws {
        try await withClientAndModel { engine, client, _ in
            func fetch() async throws -> (body: String, exitCode: Int, seconds: Double) {
                let started = ContinuousClock.now
                let result = try await engine.exec(client.id, ["/usr/bin/curl", "-s", "-m", "5", "http://model:8080/health.json"])
                return (result.stdout, result.exitCode, (ContinuousClock.now - started).seconds)
            }
            let whole = try await fetch()
            #expect(whole.exitCode == 0 && whole.body.count > 7, "\(whole)")
            let stateDir = temporaryPath("faultline-http-")
            let child = try FaultlineProcess(["inject", "http", client.name, "--port", "8080", "--path", "^/health", "--response-delay", "500ms",
                                              "--truncate-after", "7", "--for", "4s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            let cut = try await fetch()
            #expect(cut.exitCode == 18 && cut.body == String(whole.body.prefix(7)) && cut.seconds >= 0.5, "\(cut)")
            #expect(try await child.waitForExit() == 0, "\(child.text)")
            #expect(try await fetch().body == whole.body)
        }
    }

    // Calls the server receives, through its published port: a connection open before the fault
    // goes on unfaulted with `existing: leave` and is reset with `existing: reset`; new ones get 503.
    @Test func inboundAndTheConnectionsAlreadyOpen() async throws {
        try await withClientAndModel { engine, _, model in
            let port = try await TestServers.publishedPort(.http, of: model.id, engine: engine)
            let before = try await ContainerSnapshot.take(model.id, engine: engine)
            for existing in ["leave", "reset"] {
                let open = try RawTCPClient(port: port)
                try await Task.sleep(for: .milliseconds(200))
                let stateDir = temporaryPath("faultline-http-")
                let child = try FaultlineProcess(["inject", "http", model.name, "--port", "8080", "--direction", "inbound", "--status", "503",
                                                  "--existing", existing, "--for", "3s", "--state-dir", stateDir])
                try await child.waitFor("injected")
                let fresh = try RawTCPClient(port: port)
                fresh.send("GET /health.json HTTP/1.1\r\nHost: model\r\n\r\n")
                let answer = fresh.read()
                #expect(answer.text.hasPrefix("HTTP/1.1 503 Service Unavailable"), "\(answer)")
                if existing == "leave" {
                    open.send("GET /health.json HTTP/1.0\r\n\r\n")
                    let old = open.read()
                    #expect(old.text.hasPrefix("HTTP/1.0 200 OK") && old.text.hasSuffix(#""db":"up"}}"#), "\(old)")
                } else {
                    let old = open.read(timeout: .seconds(2))
                    #expect(old.text.isEmpty && (old.end == .closed || old.end == .reset), "\(old)")
                }
                #expect(try await child.waitForExit() == 0, "\(child.text)")
            }
            let after = try await ContainerSnapshot.take(model.id, engine: engine)
            #expect(after == before, "before: \(before)\nafter: \(after)")
        }
    }

    // HTTPS with the campaign's CA: the client's calls to `model` over TLS (SNI `model`, the
    // redirect's original destination) are answered under a certificate the campaign's CA signed, or
    // forwarded over the proxy's own TLS to the real server (`openssl s_server`, checked against its
    // CA); a client trusting only the server's CA sees the interception; afterwards it sees the server.
    @Test func terminatesTLSWithTheCampaignsCA() async throws {
        let engine = try await TestEngine.client()
        let campaign = try ThrowawayCertificates.authority("campaign")
        let upstream = try ThrowawayCertificates.authority("upstream")
        let server = try upstream.server(["DNS:model"])
        let binds = ["\(campaign.directory):/campaign:ro", "\(upstream.directory):/upstream:ro"]
        let serverPath = "/upstream/" + (server.certificate as NSString).lastPathComponent, keyPath = "/upstream/" + (server.key as NSString).lastPathComponent
        try await withTestNetwork(engine: engine) { network in
            let model = TestContainerSpec(purpose: "https", command: ["/usr/bin/openssl", "s_server", "-accept", "8443", "-cert", serverPath, "-key", keyPath, "-www", "-quiet"],
                                          networks: [network: ["model"]], extraBinds: binds)
            try await withTestContainer(model, engine: engine) { _ in
                try await withTestContainer(.init(purpose: "https-client", networks: [network: []], extraBinds: binds), engine: engine) { client in
                    func call(_ path: String, trusting authority: String) async throws -> (exitCode: Int, head: String) {
                        let result = try await engine.exec(client.id, ["/usr/bin/curl", "-sS", "-m", "5", "--cacert", authority, "-D", "-", "-o", "/dev/null", "https://model:8443\(path)"])
                        return (result.exitCode, result.stdout + result.stderr)
                    }
                    for _ in 0..<50 where try await call("/", trusting: "/upstream/upstream-ca.pem").exitCode != 0 {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    let before = try await ContainerSnapshot.take(client.id, engine: engine)
                    let child = try FaultlineProcess(["inject", "http", client.name, "--port", "8443", "--path", "^/v1/", "--status", "429", "--header", "Retry-After: 2",
                                                      "--tls-ca", campaign.authority, "--tls-ca-key", campaign.authorityKey, "--tls-upstream-ca", upstream.authority,
                                                      "--for", "6s", "--state-dir", temporaryPath("faultline-http-")])
                    try await child.waitFor("injected")
                    let limited = try await call("/v1/chat", trusting: "/campaign/campaign-ca.pem")
                    #expect(limited.exitCode == 0 && limited.head.hasPrefix("HTTP/1.1 429 Too Many Requests\r\n") && limited.head.contains("Retry-After: 2"), "\(limited)")
                    let forwarded = try await call("/health", trusting: "/campaign/campaign-ca.pem")
                    #expect(forwarded.exitCode == 0 && forwarded.head.hasPrefix("HTTP/1.0 200 ok"), "\(forwarded)")
                    let unaware = try await call("/health", trusting: "/upstream/upstream-ca.pem")
                    #expect(unaware.exitCode == 60, "\(unaware)")
                    #expect(try await child.waitForExit() == 0, "\(child.text)")
                    let direct = try await call("/health", trusting: "/upstream/upstream-ca.pem")
                    #expect(direct.exitCode == 0 && direct.head.hasPrefix("HTTP/1.0 200 ok"), "\(direct)")
                    let after = try await ContainerSnapshot.take(client.id, engine: engine)
                    #expect(after == before, "before: \(before)\nafter: \(after)")
                }
            }
        }
    }

    // Bad input changes nothing: one clear line naming the option.
    @Test func badInputIsRefused() async throws {
        try await withClientAndModel { engine, client, _ in
            let before = try await ContainerSnapshot.take(client.id, engine: engine)
            let none = try await FaultlineProcess.run(["inject", "http", client.name, "--port", "8080", "--for", "2s"])
            #expect(none.status == 2 && none.stderr.contains("needs --status, --reset, --delay or a change of the response (--response-delay"), "\(none.stderr)")
            let cut = try await FaultlineProcess.run(["inject", "http", client.name, "--port", "8080", "--status", "503", "--truncate-after", "3", "--for", "2s"])
            #expect(cut.status == 2 && cut.stderr.contains("--truncate-after changes the upstream's response"), "\(cut.stderr)")
            let both = try await FaultlineProcess.run(["inject", "http", client.name, "--port", "8080", "--status", "503", "--reset", "--for", "2s"])
            #expect(both.status == 2 && both.stderr.contains("exclude each other"), "\(both.stderr)")
            let header = try await FaultlineProcess.run(["inject", "http", client.name, "--port", "8080", "--status", "429", "--header", "Retry-After", "--for", "2s"])
            #expect(header.status == 2 && header.stderr.contains("'Name: value'"), "\(header.stderr)")
            let keyless = try await FaultlineProcess.run(["inject", "http", client.name, "--port", "443", "--status", "503", "--tls-ca", "/nonexistent/ca.pem", "--for", "2s"])
            #expect(keyless.status == 2 && keyless.stderr.contains("--tls-ca needs --tls-ca-key"), "\(keyless.stderr)")
            let missing = try await FaultlineProcess.run(["inject", "http", client.name, "--port", "443", "--status", "503", "--tls-ca", "/nonexistent/ca.pem",
                                                          "--tls-ca-key", "/nonexistent/ca.key", "--for", "2s", "--state-dir", temporaryPath("faultline-http-")])
            #expect(missing.status == 2 && missing.stderr.contains("tls-ca /nonexistent/ca.pem: no PEM certificate could be read from it"), "\(missing.stderr)")
            #expect(try await ContainerSnapshot.take(client.id, engine: engine) == before)
        }
    }
}
