import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// SIGKILL the daemon at random moments during a campaign that covers every fault kind, start it
/// again, and check that nothing is left: every container exactly as before (run state, limits,
/// networks, namespace rules and qdiscs), nothing open in the ledger, the killed run marked
/// interrupted, and its journal readable with at most the one in-flight record lost.
/// `FAULTLINE_TORTURE_TRIALS` sets the number of trials (20 by default, in the test command; the soak in scripts/bench.sh runs 200).
@Suite(.serialized) struct DaemonTortureTests {
    static var trials: Int { Int(ProcessInfo.processInfo.environment["FAULTLINE_TORTURE_TRIALS"] ?? "") ?? 20 }

    /// Most kinds faultline can inject here (not latency and packet: their engine has tests of its own), spread
    /// over about five seconds on three containers, so a kill lands in any of them.
    static func campaign(core: String, net: String, peer: String, proxyPort: Int) -> String {
        """
        name: torture
        settings: { blast_radius: 3, recovery_limit: 1s }
        proxies:
          link: { listen: \(proxyPort), upstream: "127.0.0.1:9" }
        targets:
          core: { name: \(core) }
          net: { name: \(net) }
          peer: { name: \(peer) }
        hypothesis:
          steady_state: { window: 100ms }
        timeline:
          - { at: 0s, fault: { pause: { target: core } }, for: 800ms }
          - { at: 900ms, fault: { cpu: { target: core, cpus: 0.2 } }, for: 800ms }
          - { at: 1800ms, fault: { memory: { target: core, limit: 48m } }, for: 800ms }
          - { at: 2700ms, fault: { stop: { target: core, grace: 0s } }, for: 800ms }
          - { at: 3600ms, fault: { kill: { target: core, signal: SIGKILL } }, for: 800ms }
          - { at: 0s, fault: { loss: { target: net, probability: 0.5 } }, for: 800ms }
          - { at: 900ms, fault: { blackhole: { target: net, ports: [5432] } }, for: 800ms }
          - { at: 1800ms, fault: { bandwidth: { target: net, rate: 1mbit } }, for: 800ms }
          - { at: 2700ms, fault: { partition: { target: net, peers: [peer] } }, for: 800ms }
          - { at: 3600ms, fault: { partition: { target: net } }, for: 800ms }
          - { at: 300ms, fault: { restart: { target: peer, grace: 0s } } }
          - { at: 1500ms, fault: { toxic: { proxy: link, toxics: ["latency=1s"] } }, for: 2s }
        """
    }

    @Test func nothingIsLeftAfterRandomKills() async throws {
        let engine = try await TestEngine.client()
        try await withTestNetwork(engine: engine, subnet: "10.251.76.0/24") { network in
            try await withTestContainer(.init(purpose: "torture-core", networks: [network: ["core"]], staticIPv4: [network: "10.251.76.10"]), engine: engine) { core in
                try await withTestContainer(.init(purpose: "torture-net", networks: [network: ["net"]], staticIPv4: [network: "10.251.76.11"]), engine: engine) { net in
                    try await withTestContainer(.init(purpose: "torture-peer", networks: [network: ["peer"]], staticIPv4: [network: "10.251.76.12"]), engine: engine) { peer in
                        try await Self.torture(engine: engine, containers: [core, net, peer])
                    }
                }
            }
        }
    }

    static func torture(engine: DockerEngineClient, containers: [ContainerDetails]) async throws {
        let baseline = try await snapshots(containers, engine: engine)
        let state = NSTemporaryDirectory() + "fl-torture-" + UUID().uuidString
        let text = campaign(core: containers[0].name, net: containers[1].name, peer: containers[2].name,
                            proxyPort: try LoopbackPort.free())
        var generator = SeededGenerator(seed: 20261122)
        var interruptedRuns = 0
        for trial in 1...trials {
            let withWarden = trial % 2 == 0
            let killAfter = Duration.milliseconds(Int.random(in: 50...4800, using: &generator))
            let daemon = try await DaemonProcess(stateDirectory: state, warden: withWarden)
            let submitted = try await daemon.json("POST", "/v1/runs", body: DaemonAPITests.submitJSON(text)) as? [String: Any]
            let id = try #require(submitted?["id"] as? String, "trial \(trial)")
            try await Task.sleep(for: killAfter)
            do { try await daemon.kill() } catch { throw TestSupportError("trial \(trial) (kill after \(killAfter)): \(error)") }
            let next = try await DaemonProcess(stateDirectory: state)
            let context = "trial \(trial) (kill after \(killAfter), warden \(withWarden))"
            let run = try await next.run(id)
            let status = run["status"] as? String ?? ""
            #expect(status == "interrupted" || status == "held" || status == "violated", "\(context): \(run)")
            if status == "interrupted" { interruptedRuns += 1 }
            try await awaitRunning(containers, engine: engine)
            let after = try await snapshots(containers, engine: engine)
            for (index, container) in containers.enumerated() where after[index] != baseline[index] {
                Issue.record("\(context): \(container.name) differs\nbefore: \(baseline[index])\nafter:  \(after[index])\n\(next.process.text)")
            }
            #expect(try FaultLedger(stateDirectory: state).openEntries().isEmpty, "\(context): open ledger entries")
            if let directory = run["directory"] as? String {
                let lines = (try? String(contentsOfFile: directory + "/journal.jsonl", encoding: .utf8))?.split(separator: "\n") ?? []
                let unreadable = lines.enumerated().filter { (try? JSONSerialization.jsonObject(with: Data($0.element.utf8))) == nil }.map(\.offset)
                #expect(unreadable.isEmpty || unreadable == [lines.count - 2] || unreadable == [lines.count - 1],
                        "\(context): journal lines \(unreadable) of \(lines.count) cannot be read")
                #expect(throws: Never.self, "\(context)") { _ = try RunRecord.load(directory: directory) }
            }
            try await next.stop()
        }
        #expect(interruptedRuns > trials / 2, "most kills should land mid-run (\(interruptedRuns) of \(trials))")
    }

    static func snapshots(_ containers: [ContainerDetails], engine: DockerEngineClient) async throws -> [ContainerSnapshot] {
        var result: [ContainerSnapshot] = []
        for container in containers { result.append(try await ContainerSnapshot.take(container.id, engine: engine)) }
        return result
    }

    /// A restart or start the engine was carrying out when the daemon died finishes on its own.
    static func awaitRunning(_ containers: [ContainerDetails], engine: DockerEngineClient) async throws {
        for _ in 0..<100 {
            var all = true
            for container in containers where try await engine.inspectContainer(container.id).state.running == false { all = false }
            if all { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
