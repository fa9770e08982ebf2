import Campaign
@testable import Benchmarks
import Foundation
import Testing

@Suite struct CampaignOverheadBenchmarkTests {
    let benchmark = CampaignOverheadBenchmark(
        faultline: "/usr/bin/faultline", chaos: nil, curl: "/usr/bin/curl", socketPath: "/var/run/docker.sock",
        apiVersion: "1.41", httpURL: "http://127.0.0.1:18080/", container: "faultline-bench-0-abc123", runs: 1, workDirectory: "/tmp")

    // The campaign the benchmark runs is valid, targets the throw-away container and pauses it for the planned window.
    @Test func campaignParsesAndPausesTheContainer() throws {
        let campaign = try CampaignParser.parse(benchmark.campaignText(), file: "bench.yaml")
        #expect(campaign.timeline.count == 1)
        #expect(campaign.timeline[0].duration == CampaignOverheadBenchmark.faultWindow)
        #expect(campaign.hypothesis.steadyState.window == CampaignOverheadBenchmark.steadyWindow)
        #expect(benchmark.campaignText().contains("name: faultline-bench-0-abc123"))
    }

    // The Chaos Toolkit experiment asks for the same waits and drives the same container through the engine socket.
    @Test func experimentMatchesTheCampaign() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(benchmark.experimentText().utf8)) as? [String: Any])
        let method = try #require(json["method"] as? [[String: Any]])
        #expect(method.count == 2)
        let pauses = try #require(method[0]["pauses"] as? [String: Double])
        #expect(pauses["before"] == 0.1 && pauses["after"] == 0.2)
        let arguments = try #require((method[0]["provider"] as? [String: Any])?["arguments"] as? [String])
        #expect(arguments.last == "http://engine/v1.41/containers/faultline-bench-0-abc123/pause")
        #expect(((method[1]["provider"] as? [String: Any])?["arguments"] as? [String])?.last == "http://engine/v1.41/containers/faultline-bench-0-abc123/unpause")
    }

    // Overhead is wall time minus each tool's own planned waits, and the ratio is relative to faultline.
    @Test func reportSubtractsPlannedWaits() {
        var result = CampaignOverheadBenchmark.Result()
        result.wall = [CampaignOverheadBenchmark.faultlineName: [700, 700, 700], CampaignOverheadBenchmark.chaosName: [700, 700, 700]]
        result.planned = [CampaignOverheadBenchmark.faultlineName: 600, CampaignOverheadBenchmark.chaosName: 300]
        let report = benchmark.report(result)
        #expect(report.contains("| faultline run | 600 ms | 700 ms | 700 ms | 100 ms | 1.0× |"))
        #expect(report.contains("| chaos run (Chaos Toolkit) | 300 ms | 700 ms | 700 ms | 400 ms | 4.0× |"))
    }

    // The overhead beyond the recovery confirmation subtracts each run's own confirmation, and the
    // gate wants it at most half of Chaos Toolkit's.
    @Test func overheadBeyondTheRecoveryConfirmation() {
        var result = CampaignOverheadBenchmark.Result()
        result.wall = [CampaignOverheadBenchmark.faultlineName: [800, 790, 810], CampaignOverheadBenchmark.chaosName: [440, 440, 440]]
        result.planned = [CampaignOverheadBenchmark.faultlineName: 600, CampaignOverheadBenchmark.chaosName: 300]
        result.confirmation = [120, 110, 130]
        #expect(CampaignOverheadBenchmark.overheadBeyondConfirmation(result) == 80)
        #expect(benchmark.report(result).contains("faultline's overhead is 80 ms: 1.8× below chaos run's 140 ms."))
        let gate = benchmark.gate(result)
        #expect(gate.missed.contains { $0.contains("at most half of chaos run's") })
        result.wall[CampaignOverheadBenchmark.chaosName] = [460, 460, 460]
        #expect(!benchmark.gate(result).missed.contains { $0.contains("at most half of chaos run's") })
    }

    // Recovery is confirmed by the end of the consecutive_ok-th ok check in a row that started
    // after the last revert; a failed check after the revert starts the count again.
    @Test func runEndsFindTheRecoveryConfirmation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("overhead-\(UUID().uuidString)")
        let run = directory.appendingPathComponent("run-1")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func sample(_ sequence: Int, _ offsetMs: Int, _ outcome: String) -> String {
            let started = String(format: "2026-12-07T21:05:17.%03dZ", offsetMs)
            return #"{"sample":{"attempts":1,"latency":[0,1000000000000000],"offset":[0,\#(offsetMs * 1_000_000_000_000_000)],"outcome":"\#(outcome)","probe":"http","reason":"r","sequence":\#(sequence),"startedAt":"\#(started)"},"type":"sample"}"#
        }
        let lines = [
            #"{"file":"c.yaml","name":"c","source":"","startedAt":"2026-12-07T21:05:17.000Z","type":"campaign"}"#,
            #"{"consecutiveOK":2,"type":"settings"}"#,
            sample(1, 0, "ok"),
            #"{"type":"window","window":{"container":"x","index":1,"injectAt":[0,100000000000000000],"injectedAt":[0,110000000000000000],"kind":"pause","outcome":"restored","revertAt":[0,300000000000000000],"revertedAt":[0,320000000000000000],"selector":"victim","summary":"pause"}}"#,
            sample(2, 300, "ok"),   // started before the revert ended: not counted
            sample(3, 350, "ok"),
            sample(4, 400, "failed"),
            sample(5, 450, "ok"),
            sample(6, 500, "ok"),   // the second ok in a row: confirmed when it ends, at 501 ms
            sample(7, 550, "ok"),
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: run.appendingPathComponent("journal.jsonl"), atomically: true, encoding: .utf8)
        let ends = try CampaignOverheadBenchmark.runEnds(in: directory.path)
        #expect(abs(ends.recoveryConfirmed.timeIntervalSince(ends.lastRevert) - 0.181) < 0.0005)
        #expect(abs(ends.lastCheckEnd.timeIntervalSince(ends.firstCheck) - 0.551) < 0.0005)
    }
}
