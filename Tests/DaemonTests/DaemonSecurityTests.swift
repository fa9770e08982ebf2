import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// The daemon as a hostile local user, a web page or an unlucky operator meets it: browser
/// requests, DNS rebinding, command probes over TCP, a flood of half-open connections, and a
/// warden that must revert on the daemon's engine (not `DOCKER_HOST`'s) and hold none of its sockets.
@Suite(.serialized) struct DaemonSecurityTests {
    static let token = "fedcba9876543210fedcba"

    static func tokenFile() throws -> String {
        let path = NSTemporaryDirectory() + "fl-token-" + UUID().uuidString
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        return path
    }

    static let commandCampaign = """
        name: runs-a-program
        targets:
          any: { name: nothing-needed }
        probes:
          - name: shell
            command: { argv: ["/bin/sh", "-c", "id > /tmp/owned"] }
        timeline:
          - { at: 1s, fault: { pause: { target: any } }, for: 1s }
        """

    // A page in a browser (Origin / Sec-Fetch-Site), a form-type body, a rebinding Host and a
    // command probe are refused on TCP with a JSON reason, before anything runs.
    @Test func refusesBrowsersRebindingAndCommandProbesOverTCP() async throws {
        let port = try LoopbackPort.free()
        let daemon = try await DaemonProcess(extra: ["--tcp", "127.0.0.1:\(port)", "--token-file", try Self.tokenFile()])
        defer { Task { try? await daemon.stop() } }
        let url = "http://127.0.0.1:\(port)", auth = "Authorization: Bearer \(Self.token)"
        let body = DaemonAPITests.submitJSON(Self.commandCampaign)

        let page = try await DaemonProcess.call(url: url, "POST", "/v1/runs", body: "name: x", contentType: "text/plain",
                                                headers: [auth, "Origin: http://evil.example"])
        #expect(page.status == 403 && page.body.contains("web pages"), "\(page)")
        let fetch = try await DaemonProcess.call(url: url, "GET", "/v1/runs", headers: [auth, "Sec-Fetch-Site: cross-site"])
        #expect(fetch.status == 403, "\(fetch)")
        let plain = try await DaemonProcess.call(url: url, "POST", "/v1/runs", body: "name: x", contentType: "text/plain", headers: [auth])
        #expect(plain.status == 415 && plain.body.contains("JSON or YAML"), "\(plain)")
        let rebound = try await DaemonProcess.call(url: url, "GET", "/v1/health", headers: [auth, "Host: attacker.example:\(port)"])
        #expect(rebound.status == 421 && rebound.body.contains("not this listener"), "\(rebound)")
        let localhost = try await DaemonProcess.call(url: url, "GET", "/v1/health", headers: [auth, "Host: localhost:\(port)"])
        #expect(localhost.status == 200, "\(localhost)")
        let command = try await DaemonProcess.call(url: url, "POST", "/v1/runs", body: body, headers: [auth])
        #expect(command.status == 403 && command.body.contains("'shell'") && command.body.contains("--allow-command-probes"), "\(command)")
        let scheduleBody = String(decoding: try JSONSerialization.data(withJSONObject: ["campaign": Self.commandCampaign, "every": "1h"]), as: UTF8.self)
        let scheduled = try await DaemonProcess.call(url: url, "POST", "/v1/schedules", body: scheduleBody, headers: [auth])
        #expect(scheduled.status == 403, "\(scheduled)")
        #expect((try await daemon.json("GET", "/v1/runs") as? [Any])?.isEmpty == true, "nothing was started")
        let large = try await daemon.call("POST", "/v1/runs", body: String(repeating: "a", count: 1_100_000), contentType: "application/yaml")
        #expect(large.status == 413 && large.body.contains("KiB"), "a refusal carries its reason: \(large.status) \(large.body.prefix(200))")
    }

    // 300 half-open TCP connections against a daemon limited to 256 descriptors: the unix socket
    // still answers at once, the daemon lives, and the idle connections are closed by the daemon.
    @Test func survivesAFloodOfHalfOpenConnections() async throws {
        let port = try LoopbackPort.free()
        let daemon = try await DaemonProcess(extra: ["--tcp", "127.0.0.1:\(port)", "--token-file", try Self.tokenFile()],
                                             launcher: ["/usr/bin/prlimit", "--nofile=256:256", "--"])
        defer { Task { try? await daemon.stop() } }
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<300 {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { break }
            var address = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: in_port_t(UInt16(port).bigEndian),
                                      sin_addr: in_addr(s_addr: inet_addr("127.0.0.1")), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            sockets.append(descriptor)
        }
        try await Task.sleep(for: .milliseconds(500))
        let clock = ContinuousClock(), asked = clock.now
        let health = try await daemon.call("GET", "/v1/health", timeout: .seconds(5))
        #expect(health.status == 200, "\(health)")
        #expect(clock.now - asked < .seconds(2))
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.process.pid)/fd").count) ?? 0
        #expect(open < 256 - 64, "the daemon keeps descriptors in reserve: \(open) open")
        // The daemon accepts at most its per-listener cap ((256 − 192 reserved) / 2 = 32 here) and
        // closes what stays idle (10 s), so the flood drains by itself, a batch at a time.
        try await Task.sleep(for: .seconds(12))
        var closedByDaemon = 0
        for descriptor in sockets {
            var byte: UInt8 = 0
            if recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT)) == 0 { closedByDaemon += 1 }
        }
        #expect(closedByDaemon >= 8 && closedByDaemon < 300, "idle connections closed by the daemon after 12 s: \(closedByDaemon)")
        #expect(try await daemon.call("GET", "/v1/health").status == 200)
    }

    // DOCKER_HOST points nowhere, --engine at the real engine: the warden reverts on the real
    // engine after a SIGKILL of the daemon, holds neither listener, and a new daemon can take the
    // same TCP port at once.
    @Test func wardenUsesTheDaemonsEngineAndNoneOfItsSockets() async throws {
        try await DaemonAPITests.withRedis { engine, container, redisPort in
            let port = try LoopbackPort.free()
            let tokenFile = try Self.tokenFile()
            let state = NSTemporaryDirectory() + "fl-warden-engine-" + UUID().uuidString
            let daemon = try await DaemonProcess(stateDirectory: state, warden: true,
                                                 extra: ["--engine", "unix:///var/run/docker.sock", "--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile],
                                                 environment: ["DOCKER_HOST": "unix:///nonexistent/faultline-test.sock"])
            let text = DaemonAPITests.campaign(container: container.name, port: redisPort, window: "20s")
            _ = try await daemon.json("POST", "/v1/runs", body: DaemonAPITests.submitJSON(text))
            for _ in 0..<100 where try await engine.inspectContainer(container.id).state.paused == false {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await engine.inspectContainer(container.id).state.paused == true)
            let wardens = try await CommandRunner.run(["/usr/bin/pgrep", "-f", "warden --state-dir \(state)"])
            let wardenPID = try #require(wardens.stdout.split(separator: "\n").first.flatMap { Int32($0) })
            func sockets(of pid: Int32) -> Set<String> {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
                return Set(names.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
                    .filter { $0.hasPrefix("socket:") })
            }
            let shared = sockets(of: wardenPID).intersection(sockets(of: daemon.process.pid))
            #expect(shared.isEmpty, "the warden holds the daemon's sockets (listeners, engine connections): \(shared)")
            let clock = ContinuousClock()
            try await daemon.kill()
            let killed = clock.now
            while try await engine.inspectContainer(container.id).state.paused, clock.now - killed < .seconds(30) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(clock.now - killed < .seconds(3), "the warden took \(clock.now - killed) on the daemon's engine")
            let next = try await DaemonProcess(stateDirectory: state, extra: ["--tcp", "127.0.0.1:\(port)", "--token-file", tokenFile])
            #expect(try await next.call("GET", "/v1/health").status == 200, "the port and socket were free for the next daemon")
            try await next.stop()
        }
    }
}
