import DockerEngine
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// SIGKILL `faultline inject KIND X --for 60s --no-warden` mid-window, then `faultline recover`:
/// every container must be exactly as it was before (run state, HostConfig, networks, cgroup
/// values). Without `--no-warden`, the warden the inject started reverts it by itself.
@Suite(.serialized) struct CrashRecoveryTests {
    struct Case: Sendable, CustomStringConvertible {
        let kind: String
        let options: [String]
        let needsNetwork: Bool
        var description: String { ([kind] + options).joined(separator: " ") }
    }

    static let cases = [
        Case(kind: "pause", options: [], needsNetwork: false),
        Case(kind: "cpu", options: ["--cpus", "0.2"], needsNetwork: false),
        Case(kind: "memory", options: ["--memory", "48m"], needsNetwork: false),
        Case(kind: "cpu-hog", options: ["--workers", "1", "--load", "20"], needsNetwork: false),
        Case(kind: "memory-hog", options: ["--size", "32m"], needsNetwork: false),
        Case(kind: "io-hog", options: ["--size", "8m"], needsNetwork: false),
        Case(kind: "io-limit", options: ["--write-bps", "1m", "--read-iops", "100"], needsNetwork: false),
        Case(kind: "partition", options: [], needsNetwork: true),
        Case(kind: "stop", options: ["--grace", "0"], needsNetwork: false),
        Case(kind: "loss", options: ["--probability", "0.5"], needsNetwork: true),
        Case(kind: "blackhole", options: ["--port", "5432"], needsNetwork: true),
        Case(kind: "bandwidth", options: ["--rate", "1mbit"], needsNetwork: true),
        Case(kind: "partition", options: ["--peer", "10.251.74.1"], needsNetwork: true),
        Case(kind: "dns", options: ["--names", "^nothing$"], needsNetwork: true),
        Case(kind: "http", options: ["--port", "8080", "--status", "503"], needsNetwork: true),
        Case(kind: "packet", options: ["--delay", "200ms", "--loss", "0.1"], needsNetwork: true),
        Case(kind: "websocket", options: ["--port", "8765", "--direction", "inbound", "--action", "drop"], needsNetwork: true),
    ]

    // The fault outlives the SIGKILLed process; recover then restores the container exactly.
    @Test(arguments: cases)
    func recoversAfterSIGKILL(_ testCase: Case) async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-crash-")
        try await withTestNetwork(engine: engine, subnet: testCase.needsNetwork ? "10.251.74.0/24" : nil) { network in
            let spec = testCase.needsNetwork
                ? TestContainerSpec(purpose: "crash-\(testCase.kind)", networks: [network: ["crash-alias"]], staticIPv4: [network: "10.251.74.9"])
                : TestContainerSpec(purpose: "crash-\(testCase.kind)")
            try await withTestContainer(spec, engine: engine) { container in
                let before = try await ContainerSnapshot.take(container.id, engine: engine)
                let child = try FaultlineProcess(["inject", testCase.kind, container.name, "--for", "60s", "--no-warden", "--state-dir", stateDir] + testCase.options)
                try await child.waitFor("injected")
                child.signal(SIGKILL)
                #expect(try await child.waitForExit() == 128 + SIGKILL)

                let left = try await ContainerSnapshot.take(container.id, engine: engine)
                #expect(left != before, "the fault should still be in place after SIGKILL")

                let recover = try await FaultlineProcess.run(["recover", "--state-dir", stateDir, "--json"])
                #expect(recover.status == 0, "\(recover.stdout)\(recover.stderr)")
                #expect(recover.stdout.contains(#""event":"recovered""#))
                #expect(recover.stdout.contains(#""outcome":"restored""#), "\(recover.stdout)")
                let after = try await ContainerSnapshot.take(container.id, engine: engine)
                #expect(after == before, "before: \(before)\nafter: \(after)")
                let pid = try await engine.inspectContainer(container.id).state.pid
                let marked = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/root/").filter { $0.hasPrefix(".faultline-") }
                #expect(marked.isEmpty, "left in the container: \(marked)")

                let again = try await FaultlineProcess.run(["recover", "--state-dir", stateDir])
                #expect(again.stdout.contains("nothing to recover"))
            }
        }
    }

    // SIGTERM mid-window reverts at once and exits 143; nothing is left for recover.
    @Test func revertsOnSIGTERM() async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-term-")
        try await withTestContainer(.init(purpose: "term"), engine: engine) { container in
            let child = try FaultlineProcess(["inject", "pause", container.name, "--for", "60s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            #expect(try await engine.inspectContainer(container.id).state.paused)
            let clock = ContinuousClock()
            let sent = clock.now
            child.signal(SIGTERM)
            #expect(try await child.waitForExit() == 143)
            #expect(clock.now - sent < .seconds(5))
            #expect(child.text.contains("SIGTERM received: reverting now"))
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(try await FaultlineProcess.run(["recover", "--state-dir", stateDir]).stdout.contains("nothing to recover"))
        }
    }

    // With the warden an inject starts, a SIGKILL mid-window leaves nothing: the warden unpauses the
    // container within a second or two, and exits once nothing is open.
    @Test func wardenRevertsAfterSIGKILL() async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-warden-")
        try await withTestContainer(.init(purpose: "warden"), engine: engine) { container in
            let child = try FaultlineProcess(["inject", "pause", container.name, "--for", "60s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            #expect(try await engine.inspectContainer(container.id).state.paused)
            try await Self.killAndExpectTheWardenToUnpause(child, container, engine: engine, stateDir: stateDir)
        }
    }

    /// SIGKILLs `child` mid-window; the warden watching `stateDir` must unpause `container` within
    /// 10 s, log the revert and leave nothing for `recover`.
    static func killAndExpectTheWardenToUnpause(_ child: FaultlineProcess, _ container: ContainerDetails, engine: DockerEngineClient,
                                                stateDir: String) async throws {
        child.signal(SIGKILL)
        _ = try await child.waitForExit()
        let deadline = ContinuousClock.now + .seconds(10)
        while try await engine.inspectContainer(container.id).state.paused, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await engine.inspectContainer(container.id).state.paused == false, "the warden did not unpause within 10 s")
        // The warden logs its revert after the engine call returns: the container can be seen
        // unpaused a moment before the line is written.
        var log = ""
        let written = ContinuousClock.now + .seconds(5)
        repeat {
            log = (try? String(contentsOfFile: stateDir + "/warden.log", encoding: .utf8)) ?? ""
            if log.contains("warden reverted") { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < written
        #expect(log.contains("warden reverted"), "\(log)")
        #expect(try await FaultlineProcess.run(["recover", "--state-dir", stateDir]).stdout.contains("nothing to recover"))
    }

    // The next inject of an on-call session finds the first one's warden lingering and starts none;
    // SIGKILLed mid-window, it is reverted by that warden all the same.
    @Test func aLingeringWardenWatchesTheNextInject() async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-warden-linger-")
        func wardens() async throws -> [String] {
            try await CommandRunner.run(["/usr/bin/pgrep", "-f", "warden --state-dir \(stateDir) "]).stdout.split(separator: "\n").map(String.init)
        }
        // The lingering warden is ended here, also when the test fails, instead of after its minute.
        var failure: (any Error)?
        do { try await withTestContainer(.init(purpose: "warden-linger"), engine: engine) { container in
            let first = try await FaultlineProcess.run(["inject", "pause", container.name, "--for", "100ms", "--state-dir", stateDir])
            #expect(first.status == 0, "\(first.stderr)")
            let lingering = try await wardens()
            #expect(lingering.count == 1, "one warden lingers after the first inject: \(lingering)")
            let child = try FaultlineProcess(["inject", "pause", container.name, "--for", "60s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            #expect(try await wardens() == lingering, "the second inject started a warden of its own")
            try await Self.killAndExpectTheWardenToUnpause(child, container, engine: engine, stateDir: stateDir)
        } } catch { failure = error }
        _ = try? await CommandRunner.run(["/usr/bin/pkill", "-f", "warden --state-dir \(stateDir) "])
        if let failure { throw failure }
    }

    // disk-fill SIGKILLed mid-window leaves its file; recover removes exactly that file (a host
    // tmpfs bound into the container, so nothing here fills this machine's disk).
    @Test func diskFillRecoversAfterSIGKILL() async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-fill-")
        try await withHostTmpfs(size: "32m") { directory in
            FileManager.default.createFile(atPath: directory + "/keep", contents: Data("mine".utf8))
            try await withTestContainer(.init(purpose: "crash-fill", extraBinds: ["\(directory):/data"]), engine: engine) { container in
                let child = try FaultlineProcess(["inject", "disk-fill", container.name, "--path", "/data", "--remaining", "4m", "--for", "60s",
                                                  "--no-warden", "--state-dir", stateDir])
                try await child.waitFor("injected")
                child.signal(SIGKILL)
                _ = try await child.waitForExit()
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 2, "the fill file should outlive the SIGKILL")
                let recover = try await FaultlineProcess.run(["recover", "--state-dir", stateDir, "--json"])
                #expect(recover.stdout.contains(#""outcome":"restored""#), "\(recover.stdout)\(recover.stderr)")
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["keep"])
            }
        }
    }

    // dns or http SIGKILLed with nothing to revert it: its resolver or proxy deletes the redirect
    // itself when its own lifetime (the window plus 5 s) ends, and exits; recover then finds nothing left.
    @Test(arguments: [["dns", "--names", "^nothing$"], ["http", "--port", "8080", "--status", "503"]])
    func helperEndsItsFaultAfterSIGKILL(_ fault: [String]) async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-\(fault[0])-")
        try await withTestNetwork(engine: engine) { network in
            try await withTestContainer(.init(purpose: "crash-\(fault[0])-self", networks: [network: []]), engine: engine) { container in
                let before = try await ContainerSnapshot.take(container.id, engine: engine)
                let child = try FaultlineProcess(["inject"] + fault.prefix(1) + [container.name] + fault.dropFirst() + ["--for", "1s", "--no-warden", "--state-dir", stateDir])
                try await child.waitFor("injected")
                child.signal(SIGKILL)
                _ = try await child.waitForExit()
                #expect(try await ContainerSnapshot.take(container.id, engine: engine) != before, "the fault should outlive the SIGKILL")
                var after = before
                let deadline = ContinuousClock.now + .seconds(12)
                repeat {
                    try await Task.sleep(for: .milliseconds(250))
                    after = try await ContainerSnapshot.take(container.id, engine: engine)
                } while after != before && ContinuousClock.now < deadline
                #expect(after == before, "before: \(before)\nafter: \(after)")
                let recover = try await FaultlineProcess.run(["recover", "--state-dir", stateDir, "--json"])
                #expect(recover.stdout.contains(#""outcome":"already-clear""#) || recover.stdout.contains("already clear"), "\(recover.stdout)")
            }
        }
    }

    // With the warden, a SIGKILLed http or websocket fault does not wait for its proxy's lifetime:
    // the warden sees the owner gone at its next look (four a second) and deletes the redirect and
    // the proxy. Measured here ~0.3–0.5 s from the kill to the namespace as before (printed);
    // required within 2 s, against the 65 s the proxy alone would take with a 60 s window.
    @Test(arguments: [["http", "--port", "8080", "--status", "503"], ["websocket", "--port", "8765", "--direction", "inbound", "--action", "drop"]])
    func wardenEndsTheRedirectAfterSIGKILL(_ fault: [String]) async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-\(fault[0])-warden-")
        try await withTestNetwork(engine: engine) { network in
            try await withTestContainer(.init(purpose: "warden-\(fault[0])", networks: [network: []]), engine: engine) { container in
                let before = try await ContainerSnapshot.take(container.id, engine: engine)
                let arguments: [String] = ["inject", fault[0], container.name] + Array(fault.dropFirst()) + ["--for", "60s", "--state-dir", stateDir]
                let child = try FaultlineProcess(arguments)
                try await child.waitFor("injected")
                #expect(try await ContainerSnapshot.take(container.id, engine: engine) != before)
                let killed = ContinuousClock.now
                child.signal(SIGKILL)
                _ = try await child.waitForExit()
                var after = try await ContainerSnapshot.take(container.id, engine: engine)
                while after != before && ContinuousClock.now - killed < .seconds(10) {
                    try await Task.sleep(for: .milliseconds(50))
                    after = try await ContainerSnapshot.take(container.id, engine: engine)
                }
                let took = ContinuousClock.now - killed
                print("warden: \(fault[0]) redirect and proxy gone \(DurationText.format(took)) after the SIGKILL")
                #expect(after == before, "before: \(before)\nafter: \(after)")
                #expect(took < .seconds(2), "the warden took \(took)")
                #expect(try await FaultlineProcess.run(["recover", "--state-dir", stateDir]).stdout.contains("nothing to recover"))
            }
        }
    }

    // The packet engine ends with the faultline process that started it: with every packet dropped,
    // echoes come back within a second of the SIGKILL (its queue has no reader and its rules
    // bypass), and recover then deletes the rules left behind.
    @Test func packetEngineFailsOpenAfterSIGKILL() async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-packet-")
        func echoes(_ address: String, sent: Int) async throws -> Int {
            let result = try await CommandRunner.run(["/usr/bin/python3", "\(TestServers.fixtures)/udp_echo.py", "count", address, "9999", String(sent)])
            return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(result.stdout) \(result.stderr)")
        }
        try await withTestNetwork(engine: engine) { network in
            let spec = TestContainerSpec(purpose: "crash-packet-open", command: ["/usr/bin/python3", "-u", "/fixtures/udp_echo.py", "serve", "9999"],
                                         networks: [network: []], extraBinds: ["\(TestServers.fixtures):/fixtures:ro"])
            try await withTestContainer(spec, engine: engine) { server in
                let address = try #require(server.networkSettings.networks?.values.compactMap(\.ipAddress).first { !$0.isEmpty })
                for _ in 0..<50 {
                    if try await echoes(address, sent: 5) == 5 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let before = try await ContainerSnapshot.take(server.id, engine: engine)
                let child = try FaultlineProcess(["inject", "packet", server.name, "--loss", "1", "--for", "60s", "--no-warden", "--state-dir", stateDir])
                try await child.waitFor("injected")
                #expect(try await echoes(address, sent: 30) == 0)
                child.signal(SIGKILL)
                _ = try await child.waitForExit()
                try await Task.sleep(for: .seconds(1))
                #expect(try await echoes(address, sent: 50) >= 49, "traffic should flow within a second of the SIGKILL")
                #expect(try await ContainerSnapshot.take(server.id, engine: engine) != before, "the rules stay for recover")
                let recover = try await FaultlineProcess.run(["recover", "--state-dir", stateDir, "--json"])
                #expect(recover.stdout.contains(#""outcome":"restored""#), "\(recover.stdout)\(recover.stderr)")
                #expect(try await ContainerSnapshot.take(server.id, engine: engine) == before)
            }
        }
    }

    // A new inject first recovers what a killed one left, and says so.
    @Test func injectRecoversFirst() async throws {
        let engine = try await TestEngine.client()
        let stateDir = temporaryPath("faultline-first-")
        try await withTestContainer(.init(purpose: "first"), engine: engine) { container in
            let child = try FaultlineProcess(["inject", "pause", container.name, "--for", "60s", "--no-warden", "--state-dir", stateDir])
            try await child.waitFor("injected")
            child.signal(SIGKILL)
            _ = try await child.waitForExit()
            let next = try await FaultlineProcess.run(["inject", "cpu", container.name, "--cpus", "0.5", "--for", "100ms", "--state-dir", stateDir])
            #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
            #expect(next.stdout.contains("recovered"))
            #expect(next.stdout.contains("pause on \(container.name)"))
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
        }
    }
}
