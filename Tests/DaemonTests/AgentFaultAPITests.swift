import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// The agent's fault API (`/v1/faults`) on a real daemon and engine, reached the way a
/// coordinator reaches it (`faultline inject --node`): the fault ends with its window when the
/// coordinator is SIGKILLed, the warden ends it when the agent is, refusals are one clear 4xx.
@Suite(.serialized) struct AgentFaultAPITests {
    static func withSleeper<T: Sendable>(_ body: @escaping (DockerEngineClient, ContainerDetails) async throws -> T) async throws -> T {
        let engine = try await TestEngine.client()
        return try await withTestContainer(TestContainerSpec(purpose: "agent"), engine: engine) { container in
            try await body(engine, container)
        }
    }

    /// A fleet file whose node `n1` is this host's engine with `daemon` as its agent.
    static func fleetFile(agent socket: String) throws -> String {
        let path = NSTemporaryDirectory() + "fl-fleet-" + UUID().uuidString + ".yaml"
        try "nodes:\n  n1: { engine: unix:///var/run/docker.sock, agent: unix://\(socket) }\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func waitUntil(paused: Bool, _ id: String, engine: DockerEngineClient, within limit: Duration) async throws -> Duration {
        let clock = ContinuousClock(), started = clock.now
        while try await engine.inspectContainer(id).state.paused != paused, clock.now - started < limit {
            try await Task.sleep(for: .milliseconds(20))
        }
        return clock.now - started
    }

    // The coordinator (`inject --node`) is SIGKILLed mid-window: the agent unpauses when the window
    // ends (1.5 s), with nobody asking, and says so.
    @Test func theAgentEndsTheFaultWhenTheCoordinatorDies() async throws {
        try await Self.withSleeper { engine, container in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let fleet = try Self.fleetFile(agent: daemon.socket)
            let coordinator = try FaultlineProcess(["inject", "pause", container.name, "--for", "1500ms", "--node", "n1", "--fleet", fleet, "--json"])
            try await coordinator.waitFor("\"injected\"")
            let killedAt = ContinuousClock.now
            coordinator.signal(SIGKILL)
            _ = try await coordinator.waitForExit()
            #expect(try await engine.inspectContainer(container.id).state.paused == true, "the fault went with the coordinator")
            _ = try await Self.waitUntil(paused: false, container.id, engine: engine, within: .seconds(10))
            let unpausedAfter = ContinuousClock.now - killedAt
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(unpausedAfter < .milliseconds(1500) + .seconds(2), "unpaused \(unpausedAfter) after the coordinator died")
            // The engine shows the unpause a moment before the agent has recorded it (ledger, then state).
            var listed: [[String: Any]] = []
            for _ in 0..<100 {
                listed = try await daemon.json("GET", "/v1/faults") as? [[String: Any]] ?? []
                if let state = listed.first?["state"] as? String, state != "active" && state != "reverting" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(listed.count == 1 && listed[0]["ended_by"] as? String == "window ended" && listed[0]["state"] as? String == "reverted", "\(listed)")
            let id = try #require(listed.first?["id"] as? String)
            let again = try await daemon.call("DELETE", "/v1/faults/\(id)")
            #expect(again.status == 200 && again.body.contains("window ended"), "a late DELETE answers as the fault ended: \(again)")
            #expect(try FaultLedger(stateDirectory: daemon.stateDirectory).openEntries().isEmpty)
            let metrics = try await daemon.call("GET", "/metrics").body
            #expect(metrics.contains(#"faultline_faults_injected_total{kind="pause"} 1"#) && metrics.contains(#"faultline_faults_reverted_total{kind="pause"} 1"#)
                    && metrics.contains("faultline_faults_active 0"), "\(metrics)")
        }
    }

    // Through `inject --node` the fault is injected on the agent's engine and reverted at the
    // window's end; the command prints which node held it.
    @Test func injectsAndRevertsThroughTheNodesAgent() async throws {
        try await Self.withSleeper { engine, container in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let fleet = try Self.fleetFile(agent: daemon.socket)
            let result = try await FaultlineProcess.run(["inject", "pause", container.name, "--for", "300ms", "--node", "n1", "--fleet", fleet])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("on n1)") && result.stdout.contains("restored"), "\(result.stdout)")
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
        }
    }

    // The agent (daemon) is SIGKILLed mid-window: its warden reverts the fault.
    @Test func theWardenEndsTheFaultWhenTheAgentDies() async throws {
        try await Self.withSleeper { engine, container in
            let daemon = try await DaemonProcess(warden: true)
            let body = #"{"kind": "pause", "target": "\#(container.name)", "window": "30s", "deadline": "40s"}"#
            let created = try await daemon.call("POST", "/v1/faults", body: body)
            #expect(created.status == 201, "\(created)")
            #expect(try await engine.inspectContainer(container.id).state.paused == true)
            try await daemon.kill()
            let took = try await Self.waitUntil(paused: false, container.id, engine: engine, within: .seconds(15))
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(took < .seconds(3), "the warden took \(took)")
        }
    }

    // Refusals are one clear 4xx, and nothing is injected: unknown keys, kinds, nodes and containers.
    @Test func refusesBadRequestsClearly() async throws {
        try await Self.withSleeper { engine, container in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let unknownKey = try await daemon.call("POST", "/v1/faults", body: #"{"kind": "pause", "target": "x", "windw": "1s"}"#)
            #expect(unknownKey.status == 400 && unknownKey.body.contains("unknown key 'windw'"), "\(unknownKey)")
            let missing = try await daemon.call("POST", "/v1/faults", body: #"{"kind": "pause"}"#)
            #expect(missing.status == 400 && missing.body.contains("misses 'target'"), "\(missing)")
            let nobody = try await daemon.call("POST", "/v1/faults", body: #"{"kind": "pause", "target": "\#(container.name)-nope", "window": "1s", "deadline": "2s"}"#)
            #expect(nobody.status == 404 && nobody.body.contains(container.name), "names what exists: \(nobody)")
            let cpus = try await daemon.call("POST", "/v1/faults", body: #"{"kind": "cpu", "target": "\#(container.name)", "parameters": {"cpus": 0}, "window": "1s", "deadline": "2s"}"#)
            #expect(cpus.status == 400 && cpus.body.contains("cpus"), "\(cpus)")
            let gone = try await daemon.call("DELETE", "/v1/faults/nope")
            #expect(gone.status == 404, "\(gone)")
            let fleet = try Self.fleetFile(agent: daemon.socket)
            let wrongNode = try await FaultlineProcess.run(["inject", "pause", container.name, "--for", "1s", "--node", "n2", "--fleet", fleet])
            #expect(wrongNode.status != 0 && wrongNode.stderr.contains("no node 'n2'") && wrongNode.stderr.contains("nodes: n1"), "\(wrongNode)")
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(try FaultLedger(stateDirectory: daemon.stateDirectory).entries().isEmpty)
        }
    }
}
