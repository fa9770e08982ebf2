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
}
