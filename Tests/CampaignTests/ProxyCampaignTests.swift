@testable import Campaign
import FaultProxy
import Faults
import FaultlineSupport
import Foundation
import Probes
import TestSupport
import Testing

/// Campaigns that run a TCP fault proxy and turn toxics on for a window.
@Suite(.serialized) struct ProxyCampaignTests {
    // A 400 ms latency toxic for a 2 s window: checks through the proxy that lie inside the window
    // take at least 400 ms, those before it do not; the window is in the ledger and closed with
    // "restored", and the proxy is gone when the run ends.
    @Test func toxicWindowDelaysOnlyInsideTheWindow() async throws {
        let engine = try await TestEngine.client()
        let upstream = try await LoopbackServer(.echo)
        defer { Task { await upstream.stop() } }
        let listen = try LoopbackPort.free()
        let text = """
        name: proxy-latency
        settings: { recovery_limit: 5s }
        proxies:
          link: { listen: \(listen), upstream: "127.0.0.1:\(upstream.port)" }
        probes:
          - name: echo
            tcp: { host: 127.0.0.1, port: \(listen), send: "ping", expect: "ping" }
            every: 100ms
            timeout: 2s
        hypothesis:
          steady_state: { window: 500ms }
          checks:
            - { probe: echo, recover_within: 2s }
        timeline:
          - { at: 300ms, fault: { toxic: { proxy: link, toxics: ["latency=400ms"] } }, for: 2s }
        """
        let campaign = try CampaignParser.parse(text, file: "proxy.yaml")
        let state = NSTemporaryDirectory() + "fl-proxy-" + UUID().uuidString
        let ledger = try FaultLedger(stateDirectory: state)
        let runner = CampaignRunner(campaign: campaign, source: text, file: "proxy.yaml", engine: engine, ledger: ledger,
                                    logger: TestEngine.logger, emit: { _ in })
        let result = try await runner.run(try await runner.plan(), directory: NSTemporaryDirectory() + "fl-runs-" + UUID().uuidString)
        #expect(result.verdict.status == .held, "\(result.verdict.reason)")
        let window = try #require(result.windows.first)
        let injected = try #require(window.injectedAt), reverted = try #require(window.revertAt)
        #expect(window.outcome == "restored", "\(window.outcome ?? window.error ?? "")")
        let samples = result.record.samples["echo"] ?? []
        let inside = samples.filter { $0.offset > injected && $0.endOffset < reverted }
        let before = samples.filter { $0.endOffset < window.injectAt }
        #expect(inside.count >= 2 && before.count >= 2, "inside \(inside.count), before \(before.count)")
        #expect(inside.allSatisfy { $0.outcome.isOK && $0.latency >= .milliseconds(395) },
                "inside the window: \(inside.map { "\($0.latency.milliseconds) ms" })")
        #expect(before.allSatisfy { $0.latency < .milliseconds(250) }, "before: \(before.map { "\($0.latency.milliseconds) ms" })")
        let entry = try #require(try ledger.entries().first)
        #expect(entry.intent.kind == .toxic && entry.intent.target?.name == "proxy:link" && !entry.isOpen)
        #expect(try ledger.openEntries().isEmpty)
        #expect((try? LoopbackClient(port: listen)) == nil, "the proxy still listens after the run")
    }

    // A proxy that cannot listen (the port is taken) stops the run before anything starts, naming it.
    @Test func refusesAPortInUse() async throws {
        let engine = try await TestEngine.client()
        let taken = try await LoopbackServer(.echo)
        defer { Task { await taken.stop() } }
        let text = """
        name: proxy-taken
        proxies:
          link: { listen: \(taken.port), upstream: "127.0.0.1:1" }
        timeline:
          - { at: 0s, fault: { toxic: { proxy: link, toxics: [timeout] } }, for: 1s }
        """
        let campaign = try CampaignParser.parse(text, file: "proxy.yaml")
        let ledger = try FaultLedger(stateDirectory: NSTemporaryDirectory() + "fl-proxy-" + UUID().uuidString)
        let runner = CampaignRunner(campaign: campaign, source: text, file: "proxy.yaml", engine: engine, ledger: ledger,
                                    logger: TestEngine.logger, emit: { _ in })
        await #expect { try await runner.run(try await runner.plan(), directory: NSTemporaryDirectory() + "fl-runs-" + UUID().uuidString) } throws: {
            "\($0)".contains("proxy: 'link' cannot listen on 127.0.0.1:\(taken.port)")
        }
        #expect(try ledger.entries().isEmpty)
    }
}
